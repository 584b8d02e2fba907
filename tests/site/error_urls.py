"""The portal's URLs plus one view that fails, to test what a 500 response carries."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


@login_not_required
def broken(request):
    raise RuntimeError("a deliberate failure for the 500 test")


urlpatterns = [*portal_urlpatterns, path("broken-for-test/", broken)]
