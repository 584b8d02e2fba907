"""Every cookie the portal sets in production is a __Host- cookie with the session's flags.

Run in a fresh process with the production settings (a test database of its own), so the
names and flags are the ones a deployment really sends.
"""

import json

from tests.site.test_settings import PRODUCTION_ENV, run_python

# Signs a patient in, signs her out (allauth says so in a message) and follows the redirect.
SCRIPT = """
import json
import django

django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
connection.creation.create_test_db(verbosity=0)

from django.contrib.auth import get_user_model

user = get_user_model().objects.create_user("alice", "alice@example.org")
client = Client()
client.force_login(user)
origin = {"Origin": "https://testserver"}
cookies = []
deleted = []
signed_out = client.post("/accounts/logout/", secure=True, headers=origin)
home = client.get(signed_out["Location"], secure=True)
for response in (signed_out, home):
    for name, morsel in response.cookies.items():
        if morsel["max-age"] == 0:  # a deletion (the signed-out session): no value to guard
            deleted.append(name)
            continue
        cookies.append([name, morsel["secure"], morsel["httponly"], morsel["path"],
                        morsel["domain"], morsel["samesite"]])
print(json.dumps({
    "statuses": [signed_out.status_code, home.status_code],
    "cookies": cookies,
    "deleted": deleted,
    "message_shown": "You have signed out." in home.content.decode(),
}))
"""


def test_the_sign_out_message_travels_in_a_host_cookie_with_the_session_flags():
    result = run_python("-c", SCRIPT, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["statuses"] == [302, 200]
    assert outcome["message_shown"]
    names = [cookie[0] for cookie in outcome["cookies"]]
    assert "__Host-sessionid" in names + outcome["deleted"]
    assert "__Host-messages" in names
    assert all(name.startswith("__Host-") for name in outcome["deleted"])
    for name, secure, httponly, path, domain, samesite in outcome["cookies"]:
        assert name.startswith("__Host-"), name
        assert (secure, httponly, path, domain, samesite) == (True, True, "/", "", "Lax"), name
