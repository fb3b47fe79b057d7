"""``{% sso_button %}``: the sign-in button of the state's identity provider, shown only when
single sign-on is configured."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from clee.sso.provider import provider_name, sso_enabled

register = template.Library()


@register.inclusion_tag("sso/button.html")
def sso_button(next_url: str = "") -> dict[str, Any]:
    url = reverse("sso:start")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return {"enabled": sso_enabled(), "url": url, "provider_name": provider_name()}
