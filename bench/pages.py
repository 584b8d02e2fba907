"""What the benchmark measures: the floor and the pages the issue names, with targets.

The paths of pages that other branches build are assumptions, overridable from the
command line (see bench/README.md); a page that answers 404 is reported as missing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from harness import DIARY_URL, ENTRY_CREATE_URL, entry_form

SUGGEST_URL = "/diary/suggestions/"
ARTICLE_URL = "/learn/metastatic-breast-cancer/"


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    method: str
    path: str
    htmx: bool = False
    target: float | None = None  # at most this many times the floor's cost per request
    form: Callable[[str], dict[str, str]] | None = None  # csrf token -> POST body

    def headers(self) -> dict[str, str]:
        return {"HX-Request": "true"} if self.htmx else {}


def suggestion_form(csrf_token: str) -> dict[str, str]:
    return {"csrfmiddlewaretoken": csrf_token, "own_words": "my hip aches"}


def pages(
    *, end: date, years: int, suggest_url: str = SUGGEST_URL, write_url: str = ENTRY_CREATE_URL
) -> list[Page]:
    start = end - timedelta(days=365 * years - 1)
    return [
        Page("floor", "Signed-in floor", "GET", "/ping/"),
        Page("diary", "Diary page", "GET", DIARY_URL, target=3),
        Page(
            "suggestions",
            "Symptom suggestions (htmx)",
            "POST",
            suggest_url,
            htmx=True,
            target=1.5,
            form=suggestion_form,
        ),
        Page(
            "summary",
            f"Summary over {years} years",
            "GET",
            f"/summary/?start={start.isoformat()}&end={end.isoformat()}",
            target=4,
        ),
        Page("article", "Article page", "GET", ARTICLE_URL),
        # Reference (no target): a month reads the same indexes as five years, but only a
        # month of entries, so the difference is what the five years' data costs.
        Page(
            "summary_month",
            "Summary over 30 days (reference)",
            "GET",
            f"/summary/?start={(end - timedelta(days=29)).isoformat()}&end={end.isoformat()}",
        ),
        # Not in the issue: the smallest page with the full layout (base.html), which every
        # page above pays for before its own content.
        Page("home", "Home (layout only, reference)", "GET", "/"),
        # The pages that write run last: each logging run adds ~1,000 entries dated today,
        # which would otherwise change what the summaries above measure.
        Page(
            "log_entry",
            "Log an entry (htmx)",
            "POST",
            write_url,
            htmx=True,
            target=2,
            form=entry_form,
        ),
        # Reference (no target): the save alone, with validation, the duplicate check,
        # the entry and its audit row, and a 302; nothing is rendered.
        Page(
            "log_entry_plain",
            "Log an entry, plain post (reference: the save alone, a 302)",
            "POST",
            write_url,
            form=entry_form,
        ),
    ]
