from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.demo import seed_demo_records, set_demo_clinic_contacts

DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-patient-2026"  # noqa: S105 - development only, refused without DEBUG


class Command(BaseCommand):
    help = "Create (or reset) the demo patient for local development. Refuses unless DEBUG is on."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo patient is only created when DJANGO_DEBUG is on.")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"first_name": "Dana", "last_name": "Demo", "email": DEMO_EMAIL},
        )
        user.email = DEMO_EMAIL
        user.set_password(DEMO_PASSWORD)
        user.save()
        # A confirmed address, so the demo patient can sign in without an email round trip.
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_EMAIL, defaults={"primary": True, "verified": True}
        )
        seed_demo_records(user)
        if set_demo_clinic_contacts():
            self.stdout.write(
                "Clinic contacts set to the demo's: fictional 01632 960xxx numbers (Ofcom's "
                "range for drama) and the real UK emergency number, 999."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo patient {'created' if created else 'ready'}: "
                f"sign in with email {DEMO_EMAIL!r} and password {DEMO_PASSWORD!r} "
                "(with a month of sample diary entries, questions and appointments)"
            )
        )
