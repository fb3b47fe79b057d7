"""API fixtures: a token per caller (dave's provider, bob's agency A, carol's agency B) and a
client that sends one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


class Api:
    """A test client sending ``Authorization: Bearer <token>`` (or nothing)."""

    def __init__(self, secret: str | None) -> None:
        # CSRF checked as in production: a token's requests carry no CSRF cookie and need none.
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(path, data, headers={**self.headers, **(headers or {})})

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        """POST ``body`` (JSON unless told); ``key`` is sent as the Idempotency-Key (a dry run of a
        roster gets one of its own when none is given: every roster request carries a key)."""
        extra = {**self.headers, **(headers or {})}
        if key is None and path.startswith("/api/v1/rosters/?dry_run=true"):
            key = "dry-run"
        if key is not None:
            extra["Idempotency-Key"] = key
        return self.client.post(path, body, content_type=content_type, headers=extra)


def make_token(user: Any, name: str = "Records system") -> str:
    from clee.api.services import token_create

    return token_create(name=name, acting_user=user).secret


@pytest.fixture
def provider_api(world: dict[str, Any]) -> Api:
    return Api(make_token(world["dave"]))


@pytest.fixture
def agency_api(world: dict[str, Any]) -> Api:
    return Api(make_token(world["bob"]))


@pytest.fixture
def agency_b_api(world: dict[str, Any]) -> Api:
    return Api(make_token(world["carol"]))


@pytest.fixture
def anonymous_api() -> Api:
    return Api(None)


def error_of(response: Any) -> dict[str, Any]:
    """The error object of an error response, after checking the one shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    error: dict[str, Any] = body["error"]
    return error
