"""Who the summary is about and what she takes: the first lines a clinician reads.

Her identifiers come from her profile (all optional, set by her) and are shown on her own
summary, and to a caregiver only when she has said so (PatientProfile.show_to_caregivers).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import dateformat, timezone

from education.models import Section
from portal.models import Appointment, PatientProfile, Treatment
from portal.treatments.reading import sections_by_kind

# The appointments offered in the summary's "for the appointment" choice, each way of now.
APPOINTMENTS_EACH_WAY = 12
# Current treatments listed (a patient rarely takes more than three at once).
TREATMENTS_LIMIT = 6


def nhs_number_display(value: str) -> str:
    """An NHS number as NHS letters print it, in groups of 3, 3 and 4: "943 476 5919"."""
    if len(value) != 10 or not value.isdigit():
        return value
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def appointment_label(appointment: Appointment) -> str:
    """ "Tue 8 Dec 2026, 14:15, Dr Okafor (Treatment review)": for the choice and the print."""
    when = dateformat.format(timezone.localtime(appointment.starts_at), "D j M Y, H:i")
    who = f", {appointment.with_whom}" if appointment.with_whom else ""
    purpose = f" ({appointment.purpose})" if appointment.purpose else ""
    return f"{when}{who}{purpose}"


@dataclass
class Appointments:
    """The patient's appointments around now: the next ones, soonest first, and the past
    ones, newest first. Two queries."""

    upcoming: list[Appointment]
    past: list[Appointment]

    @classmethod
    def around_now(cls, patient) -> "Appointments":
        own = Appointment.objects.for_patient(patient)
        return cls(
            upcoming=list(own.upcoming()[:APPOINTMENTS_EACH_WAY]),
            past=list(own.past()[:APPOINTMENTS_EACH_WAY]),
        )

    @property
    def next(self) -> Appointment | None:
        return self.upcoming[0] if self.upcoming else None

    @property
    def last_start(self) -> datetime | None:
        return self.past[0].starts_at if self.past else None

    def choices(self) -> list[tuple[str, str]]:
        """For the form's select: the next appointment first (the default); "none" first
        when there is no next one, so a past one is only ever chosen on purpose."""
        none = [] if self.upcoming else [("", "No appointment chosen")]
        return [
            *none,
            *((str(item.pk), f"Next: {appointment_label(item)}") for item in self.upcoming[:1]),
            *((str(item.pk), appointment_label(item)) for item in self.upcoming[1:]),
            *((str(item.pk), f"Past: {appointment_label(item)}") for item in self.past),
        ]

    def get(self, pk: str | None) -> Appointment | None:
        """The chosen appointment (the form has checked it is hers), else the next one."""
        for item in (*self.upcoming, *self.past):
            if str(item.pk) == pk:
                return item
        return self.next


@dataclass
class WhoAndWhat:
    name: str
    show_identifiers: bool
    date_of_birth: date | None = None
    hospital_number: str = ""
    nhs_number: str = ""
    appointment: Appointment | None = None
    treatments: list[Treatment] = field(default_factory=list)
    # The article's section about a treatment's kind (CDK4/6 inhibitors, antibody-drug
    # conjugates), by kind.
    sections: dict[str, Section] = field(default_factory=dict)

    @property
    def has_identifiers(self) -> bool:
        return self.show_identifiers and bool(
            self.date_of_birth or self.hospital_number or self.nhs_number
        )

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        """(label, value) pairs, as printed: "Born 3 Mar 1961", "Hospital no. RX1234"."""
        if not self.show_identifiers:
            return []
        pairs = []
        if self.date_of_birth:
            pairs.append(("Born", dateformat.format(self.date_of_birth, "j M Y")))
        if self.hospital_number:
            pairs.append(("Hospital no.", self.hospital_number))
        if self.nhs_number:
            pairs.append(("NHS no.", nhs_number_display(self.nhs_number)))
        return pairs

    @property
    def appointment_text(self) -> str:
        return appointment_label(self.appointment) if self.appointment else ""

    @property
    def treatment_lines(self) -> list[str]:
        """ "Ribociclib (CDK4/6 inhibitor; line 2), since 3 Jun 2025"."""
        return [line for line, _section in self.treatment_items]

    @property
    def treatment_items(self) -> list[tuple[str, Section | None]]:
        """Each treatment's line, with the article's section on its kind where there is one."""
        return [
            (line, self.sections.get(item.kind))
            for line, item in zip(self._lines(), self.treatments, strict=True)
        ]

    def _lines(self) -> list[str]:
        lines = []
        for item in self.treatments:
            about = [item.get_kind_display()] if item.kind != Treatment.Kind.OTHER else []
            if item.line:
                about.append(f"line {item.line}")
            detail = f" ({'; '.join(about)})" if about else ""
            since = dateformat.format(item.started_on, "j M Y")
            lines.append(f"{item.name}{detail}, since {since}")
        return lines


def who_and_what(request, appointment: Appointment | None) -> WhoAndWhat:
    """The summary's header for request.patient. Two queries: the profile, the treatments;
    and a third for the article's sections when a treatment's kind has one."""
    patient = request.patient
    profile = PatientProfile.objects.filter(patient=patient).first()
    own = request.grant is None
    shown = profile is not None and (own or profile.show_to_caregivers)
    treatments = Treatment.objects.for_patient(patient).current().order_by("started_on", "pk")
    current = list(treatments[:TREATMENTS_LIMIT])
    return WhoAndWhat(
        name=patient.get_full_name() or patient.get_username(),
        show_identifiers=shown,
        date_of_birth=profile.date_of_birth if shown else None,
        hospital_number=profile.hospital_number if shown else "",
        nhs_number=profile.nhs_number if shown else "",
        appointment=appointment,
        treatments=current,
        sections=sections_by_kind(item.kind for item in current),
    )
