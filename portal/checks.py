from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_email_is_configured(app_configs, **kwargs) -> list[Error]:
    """Without mail, nobody can confirm an address or reset a password: fail the deploy."""
    if settings.DEBUG or settings.SMTP_HOST:
        return []
    return [
        Error(
            "DJANGO_SMTP_HOST is not set, so the portal cannot send confirmation and "
            "password-reset emails.",
            hint="Set DJANGO_SMTP_HOST (and DJANGO_SMTP_PORT, DJANGO_SMTP_USERNAME, "
            "DJANGO_SMTP_PASSWORD) for your mail relay.",
            id="portal.E001",
        )
    ]
