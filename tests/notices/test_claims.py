"""Notices are claimed before they are sent: at most one sender holds a notice, a claim left by
a sender that died is taken over once it expires, and every copy of a notice carries the same
Message-ID (a real SMTP server, aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from clee.core.models import AuditEvent
from clee.notices import services
from clee.notices.models import Notice
from clee.notices.services import notice_message_id, notices_deliver, notices_prepare
from tests.notices.conftest import Mailbox, SmtpServer
from tests.notices.test_notices import morning

pytestmark = pytest.mark.django_db

START = morning(2023, 10, 1)


@pytest.fixture
def queued(state: dict[str, Any]) -> dict[str, Any]:
    notices_prepare(today=START.date(), now=START)
    assert Notice.objects.filter(status=Notice.Status.QUEUED).count() == 4
    return state


def test_each_notice_carries_its_own_message_id_on_the_sites_domain(
    queued: dict[str, Any], smtp: SmtpServer, settings: Any
) -> None:
    settings.CLEE_SITE_URL = "https://clee.post.example.test"
    notices_deliver(now=START)
    alice = Notice.objects.get(officer=queued["alice"])
    (message,) = smtp.mailbox.to("alice@example.test")
    assert (
        message["Message-ID"] == f"<notice-{alice.pk}@clee.post.example.test>" == notice_message_id(alice.pk)
    )
    assert len({m["Message-ID"] for m in smtp.mailbox.messages}) == 4


def test_a_notice_held_by_a_live_sender_is_left_to_it(queued: dict[str, Any], smtp: SmtpServer) -> None:
    alice = Notice.objects.get(officer=queued["alice"])
    Notice.objects.filter(pk=alice.pk).update(
        status=Notice.Status.SENDING, claimed_by="other:1:aa", claimed_until=START + dt.timedelta(minutes=5)
    )
    assert notices_deliver(now=START + dt.timedelta(minutes=4)).sent == 3
    assert smtp.mailbox.to("alice@example.test") == []
    alice.refresh_from_db()
    assert (alice.status, alice.claimed_by) == (Notice.Status.SENDING, "other:1:aa")


def test_a_notice_left_sending_by_a_dead_sender_is_sent_once_its_claim_expires(
    queued: dict[str, Any], smtp: SmtpServer
) -> None:
    alice = Notice.objects.get(officer=queued["alice"])
    Notice.objects.filter(pk=alice.pk).update(
        status=Notice.Status.SENDING, claimed_by="dead:1:aa", claimed_until=START + dt.timedelta(minutes=5)
    )
    notices_deliver(now=START)
    delivery = notices_deliver(now=START + dt.timedelta(minutes=6))
    assert delivery.sent == 1
    (message,) = smtp.mailbox.to("alice@example.test")
    assert message["Message-ID"] == notice_message_id(alice.pk)
    alice.refresh_from_db()
    assert (alice.status, alice.claimed_by, alice.claimed_until, alice.attempts) == (
        Notice.Status.SENT,
        "",
        None,
        1,
    )
    expired = AuditEvent.objects.get(action="notices.claim_expired")
    assert (expired.object_type, expired.object_id) == ("notices.notice", str(alice.pk))


def test_a_sender_whose_claim_was_taken_over_does_not_record_the_notice_as_its_own(
    queued: dict[str, Any],
) -> None:
    services_clock = services._Clock(START)
    claim = services._claim_batch(
        clock=services_clock, batch_size=10, claimer="slow:1:aa", delivery=services.Delivery()
    )
    assert claim is not None
    claimed, until = claim
    assert {n.status for n in claimed} == {Notice.Status.SENDING}
    # The slow sender's claim runs out; another sender takes the notices over.
    later = services._Clock(until + dt.timedelta(seconds=1))
    taken = services._claim_batch(
        clock=later, batch_size=10, claimer="fast:2:bb", delivery=services.Delivery()
    )
    assert taken is not None
    assert {n.pk for n in taken[0]} == {n.pk for n in claimed}
    # The slow sender, renewing before its next send, finds it holds none of them any more.
    assert (
        services._renew_claim(pending=claimed, claimer="slow:1:aa", until=until + dt.timedelta(minutes=5))
        == []
    )
    assert not services._record_sent(claimed[0], "slow:1:aa", START)
    assert Notice.objects.filter(claimed_by="fast:2:bb", status=Notice.Status.SENDING).count() == len(claimed)


class SlowMailbox(Mailbox):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_a_sender_slower_than_its_claim_renews_it_and_sends_each_notice_once(
    queued: dict[str, Any], smtp_port: SmtpServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CLEE_NOTICE_CLAIM_SECONDS = 0.08  # shorter than two sends
    smtp_port.mailbox = SlowMailbox()
    smtp_port.start()
    renewals: list[int] = []
    renew = services._renew_claim

    def counted(**kwargs: Any) -> list[Notice]:
        renewals.append(len(kwargs["pending"]))
        return renew(**kwargs)

    monkeypatch.setattr(services, "_renew_claim", counted)
    assert notices_deliver(now=START).sent == 4
    assert renewals  # the claim was extended while the batch was sent
    assert len(smtp_port.mailbox.messages) == 4
    assert Notice.objects.filter(status=Notice.Status.SENT, attempts=1).count() == 4
