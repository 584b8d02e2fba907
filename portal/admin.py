from django.contrib import admin

from portal.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: staff can search the trail but never add, change or delete a row."""

    list_display = [
        "occurred_at",
        "action",
        "outcome",
        "actor_id",
        "record_type",
        "record_id",
        "ip_address",
        "request_id",
    ]
    list_filter = ["action", "outcome", "record_type"]
    search_fields = ["=actor_id", "=record_id", "=ip_address", "=request_id"]
    date_hierarchy = "occurred_at"
    ordering = ["-occurred_at", "-pk"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
