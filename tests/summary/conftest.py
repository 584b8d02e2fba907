import pytest

from tests.conftest import symptom


@pytest.fixture(autouse=True)
def _london(settings):
    """The hand-computed days and times of these tests are London's."""
    settings.TIME_ZONE = "Europe/London"


@pytest.fixture
def bone_pain(db):
    return symptom("Bone pain", "bone")
