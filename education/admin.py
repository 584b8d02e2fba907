from django.contrib import admin, messages
from django.http import HttpRequest

from education.models import SIGN_OFF_FIELDS, Article, Section, Symptom, SymptomSection


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "last_reviewed"]
    list_filter = ["published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "article", "order", "slug"]
    list_select_related = ["article"]
    list_editable = ["order"]
    list_filter = ["article"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request):
        # A section's name includes its article's title (the symptom page's autocomplete).
        return super().get_queryset(request).select_related("article")


class SymptomSectionInline(admin.TabularInline):
    model = SymptomSection
    extra = 0
    fields = ["section", "order"]
    autocomplete_fields = ["section"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section__article")


class SignedOffFilter(admin.SimpleListFilter):
    title = "guidance signed off"
    parameter_name = "signed_off"

    def lookups(self, request, model_admin):
        return [("yes", "Signed off"), ("no", "Not signed off")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(guidance_signed_off_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(guidance_signed_off_at__isnull=True)
        return queryset


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    list_display = ["name", "body_site", "urgency", "signed_off", "snomed_code"]
    list_filter = [SignedOffFilter, "body_site", "urgency"]
    search_fields = ["name", "synonyms", "snomed_code"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["guidance_signed_off_by_name", "guidance_signed_off_at", "updated_at"]
    inlines = [SymptomSectionInline]
    actions = ["sign_off_guidance"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "body_site", "synonyms"]}),
        (
            "When to contact the care team",
            {
                "fields": [
                    "urgency",
                    "guidance_text",
                    "guidance_source",
                    "guidance_signed_off_by_name",
                    "guidance_signed_off_at",
                ],
                "description": "Saving a change to the urgency or guidance clears its "
                "sign-off: a clinician signs it off again from the symptom list.",
            },
        ),
        ("Coding", {"fields": ["snomed_code", "snomed_source", "updated_at"]}),
    ]

    @admin.display(boolean=True, description="Signed off", ordering="guidance_signed_off_at")
    def signed_off(self, symptom: Symptom) -> bool:
        return symptom.is_signed_off

    def has_sign_off_guidance_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("education.sign_off_guidance")

    @admin.action(permissions=["sign_off_guidance"], description="Sign off the selected guidance")
    def sign_off_guidance(self, request: HttpRequest, queryset) -> None:
        signed = 0
        for symptom in queryset.exclude(guidance_text=""):
            symptom.sign_off(request.user)
            symptom.save(update_fields=[*SIGN_OFF_FIELDS, "updated_at"])
            self.log_change(request, symptom, "Signed off the guidance.")
            signed += 1
        skipped = queryset.filter(guidance_text="").count()
        self.message_user(
            request,
            f"Signed off the guidance of {signed} symptom{'s' if signed != 1 else ''} "
            f"as {request.user.get_full_name() or request.user.get_username()}."
            + (f" {skipped} had no guidance to sign." if skipped else ""),
            messages.SUCCESS,
        )
