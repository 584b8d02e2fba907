"""Playwright against the system Chromium, with axe-core and CSP checks on every page visited."""

import os
import shutil
from importlib import resources
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    if config.getoption("--strict-requirements"):
        raise pytest.UsageError(f"--strict-requirements: no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


class PageChecks:
    """Collects console CSP errors and runs axe-core on demand."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_accessible(self) -> None:
        self.page.evaluate(AXE_SOURCE)
        violations = self.page.evaluate(
            """async (tags) => (await axe.run(document,
                {runOnly: {type: 'tag', values: tags}})).violations""",
            WCAG_TAGS,
        )
        summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in violations]
        assert violations == [], f"{self.page.url}: {summary}"

    def assert_no_csp_errors(self) -> None:
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert csp == [], csp

    def check(self) -> None:
        """The checks every visited page must pass."""
        self.assert_accessible()
        self.assert_no_csp_errors()


@pytest.fixture
def checks(page):
    return PageChecks(page)


def sign_in_on(page, base_url: str, email: str, password: str) -> None:
    """Submits the sign-in form on `page`: the default page, or one of a test's own context."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in(page, live_server):
    """Signs in by email address (tests.conftest.make_patient gives alice@example.org)."""

    def _sign_in(email: str, password: str) -> None:
        sign_in_on(page, live_server.url, email, password)

    return _sign_in
