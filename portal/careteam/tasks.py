"""Telling a care team's inbox of a new alert: a link only, no health data."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse

from portal.models import Alert


@task
def notify_team(alert_id: int) -> str:
    """Emails the alert's team inbox that the queue has a new alert. No name, symptom or
    words: whoever reads the inbox signs in (with the second step) to see it."""
    alert = Alert.objects.select_related("team").filter(pk=alert_id).first()
    if alert is None or not alert.team.monitoring or not alert.team.inbox_email:
        return "skipped"
    link = settings.PORTAL_BASE_URL + reverse("careteam:queue")
    send_mail(
        "A new alert in the patient portal",
        "Hello,\n\nThere is a new alert in your care team's queue. Sign in to see it:\n"
        f"{link}\n\nThis email holds no patient details.\n",
        None,
        [alert.team.inbox_email],
    )
    return "sent"
