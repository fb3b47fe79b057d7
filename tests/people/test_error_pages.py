"""The site's own error pages (never Django's debug page listing every URL), and the demo sign-in
page's one-click accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_own_404(world: Any) -> None:
    response = Client().get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "Go to your home page" in page
    assert "URLconf" not in page
    assert "Using the URLconf" not in page


def test_a_page_someone_may_not_see_is_the_same_404(world: Any) -> None:
    from tests.people.conftest import as_user

    response = as_user(world["alice"]).get("/staff/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_server_error_is_the_sites_own_500_without_the_database(world: Any) -> None:
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page


@pytest.mark.engine_only
def test_debug_is_off_in_development_and_the_demo_unless_asked_for() -> None:
    from tests.records.test_settings import run_settings

    assert run_settings().stdout.strip() == "False"
    assert run_settings(CLEE_DEBUG="true").stdout.strip() == "True"
