from axes.backends import AxesStandaloneBackend


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in through the site (they all carry the
    request). authenticate() without a request, such as the test client's login() or a
    shell, has no address to throttle by, so it goes straight to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
