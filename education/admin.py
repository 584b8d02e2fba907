from django.contrib import admin

from education.models import Article, Section, Symptom, SymptomSection


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


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    list_display = ["name", "body_site", "urgency", "snomed_code"]
    list_filter = ["body_site", "urgency"]
    search_fields = ["name", "synonyms", "snomed_code"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["updated_at"]
    inlines = [SymptomSectionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "body_site", "synonyms"]}),
        (
            "When to contact the care team",
            {"fields": ["urgency", "guidance_text", "guidance_source"]},
        ),
        ("Coding", {"fields": ["snomed_code", "snomed_source", "updated_at"]}),
    ]
