"""The diary's no-JavaScript draft (the words kept in the session between "Find matching
symptoms" and the page that shows the matches) belongs to the diary it was typed in."""

from portal.middleware import DIARY_OF
from portal.models import CaregiverGrant
from tests.caregivers.conftest import enter, make_grant
from tests.conftest import make_patient


def test_a_draft_typed_in_one_diary_is_not_shown_in_another(dana_client, alice, dana, symptoms):
    bob = make_patient("bob", "bob-password-1234", first_name="Bob")
    enter(dana_client, make_grant(alice, dana, CaregiverGrant.Access.LOG))
    response = dana_client.post("/diary/suggestions/", {"own_words": "alice tingling toes"})
    assert response.status_code == 303
    assert "alice tingling toes" in dana_client.get("/diary/").content.decode()

    enter(dana_client, make_grant(bob, dana, CaregiverGrant.Access.LOG))
    assert "alice tingling toes" not in dana_client.get("/diary/").content.decode()
    session = dana_client.session
    session.pop(DIARY_OF, None)  # back to her own diary
    session.save()
    assert "alice tingling toes" not in dana_client.get("/diary/").content.decode()
