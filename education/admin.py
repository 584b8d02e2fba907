from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from education import pro_ctcae
from education.models import (
    GRADED_ATTRIBUTES,
    TEMPERATURE_RANGE,
    TIMES_IN_24H_MAX,
    Article,
    CheckInItem,
    Measurement,
    RedFlagCondition,
    RedFlagRule,
    Section,
    Symptom,
    SymptomSection,
)

# The numbers a diary entry accepts (portal.models.DiaryEntry's constraints); a threshold
# outside them could never be reached.
TIMES_RANGE = (1, TIMES_IN_24H_MAX)

TEMPERATURE_CONDITIONS = {RedFlagCondition.TEMPERATURE_AT_LEAST, RedFlagCondition.TEMPERATURE_BELOW}
THRESHOLD_CONDITIONS = {*TEMPERATURE_CONDITIONS, RedFlagCondition.TIMES_AT_LEAST}
# The rules that may hold for any symptom (the database's red_flag_symptom_where_needed).
ANY_SYMPTOM_CONDITIONS = {*TEMPERATURE_CONDITIONS, RedFlagCondition.TOP_LEVEL}


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "level", "title", "slug", "body"]
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
    list_display = ["title", "article", "order", "level", "slug"]
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
    """Signed off or not, among the rows that have something to sign (SignOffAdmin)."""

    title = "signed off"
    parameter_name = "signed_off"

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        self.title = model_admin.sign_off_filter_title
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("yes", "Signed off"), ("no", model_admin.unsigned_choice)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return self.model_admin.signed(queryset)
        if self.value() == "no":
            return self.model_admin.unsigned(queryset)
        return queryset


class SignOffAdmin(admin.ModelAdmin):
    """The admin of rows a clinician signs off (education.models.SignOffMixin): who may sign,
    which rows have something to sign, and the action's work, shared by its subclasses."""

    sign_off_permission = ""  # "app_label.codename"
    # Saved with the sign-off, besides its own three fields.
    sign_off_also_saves: tuple[str, ...] = ()
    # For the confirmation: "Signed off {what} as {name}.", with {count} and {noun} filled in.
    sign_off_what = "{count} {noun}"
    # What the other selected rows were, with {count}.
    sign_off_skipped = "{count} had nothing to sign."
    # The list filter's choice, and the index's words for what is unsigned (one, several).
    sign_off_filter_title = "signed off"
    unsigned_choice = "Not signed off"
    unsigned_words = ("", "")

    def signable(self, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` that have something for a clinician to sign."""
        return queryset

    def signed(self, queryset: QuerySet) -> QuerySet:
        at = queryset.model.SIGN_OFF_FIELDS[2]
        return queryset.filter(**{f"{at}__isnull": False})

    def unsigned(self, queryset: QuerySet) -> QuerySet:
        at = queryset.model.SIGN_OFF_FIELDS[2]
        return self.signable(queryset).filter(**{f"{at}__isnull": True})

    def has_sign_off_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.sign_off_permission)

    def sign_off_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        signed = 0
        for row in self.signable(queryset):
            row.sign_off(request.user)
            row.save(update_fields=[*row.SIGN_OFF_FIELDS, *self.sign_off_also_saves])
            self.log_change(request, row, "Signed off.")
            signed += 1
        skipped = queryset.count() - signed
        meta = queryset.model._meta
        noun = meta.verbose_name if signed == 1 else meta.verbose_name_plural
        what = self.sign_off_what.format(count=signed, noun=noun)
        name = request.user.get_full_name() or request.user.get_username()
        self.message_user(
            request,
            f"Signed off {what} as {name}."
            + (" " + self.sign_off_skipped.format(count=skipped) if skipped else ""),
            messages.SUCCESS,
        )


@admin.register(Symptom)
class SymptomAdmin(SignOffAdmin):
    list_display = ["name", "pro_ctcae_term", "body_site", "urgency", "signed_off", "snomed_code"]
    list_filter = [SignedOffFilter, "body_site", "urgency", "measurement"]
    search_fields = ["name", "synonyms", "pro_ctcae_term", "snomed_code"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["guidance_signed_off_by_name", "guidance_signed_off_at", "updated_at"]
    inlines = [SymptomSectionInline]
    actions = ["sign_off_guidance"]
    sign_off_permission = "education.sign_off_guidance"
    sign_off_also_saves = ("updated_at",)  # tells the workers' vocabularies to reload
    sign_off_what = "the guidance of {count} {noun}"
    sign_off_skipped = "{count} had no guidance to sign."
    sign_off_filter_title = "guidance signed off"
    unsigned_words = ("symptom guidance is", "symptom guidances are")
    fieldsets = [
        (None, {"fields": ["name", "slug", "body_site", "synonyms"]}),
        (
            "What an entry asks",
            {
                "fields": [
                    "pro_ctcae_term",
                    "asks_frequency",
                    "asks_severity",
                    "asks_interference",
                    "asks_amount",
                    "asks_presence",
                    "measurement",
                ],
                "description": f"For a term of {pro_ctcae.SOURCE}: its term exactly as NCI words "
                "it, and exactly the attributes NCI asks of it (a yes-or-no term asks nothing "
                "else). The measurement is a number an entry takes for a red-flag rule.",
            },
        ),
        (
            "Where to read about it",
            {
                "fields": ["outside_page_name", "outside_page_url"],
                "description": "Only for a symptom no article section explains: a page that "
                "does, linked and never copied.",
            },
        ),
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

    def signable(self, queryset: QuerySet) -> QuerySet:
        return queryset.exclude(guidance_text="")

    def get_search_results(self, request, queryset, search_term):
        # The check-in question's symptom box suggests PRO-CTCAE terms only: the check-in
        # asks NCI's items (CheckInItem.clean() refuses any other symptom too).
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if _autocomplete_for(request, CheckInItem, "symptom"):
            queryset = queryset.exclude(pro_ctcae_term="")
        return queryset, may_have_duplicates

    @admin.display(boolean=True, description="Signed off", ordering="guidance_signed_off_at")
    def signed_off(self, symptom: Symptom) -> bool:
        return symptom.is_signed_off

    @admin.action(permissions=["sign_off"], description="Sign off the selected guidance")
    def sign_off_guidance(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.sign_off_selected(request, queryset)


class RedFlagRuleForm(forms.ModelForm):
    """Says which field is wrong, before the database's constraints would refuse the row."""

    class Meta:
        model = RedFlagRule
        fields = [
            "name",
            "active",
            "symptom",
            "condition",
            "threshold",
            "companions",
            "level",
            "patient_wording",
            "source_document",
            "source_version",
            "source_url",
        ]

    def clean(self):
        cleaned = super().clean()
        condition = cleaned.get("condition")
        if condition is None:  # already an error on the field
            return cleaned
        symptom = cleaned.get("symptom")
        threshold = cleaned.get("threshold")
        companions = cleaned.get("companions")
        self._check_threshold(condition, threshold, symptom)
        if condition == RedFlagCondition.WITH_COMPANION:
            if companions is not None and not companions:
                self.add_error("companions", "A companion rule needs at least one companion.")
            elif companions is not None and symptom is not None and symptom in companions:
                self.add_error("companions", "The rule's own symptom cannot be its companion.")
        elif companions:
            self.add_error("companions", "Only a companion rule has companions: remove them.")
        if symptom is None and condition not in ANY_SYMPTOM_CONDITIONS and "symptom" in cleaned:
            self.add_error("symptom", "Choose the symptom this rule is about.")
        top_level = condition == RedFlagCondition.TOP_LEVEL
        if top_level and symptom is not None and not {*GRADED_ATTRIBUTES} & {*symptom.attributes}:
            self.add_error(
                "symptom", f"{symptom} asks nothing graded, so no answer is at a top level."
            )
        return cleaned

    def _check_threshold(self, condition, threshold, symptom) -> None:
        if "threshold" not in self.cleaned_data:  # not a number: already an error
            return
        if condition not in THRESHOLD_CONDITIONS:
            if threshold is not None:
                self.add_error("threshold", "This condition has no threshold: leave it empty.")
            return
        if threshold is None:
            unit = "°C" if condition in TEMPERATURE_CONDITIONS else "times in 24 hours"
            self.add_error("threshold", f"This condition needs a threshold ({unit}).")
            return
        if condition in TEMPERATURE_CONDITIONS:
            low, high = TEMPERATURE_RANGE
            if not low <= threshold <= high:
                self.add_error("threshold", f"A temperature threshold is from {low} to {high} °C.")
            measurement, taken = Measurement.TEMPERATURE, "temperature"
        else:
            low, high = TIMES_RANGE
            if threshold != threshold.to_integral_value() or not low <= threshold <= high:
                self.add_error("threshold", f"A count is a whole number from {low} to {high}.")
            measurement, taken = Measurement.TIMES, "count of times in 24 hours"
        if (
            symptom is not None
            and symptom.measurement != measurement
            and "symptom" in self.cleaned_data
        ):
            self.add_error(
                "symptom",
                f"An entry of {symptom} takes no {taken}: "
                "set the symptom's measurement first, or choose another symptom.",
            )


@admin.register(RedFlagRule)
class RedFlagRuleAdmin(SignOffAdmin):
    form = RedFlagRuleForm
    list_display = ["name", "symptom", "condition", "threshold", "level", "signed_off", "active"]
    list_select_related = ["symptom"]
    list_filter = [SignedOffFilter, "level", "condition", "active"]
    search_fields = ["name", "symptom__name", "patient_wording", "source_document"]
    autocomplete_fields = ["symptom", "companions"]
    readonly_fields = ["signed_off_by_name", "signed_off_at"]
    actions = ["sign_off_rules"]
    sign_off_permission = "education.sign_off_red_flag"
    # Turning a rule on or off clears its sign-off (`active` is reviewed): only a rule that
    # is on has a sign-off worth giving.
    sign_off_skipped = "{count} not active: sign a rule off once it is on."
    unsigned_choice = "Active and not signed off"
    unsigned_words = ("active red-flag rule is", "active red-flag rules are")
    fieldsets = [
        (None, {"fields": ["name", "active"]}),
        (
            "When it fires",
            {
                "fields": ["symptom", "condition", "threshold", "companions", "level"],
                "description": "The threshold is °C for a temperature rule and a count for a "
                "times-in-24-hours rule, as the source states it, and empty otherwise. "
                "Companions are only for a companion rule: the symptom together with any of "
                "them in the same words or within 24 hours.",
            },
        ),
        (
            "What the patient is told, and its source",
            {
                "fields": [
                    "patient_wording",
                    "source_document",
                    "source_version",
                    "source_url",
                ],
                "description": "In the source's own terms. Where sources differ, name the "
                "one used.",
            },
        ),
        (
            "Clinical sign-off",
            {
                "fields": ["signed_off_by_name", "signed_off_at"],
                "description": "Saving a change to when the rule fires, its wording or its "
                "source clears the sign-off: a clinician signs it off again from the list.",
            },
        ),
    ]

    def signable(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(active=True)

    @admin.display(boolean=True, description="Signed off", ordering="signed_off_at")
    def signed_off(self, rule: RedFlagRule) -> bool:
        return rule.is_signed_off

    @admin.action(permissions=["sign_off"], description="Sign off the selected rules")
    def sign_off_rules(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.sign_off_selected(request, queryset)


def _autocomplete_for(request: HttpRequest, model, field_name: str) -> bool:
    """Whether the request is the admin's autocomplete for `model`'s `field_name`."""
    meta = model._meta
    return (
        request.path == reverse("admin:autocomplete")
        and request.GET.get("app_label") == meta.app_label
        and request.GET.get("model_name") == meta.model_name
        and request.GET.get("field_name") == field_name
    )


# The seed set's source (fixtures/check_in.json).
CHECK_IN_SEED_SOURCE = (
    "Reeve BB et al. Recommended patient-reported core set of symptoms to measure in adult "
    "cancer treatment trials. J Natl Cancer Inst 2014;106(7):dju129"
)
CHECK_IN_SEED_SHORT = "Reeve BB et al., J Natl Cancer Inst 2014;106(7):dju129"


@admin.register(CheckInItem)
class CheckInItemAdmin(admin.ModelAdmin):
    list_display = ["symptom", "term", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    list_select_related = ["symptom"]
    search_fields = ["symptom__name", "symptom__pro_ctcae_term"]
    autocomplete_fields = ["symptom"]
    fieldsets = [
        (
            None,
            {
                "fields": ["symptom", "order", "active"],
                "description": "The weekly check-in asks each active question's PRO-CTCAE "
                f"items ({pro_ctcae.SOURCE}), lowest order first, with NCI's 7-day recall. "
                "Only a symptom with a PRO-CTCAE term can be chosen. The seed set is the 12 "
                f"core symptoms of {CHECK_IN_SEED_SOURCE}, each as its PRO-CTCAE term.",
            },
        )
    ]

    @admin.display(description="PRO-CTCAE term", ordering="symptom__pro_ctcae_term")
    def term(self, item: CheckInItem) -> str:
        return item.symptom.pro_ctcae_term

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "subtitle": f"Seed set: the 12 core symptoms of {CHECK_IN_SEED_SHORT}",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


def unsigned_reviews(request: HttpRequest) -> list[tuple[str, str]]:
    """What a clinician has yet to sign off, for the staff admin's index: (what, the admin
    list of it), of the lists this member of staff may see."""
    found = []
    for model in (RedFlagRule, Symptom):
        model_admin = admin.site.get_model_admin(model)
        if not model_admin.has_view_permission(request):
            continue
        count = model_admin.unsigned(model.objects.all()).count()
        if count:
            words = model_admin.unsigned_words[count != 1]
            url = reverse(f"admin:education_{model._meta.model_name}_changelist")
            found.append((f"{count} {words} not signed off", f"{url}?signed_off=no"))
    return found
