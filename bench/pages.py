"""What the benchmark measures: the floor and the pages issue 17 names, with its targets.

Targets are a page's cost as a multiple of the signed-in floor in the same run (sync
workers, 16 connections), plus a p99 latency that every page must stay under, and for the
five-year summary a ceiling relative to the 30-day one. A page that answers 404 is
reported as missing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from harness import DIARY_URL, ENTRY_CREATE_URL, entry_form

SUGGEST_URL = "/diary/suggestions/"
ARTICLE_URL = "/learn/metastatic-breast-cancer/"

# Issue 17: every page, p99 at 16 connections.
P99_TARGET_MS = 250.0


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    method: str
    path: str
    htmx: bool = False
    target: float | None = None  # at most this many times the floor's cost per request
    # (other page's name, factor): at most factor times that page's cost in the same run.
    relative_target: tuple[str, float] | None = None
    form: Callable[[str], dict[str, str]] | None = None  # csrf token -> POST body
    hx_target: str = ""  # the id htmx sends as HX-Target, for views that read it

    def headers(self) -> dict[str, str]:
        headers = {"HX-Request": "true"} if self.htmx else {}
        if self.htmx and self.hx_target:
            headers["HX-Target"] = self.hx_target
        return headers


def suggestion_form(csrf_token: str) -> dict[str, str]:
    return {"csrfmiddlewaretoken": csrf_token, "own_words": "my hip aches"}


def pages(
    *,
    end: date,
    years: int,
    suggest_url: str = SUGGEST_URL,
    write_url: str = ENTRY_CREATE_URL,
    write_form: Callable[..., dict[str, str]] = entry_form,
) -> list[Page]:
    start = end - timedelta(days=365 * years - 1)
    month = end - timedelta(days=29)
    return [
        Page("floor", "Signed-in floor", "GET", "/ping/"),
        Page("home", "Home (layout only)", "GET", "/", target=1.8),
        Page("article", "Article", "GET", ARTICLE_URL, target=2),
        Page("diary", "Diary", "GET", DIARY_URL, target=4),
        # Issue 6's target; issue 17 leaves it as it was.
        Page(
            "suggestions",
            "Symptom suggestions (htmx)",
            "POST",
            suggest_url,
            htmx=True,
            target=1.5,
            form=suggestion_form,
            # The log form's suggestions block, as its button's hx-target says; the view
            # answers a request without it as the no-JavaScript path (a redirect).
            hx_target="log-choice",
        ),
        Page(
            "summary_month",
            "Summary, 30 days",
            "GET",
            f"/summary/?start={month.isoformat()}&end={end.isoformat()}",
            target=6,
        ),
        Page(
            "summary",
            f"Summary, {years} years",
            "GET",
            f"/summary/?start={start.isoformat()}&end={end.isoformat()}",
            target=9,
            relative_target=("summary_month", 1.5),
        ),
        # The pages that write run last: each logging run adds ~1,000 entries dated today,
        # which would otherwise change what the summaries above measure.
        Page(
            "log_entry",
            "Log an entry (htmx)",
            "POST",
            write_url,
            htmx=True,
            target=3,
            form=write_form,
        ),
        # Reference (no target): the save alone, with validation, the duplicate check,
        # the entry and its audit row, and a 302; nothing is rendered.
        Page(
            "log_entry_plain",
            "Log an entry, plain post (reference: the save alone, a 302)",
            "POST",
            write_url,
            form=write_form,
        ),
    ]
