"""Pagination that keeps the page's other query parameters (search, filters, sort)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items: Any, *, per_page: int = PER_PAGE) -> dict[str, Any]:
    """The page asked for (``?page=``; out-of-range numbers give the nearest page) and the query
    string that the page links keep."""
    paginator = Paginator(items, per_page)
    page: Page[Any] = paginator.get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return {
        "page_obj": page,
        "paginator": paginator,
        "page_query": kept.urlencode(),
        "page_numbers": list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
    }
