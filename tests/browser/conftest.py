"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Every test here is marked ``browser`` (run once, on SQLite). Helpers:
``signed_in(user)`` opens a page already signed in; ``look(page, name)`` checks the page with
axe-core (no serious or critical violation) and writes a screenshot to ``screenshots/``. Every
page opened is watched for breaches of the Content-Security-Policy (a script, style, frame or
form target the policy refused): any fails the test.
Chromium is never downloaded: without /usr/bin/chromium the tests are skipped, except under
CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CHROMIUM = Path(os.environ.get("CLEE_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's assertions wait as long as its actions (20 s, set on each context): a busy CI
# machine answers an htmx request in more than the 5 s they wait by default.
expect.set_options(timeout=20_000)

# Impacts that fail a page; "minor" and "moderate" are reported in the screenshot folder.
BLOCKING = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside the ORM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def jobs_run_at_once(settings: Any) -> None:
    """Jobs run as they are queued (django-tasks' immediate backend), right after the commit
    that queued them: a page's write is followed by its results' recompute before the browser
    looks again. (A worker thread beside the live server would lock the in-memory SQLite
    database's tables under the pages' requests.) The workers themselves are tested in
    tests/records/test_stale_results.py and tests/jobs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def new_page(browser: Any, live_server: Any, jobs_run_at_once: None) -> Iterator[Callable[..., Any]]:
    """Pages of a fresh browser context (no cookies) on the live server; a phone-sized one with
    ``phone=True``."""
    contexts: list[Any] = []
    refused: list[str] = []

    def open_page(*, phone: bool = False) -> Any:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.clee_policy_breaches = refused
        page.on("console", lambda message: refused.extend(_policy_breaches(message.text, page.url)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not refused, "the Content-Security-Policy refused: " + "; ".join(refused[:5])


def _policy_breaches(text: str, url: str) -> list[str]:
    """Chromium's console message when the page's policy refused something, as one line."""
    if "Content Security Policy" in text or "Refused to" in text:
        return [f"{url}: {text[:300]}"]
    return []


@pytest.fixture
def signed_in(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """A page signed in as ``user`` through the sign-in form, on the user's home page."""
    from tests.conftest import PASSWORD

    def sign_in(user: Any, *, phone: bool = False) -> Any:
        page = new_page(phone=phone)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{user.username} could not sign in"
        return page

    return sign_in


# Resolves once no element has carried htmx's ``htmx-request`` class for 0.6 s in a row.
HTMX_QUIET = """async () => {
  let quiet = 0;
  while (quiet < 6) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    quiet = document.querySelector(".htmx-request") ? 0 : quiet + 1;
  }
}"""


def htmx_quiet(page: Any) -> None:
    """Wait until the page's htmx requests have ended and none follows at once. An htmx answer
    swaps its part of the page and pushes its address (``history.pushState``): a link clicked
    while one is still on its way can lose its click, or see its navigation cancelled."""
    page.evaluate(HTMX_QUIET)


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules)."""
    # Evaluated by the browser's debugging protocol: a script tag would be (rightly) refused by
    # the page's Content-Security-Policy. What axe itself does to the page (it may set an empty
    # style attribute while measuring) is no breach of the page's.
    breaches = getattr(page, "clee_policy_breaches", [])
    before = len(breaches)
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    page.evaluate("0")  # every console message of the run has arrived
    del breaches[before:]
    return list(result["violations"])


@pytest.fixture
def look() -> Callable[..., None]:
    """Check a page for serious accessibility violations and keep a screenshot of it."""

    def check(page: Any, name: str) -> None:
        page.wait_for_load_state("networkidle", timeout=30_000)  # a busy machine is slower
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        violations = accessibility_violations(page)
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        described = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in blocking
        ]
        assert not blocking, f"{name}: " + "; ".join(described)

    return check
