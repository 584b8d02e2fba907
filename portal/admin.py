from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from portal import audit
from portal.models import (
    AuditEvent,
    CaregiverGrant,
    ClinicContacts,
    DeniedAccessCount,
    DiaryEntry,
)


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
class AuditEventAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(DeniedAccessCount)
class DeniedAccessCountAdmin(admin.ModelAdmin):
    """Read-only: how often each account was denied access, hour by hour, beyond the
    audit rows kept in full."""

    list_display = ["hour", "actor_id", "count"]
    search_fields = ["=actor_id"]
    date_hierarchy = "hour"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: DeniedAccessCount | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: DeniedAccessCount | None = None
    ) -> bool:
        return False


@admin.register(CaregiverGrant)
class CaregiverGrantAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: CaregiverGrant | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: CaregiverGrant | None = None
    ) -> bool:
        return False


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
