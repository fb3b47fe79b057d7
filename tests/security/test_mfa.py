"""Multi-factor authentication through the pages: POST staff, the Director, agency
administrators and providers must set up a second factor and use it at each sign-in; officers
may. Codes are real TOTP codes computed from the secret the page shows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clee.core.models import AuditEvent
from tests.security.conftest import code_for, enrol, next_code, secret_on, signed_in

pytestmark = pytest.mark.django_db

ENROL = "/account/security/authenticator/"
VERIFY = "/account/security/verify/"
CODES = "/account/security/recovery-codes/"


def later(**delta: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(**delta)


def actions(user: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="accounts.user", object_id=str(user.pk), action__startswith="mfa."
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def recovery_codes_shown(client: Client, response: Any) -> list[str]:
    page = client.get(response["Location"]).content.decode()
    return re.findall(r'<li><code class="font-mono-md">([a-z2-7]+)</code></li>', page)


def test_staff_without_a_second_factor_is_sent_to_enrolment_from_every_page(world: dict[str, Any]) -> None:
    client = signed_in(world["erin"])
    for path in ("/staff/", "/", "/admin/", "/account/security/", "/account/password/", "/staff/courses/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{ENROL}?next="), path
    assert client.get(ENROL).status_code == 200
    assert client.get("/health/").status_code == 200
    assert client.post("/staff/requests/", {}).status_code == 302
    # htmx requests are told to load the whole page
    assert client.get("/staff/", headers={"HX-Request": "true"})["HX-Redirect"].startswith(ENROL)


def test_every_privileged_role_must_enrol_and_an_officer_need_not(world: dict[str, Any]) -> None:
    for name, home in (
        ("bob", "/agency/"),
        ("carol", "/agency/"),
        ("dave", "/provider/"),
        ("frank", "/director/"),
    ):
        response = signed_in(world[name]).get(home)
        assert response.status_code == 302, name
        assert response["Location"].startswith(ENROL), name
    assert signed_in(world["alice"]).get("/officer/").status_code == 200


def test_staff_enrols_with_a_real_code_keeps_recovery_codes_and_reaches_the_staff_queue(
    world: dict[str, Any],
) -> None:
    erin = world["erin"]
    client = signed_in(erin)
    page = client.get(f"{ENROL}?next=/staff/").content.decode()
    assert "<svg" in page, "the QR code is drawn inline"
    secret = secret_on(page)
    assert len(secret) == 32

    wrong = client.post(
        ENROL, {"code": "000000" if code_for(secret) != "000000" else "111111", "next": "/staff/"}
    )
    assert wrong.status_code == 200
    assert "That code does not match" in wrong.content.decode()
    short = client.post(ENROL, {"code": "12345"})
    assert "Enter the 6-digit code your app shows." in short.content.decode()
    assert not TOTPDevice.objects.filter(user=erin).exists(), "nothing is saved before a right code"

    done = client.post(ENROL, {"code": code_for(secret), "next": "/staff/"})
    assert done.status_code == 302
    assert done["Location"] == f"{CODES}?next=%2Fstaff%2F"
    codes = recovery_codes_shown(client, done)
    assert len(codes) == 10
    again = client.get(CODES).content.decode()
    assert not any(code in again for code in codes), "recovery codes are shown once"
    assert "10 unused recovery codes" in again

    assert client.get("/staff/").status_code == 200
    assert TOTPDevice.objects.get(user=erin).confirmed
    assert actions(erin) == ["mfa.totp_enrol", "mfa.recovery_codes_issue"]


def test_the_next_sign_in_asks_for_a_code_before_any_staff_page(world: dict[str, Any]) -> None:
    erin = world["erin"]
    secret = enrol(signed_in(erin))

    client = signed_in(erin)
    blocked = client.get("/staff/")
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{VERIFY}?next=%2Fstaff%2F"
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert client.get(ENROL)["Location"].startswith(VERIFY), "no new factor before the old one is proved"
    page = client.get(blocked["Location"]).content.decode()
    assert "Confirm it's you" in page

    wrong = client.post(VERIFY, {"code": "12 34 56", "next": "/staff/"})
    assert "That code is not right" in wrong.content.decode()
    with time_machine.travel(later(seconds=5)):  # past the one-second throttle after a wrong code
        right = client.post(VERIFY, {"code": next_code(secret), "next": "/staff/"})
    assert right.status_code == 302
    assert right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_the_same_code_cannot_be_used_twice(world: dict[str, Any]) -> None:
    erin = world["erin"]
    secret = enrol(signed_in(erin))
    code = next_code(secret)
    first = signed_in(erin)
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second = signed_in(erin)
    assert second.post(VERIFY, {"code": code}).status_code == 200, "a replayed code is refused"


def test_wrong_codes_are_throttled_then_accepted_again(world: dict[str, Any]) -> None:
    erin = world["erin"]
    secret = enrol(signed_in(erin))
    client = signed_in(erin)
    with time_machine.travel(later(seconds=0), tick=False) as traveller:
        for _ in range(4):
            client.post(VERIFY, {"code": "000001"})
            traveller.shift(0.1)
        refused = client.post(VERIFY, {"code": next_code(secret)})
        assert refused.status_code == 200
        assert "Too many wrong codes. Wait until" in refused.content.decode()
        traveller.shift(60)
        assert client.post(VERIFY, {"code": next_code(secret)}).status_code == 302


def test_a_recovery_code_signs_in_once(world: dict[str, Any]) -> None:
    erin = world["erin"]
    client = signed_in(erin)
    page = client.get(ENROL).content.decode()
    codes = recovery_codes_shown(client, client.post(ENROL, {"code": code_for(secret_on(page))}))

    lost_phone = signed_in(erin)
    used = lost_phone.post(VERIFY, {"code": codes[0].upper()[:4] + " " + codes[0][4:], "next": "/staff/"})
    assert used["Location"] == "/staff/"
    assert "9 left" in lost_phone.get("/staff/").content.decode()
    assert StaticToken.objects.filter(device__user=erin).count() == 9
    assert actions(erin)[-2:] == ["mfa.recovery_code_use", "mfa.verified"]

    again = signed_in(erin)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert again.get("/staff/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(world: dict[str, Any]) -> None:
    erin = world["erin"]
    client = signed_in(erin)
    page = client.get(ENROL).content.decode()
    old = recovery_codes_shown(client, client.post(ENROL, {"code": code_for(secret_on(page))}))
    new = recovery_codes_shown(client, client.post(CODES))
    assert len(new) == 10
    assert not set(old) & set(new)
    assert signed_in(erin).post(VERIFY, {"code": old[1]}).status_code == 200
    with time_machine.travel(later(seconds=5)):  # past the throttle the wrong code set
        assert signed_in(erin).post(VERIFY, {"code": new[1]}).status_code == 302


def test_an_officer_may_enrol_and_is_then_asked_at_each_sign_in(world: dict[str, Any]) -> None:
    alice = world["alice"]
    client = signed_in(alice)
    assert client.get("/account/security/").status_code == 200
    secret = enrol(client)
    later = signed_in(alice)
    assert later.get("/officer/")["Location"].startswith(VERIFY)
    assert later.post(VERIFY, {"code": next_code(secret)}).status_code == 302
    assert later.get("/officer/").status_code == 200


def test_with_enforcement_off_staff_signs_in_with_a_password_alone(
    world: dict[str, Any], settings: Any
) -> None:
    settings.CLEE_MFA_REQUIRED = False
    assert signed_in(world["erin"]).get("/staff/").status_code == 200


def test_removing_a_second_factor(world: dict[str, Any]) -> None:
    erin, alice = world["erin"], world["alice"]
    staff = signed_in(erin)
    enrol(staff)
    device = TOTPDevice.objects.get(user=erin)
    refused = staff.post(f"/account/security/totp/{device.pk}/remove/", follow=True)
    assert "must keep a second factor" in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    officer = signed_in(alice)
    enrol(officer)
    # someone else's device: the same 404 as a missing one
    assert officer.post(f"/account/security/totp/{device.pk}/remove/").status_code == 404
    assert officer.post("/account/security/totp/999999/remove/").status_code == 404
    own = TOTPDevice.objects.get(user=alice)
    assert officer.post(f"/account/security/totp/{own.pk}/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticToken.objects.filter(device__user=alice).exists(), (
        "recovery codes go with the last factor"
    )
    assert actions(alice)[-1] == "mfa.device_remove"
    assert signed_in(alice).get("/officer/").status_code == 200, "no longer asked for a code"


def test_the_challenge_never_redirects_to_another_site(world: dict[str, Any]) -> None:
    erin = world["erin"]
    secret = enrol(signed_in(erin))
    client = signed_in(erin)
    response = client.post(VERIFY, {"code": next_code(secret), "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"


def test_signing_out_is_open_before_the_second_step(world: dict[str, Any]) -> None:
    client = signed_in(world["erin"])
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")


def test_the_account_security_page_lists_the_factors_and_recovery_codes_left(world: dict[str, Any]) -> None:
    alice = world["alice"]
    client = signed_in(alice)
    before = client.get("/account/security/").content.decode()
    assert "Optional for your account" in before
    assert "Not set up." in before
    assert "At least 15 characters; it never expires." in before
    enrol(client)
    after = client.get("/account/security/").content.decode()
    device = TOTPDevice.objects.get(user=alice)
    assert f'action="/account/security/totp/{device.pk}/remove/"' in after
    assert "Recovery codes: 10 unused." in after
    assert 'id="passkey-registration-placeholder"' in after
    staff = signed_in(world["erin"])
    enrol(staff)
    assert "Your account must use a second step" in staff.get("/account/security/").content.decode()


def test_an_operator_resets_the_second_factors_of_someone_who_lost_them(world: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    erin = world["erin"]
    enrol(signed_in(erin))
    with pytest.raises(CommandError, match="--reason"):
        call_command("mfa_reset", "erin", stdout=StringIO())
    out = StringIO()
    call_command("mfa_reset", "erin", "--reason", "ticket 4411, identity checked by phone", stdout=out)
    assert "Removed 1 second factor(s) of erin." in out.getvalue()
    assert not TOTPDevice.objects.filter(user=erin).exists()
    assert not StaticToken.objects.filter(device__user=erin).exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor is None
    assert "ticket 4411" in event.summary
    assert signed_in(erin).get("/staff/")["Location"].startswith(ENROL), "sets up a new one at sign-in"
    with pytest.raises(CommandError, match="no account named nobody"):
        call_command("mfa_reset", "nobody", "--reason", "x", stdout=StringIO())


def test_a_session_opened_before_enrolment_must_verify_before_touching_the_factors(
    world: dict[str, Any],
) -> None:
    alice = world["alice"]
    old_session = signed_in(alice)
    enrol(signed_in(alice))
    for path in ("/account/security/", CODES, "/account/password/", ENROL):
        response = old_session.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY), path
    assert old_session.post(CODES)["Location"].startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=alice).count() == 10, "no new codes were made"
    assert old_session.get("/officer/")["Location"].startswith(VERIFY), "and it is now asked everywhere"
