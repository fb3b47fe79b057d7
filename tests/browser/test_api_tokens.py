"""The "API tokens" page and the API documentation in a browser: a provider creates a token,
copies it from the page (shown once), revokes it; both pages checked for accessibility."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.api.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_provider_creates_and_revokes_a_token(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["dave"])
    page.get_by_role("link", name="API tokens", exact=True).click()
    page.wait_for_url("**/api/tokens/")
    look(page, "api-tokens-empty")

    page.get_by_label("Name").fill("Academy records system")
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_role("heading", name="Token “Academy records system” created")).to_be_visible()
    secret = page.get_by_label("Your new token", exact=True).input_value()
    assert secret.startswith(ApiToken.objects.get().prefix + "_")
    look(page, "api-tokens-created")

    page.goto("/api/tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke the token Academy records system").click()
    expect(page.get_by_text("was revoked: it no longer works")).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None
    look(page, "api-tokens-revoked")


def test_the_api_documentation_page(
    new_page: Callable[..., Any], look: Callable[..., None], world: dict[str, Any]
) -> None:
    page = new_page()
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name="POST /api/v1/rosters/")).to_be_visible()
    look(page, "api-docs")
