"""The article's sections on the kinds of treatment it explains, linked beside each one."""

from collections.abc import Iterable

from education.models import Section
from portal.models import Treatment

# The sections' slugs are their anchors in the article's URL, kept stable once linked.
SECTION_SLUGS = {
    Treatment.Kind.CDK46_INHIBITOR: "cdk46-inhibitors",
    Treatment.Kind.ANTIBODY_DRUG_CONJUGATE: "antibody-drug-conjugates",
}


def sections_by_kind(kinds: Iterable[str]) -> dict[str, Section]:
    """The published section about each of `kinds` the article explains, in one query (none
    when no kind has one); a kind whose section is unpublished or gone has no link."""
    slugs = {SECTION_SLUGS[kind] for kind in set(kinds) if kind in SECTION_SLUGS}
    if not slugs:
        return {}
    by_slug: dict[str, Section] = {}
    for section in Section.objects.published().filter(slug__in=slugs).select_related("article"):
        by_slug.setdefault(section.slug, section)  # the first in article order
    return {kind: by_slug[slug] for kind, slug in SECTION_SLUGS.items() if slug in by_slug}
