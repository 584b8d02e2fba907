from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "Patient portal"

    def ready(self) -> None:
        # Importing registers the audit signal receivers and the deploy checks.
        from portal import checks  # noqa: F401
        from portal.account import signals  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with a site that requires a second factor for staff."""

    default = False
    default_site = "portal.admin_site.PortalAdminSite"
