from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from portal import audit
from portal.account.care_team import DAY_NAMES, parse_weekdays
from portal.models import (
    Alert,
    AuditEvent,
    CaregiverGrant,
    CareTeam,
    CareTeamPatient,
    ClinicContacts,
    DeniedAccessCount,
    DiaryEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff read these rows; nobody adds, changes or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(DiaryEntry)
class DiaryEntryAdmin(admin.ModelAdmin):
    """Read-mostly: staff may look (for support) and delete, never write a patient's diary."""

    list_display = ["pk", "patient", "symptom", "severity", "occurred_at"]
    list_filter = ["severity", "symptom__body_site"]
    list_select_related = ["patient", "symptom"]
    date_hierarchy = "occurred_at"
    search_fields = ["patient__username"]
    fields = [
        "patient",
        "symptom",
        "own_words",
        "severity",
        "occurred_at",
        "note",
        "submission_id",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DiaryEntry | None = None) -> bool:
        return False

    # Staff reading or deleting a patient's entry is audited like any other access.
    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        audit.record(
            request,
            "admin.diaryentry_view",
            record_type=DiaryEntry._meta.label_lower,
            record_id=object_id,
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_model(self, request: HttpRequest, obj: DiaryEntry) -> None:
        audit.record(request, "admin.diaryentry_delete", target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        # The audit rows and the deletion stand or fall together.
        with transaction.atomic():
            for pk in queryset.values_list("pk", flat=True):
                audit.record(
                    request,
                    "admin.diaryentry_delete",
                    record_type=DiaryEntry._meta.label_lower,
                    record_id=pk,
                )
            super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: staff can search the trail but never add, change or delete a row."""

    list_display = [
        "occurred_at",
        "action",
        "outcome",
        "actor_id",
        "patient_id",
        "record_type",
        "record_id",
        "ip_address",
        "request_id",
    ]
    list_filter = ["action", "outcome", "record_type"]
    search_fields = ["=actor_id", "=patient_id", "=record_id", "=ip_address", "=request_id"]
    date_hierarchy = "occurred_at"
    ordering = ["-occurred_at", "-pk"]
    show_full_result_count = False


@admin.register(DeniedAccessCount)
class DeniedAccessCountAdmin(ReadOnlyAdmin):
    """Read-only: how often each account was denied access, hour by hour, beyond the
    audit rows kept in full."""

    list_display = ["hour", "actor_id", "count"]
    search_fields = ["=actor_id"]
    date_hierarchy = "hour"


@admin.register(CaregiverGrant)
class CaregiverGrantAdmin(ReadOnlyAdmin):
    """Read-only, for support: who may see whose diary. Only the patient gives, changes or
    stops a grant (on her own "People who help me" page); the token's hash is not shown."""

    list_display = ["pk", "patient", "caregiver", "access", "ends_on", "accepted_at", "revoked_at"]
    list_select_related = ["patient", "caregiver"]
    search_fields = ["patient__username", "caregiver__username"]
    fields = [
        "patient",
        "caregiver",
        "access",
        "ends_on",
        "invited_at",
        "invitation_expires_at",
        "accepted_at",
        "revoked_at",
    ]
    readonly_fields = fields


@admin.register(ClinicContacts)
class ClinicContactsAdmin(admin.ModelAdmin):
    """One row: the list page opens it (or the form to add it on a fresh install), and it is
    never deleted, as every care notice names its numbers."""

    fields = [
        "clinic_name",
        "acute_oncology_line",
        "breast_care_nurse_line",
        "breast_care_nurse_hours",
        "emergency_number",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        exists = ClinicContacts.objects.filter(pk=ClinicContacts.SINGLETON_PK).exists()
        return not exists and super().has_add_permission(request)

    def has_delete_permission(
        self, request: HttpRequest, obj: ClinicContacts | None = None
    ) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if ClinicContacts.objects.filter(pk=ClinicContacts.SINGLETON_PK).exists():
            url = reverse("admin:portal_cliniccontacts_change", args=[ClinicContacts.SINGLETON_PK])
        else:
            url = reverse("admin:portal_cliniccontacts_add")
        return HttpResponseRedirect(url)


class CareTeamForm(forms.ModelForm):
    class Meta:
        model = CareTeam
        fields = [
            "name",
            "invitation_code",
            "members",
            "monitoring",
            "inbox_email",
            "monitored_weekdays",
            "monitored_from",
            "monitored_until",
            "reply_within",
        ]

    def clean_monitored_weekdays(self) -> str:
        text = self.cleaned_data["monitored_weekdays"]
        parts = [part.strip() for part in text.split(",") if part.strip()]
        days = parse_weekdays(text)
        if not parts or len(days) != len(set(parts)):
            raise forms.ValidationError(
                "List the weekdays as numbers from 0 (Monday) to 6 (Sunday), with commas: "
                "for example 0,1,2,3,4 for Monday to Friday."
            )
        return ",".join(str(day) for day in sorted(days))

    def clean_invitation_code(self) -> str | None:
        # Blank is no code (NULL), so any number of teams can have none.
        return (self.cleaned_data["invitation_code"] or "").strip() or None

    def clean(self) -> dict:
        cleaned = super().clean()
        # Out of hours a monitored team's notices give the 24-hour line, so the clinic's
        # numbers come first (the footer and notices also rely on the clinic's row).
        if cleaned.get("monitoring") and not ClinicContacts.load().is_set:
            self.add_error(
                "monitoring",
                "Set the clinic's phone numbers (Clinic contacts) first: out of hours, "
                "monitored patients are told to call the 24-hour line.",
            )
        return cleaned


class CareTeamPatientInline(admin.TabularInline):
    model = CareTeamPatient
    autocomplete_fields = ["patient"]
    fields = ["patient", "joined_at"]
    readonly_fields = ["joined_at"]
    extra = 0


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    """A clinic's care team: its clinicians (accounts staff create), its patients, and
    whether and when it monitors the portal."""

    form = CareTeamForm
    list_display = ["name", "monitoring", "inbox_email"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    inlines = [CareTeamPatientInline]
    fieldsets = [
        (None, {"fields": ["name", "invitation_code", "members"]}),
        (
            "Monitoring",
            {
                "fields": [
                    "monitoring",
                    "inbox_email",
                    "monitored_weekdays",
                    "monitored_from",
                    "monitored_until",
                    "reply_within",
                ],
                "description": "Weekdays: "
                + ", ".join(f"{number} = {name}" for number, name in enumerate(DAY_NAMES))
                + ". Hours are in the portal's time zone.",
            },
        ),
    ]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    """Read-only, for support: clinicians work alerts in their queue, not here."""

    list_display = ["pk", "team", "kind", "day", "created_at", "closed_at", "action"]
    list_filter = ["kind", "action", "team"]
    list_select_related = ["team"]
    date_hierarchy = "created_at"
    fields = [
        "team",
        "patient",
        "kind",
        "day",
        "created_at",
        "closed_at",
        "closed_by_name",
        "action",
    ]
    readonly_fields = fields
