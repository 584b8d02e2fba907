from django.contrib import admin

from education.models import Article, Section


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
    list_editable = ["order"]
    list_filter = ["article"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
