from django.contrib import admin
from django.http import HttpRequest

from portal.models import DiaryEntry


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
