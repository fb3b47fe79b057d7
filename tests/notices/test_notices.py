"""Notices through a whole year, sent to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from clee.compliance.models import ComplianceResult
from clee.core.models import AuditEvent
from clee.notices.models import Notice, NoticeCalendar, NoticeKind, NoticeRun, Step
from clee.notices.services import notices_deliver, notices_prepare
from clee.notices.tasks import prepare_and_send_notices
from tests.conftest import PASSWORD
from tests.notices.conftest import SmtpServer, deficient_officers

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def morning(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 6, 0, tzinfo=CHICAGO)


def run_job_on(day: dt.datetime) -> dict[str, int]:
    with time_machine.travel(day, tick=True):
        return prepare_and_send_notices.call()


def sentence(officer: Any, period: Any) -> str:
    result = ComplianceResult.objects.get(officer=officer, period=period)
    text = str(result.still_needed["sentence"])
    assert text
    return text


def test_reminders_go_out_on_their_dates_to_deficient_officers_only(
    state: dict[str, Any], smtp: SmtpServer
) -> None:
    mailbox, period = smtp.mailbox, state["period"]
    assert run_job_on(morning(2023, 9, 30))["sent"] == 0
    assert mailbox.messages == []

    done = run_job_on(morning(2023, 10, 1))

    assert done["sent"] == 4  # alice, gus, and the lists of agencies A and B
    assert sorted(m["To"] for m in mailbox.messages) == [
        "alice@example.test",
        "bob@example.test",
        "carol@example.test",
        "gus@example.test",
    ]
    alice_text, gus_text = mailbox.text_to("alice@example.test"), mailbox.text_to("gus@example.test")
    assert sentence(state["alice"], period) != sentence(state["gus"], period)
    assert sentence(state["alice"], period) in alice_text
    assert sentence(state["gus"], period) in gus_text
    assert sentence(state["gus"], period) not in alice_text
    assert "Alice Avery" in alice_text
    assert "December 31, 2023" in alice_text
    assert "Implicit bias" in mailbox.html_to("alice@example.test")
    (alice_mail,) = mailbox.to("alice@example.test")
    assert "continuing education" in alice_mail["Subject"]

    # Running again the same day (a second worker, a restart) sends nothing new.
    assert run_job_on(morning(2023, 10, 1) + dt.timedelta(hours=3))["sent"] == 0
    assert run_job_on(morning(2023, 11, 14))["sent"] == 0
    assert len(mailbox.messages) == 4

    assert run_job_on(morning(2023, 11, 15))["sent"] == 4
    assert len(mailbox.to("alice@example.test")) == 2
    kinds = Notice.objects.filter(officer=state["alice"]).values_list("kind", flat=True)
    assert sorted(kinds) == [NoticeKind.REMINDER_NOV, NoticeKind.REMINDER_OCT]


def test_the_agency_list_names_each_officer_with_the_gap_and_who_has_no_email(
    state: dict[str, Any], smtp: SmtpServer
) -> None:
    period = state["period"]
    run_job_on(morning(2023, 10, 1))

    bob_text = smtp.mailbox.text_to("bob@example.test")
    assert "Riverton Police Department" in bob_text
    assert f"Alice Avery (P1000001): {sentence(state['alice'], period)}" in bob_text
    assert f"Hank Hill (P2000002) [no email on file]: {sentence(state['hank'], period)}" in bob_text
    for absent in ("Ivy Irwin", "Jack Jones", "Kay King", "Leo Lane", "Gus Green"):
        assert absent not in bob_text
    assert "no email" in smtp.mailbox.html_to("bob@example.test")
    carol_text = smtp.mailbox.text_to("carol@example.test")
    assert "Gus Green" in carol_text
    assert "Alice Avery" not in carol_text

    hank_notice = Notice.objects.get(officer=state["hank"])
    assert hank_notice.status == Notice.Status.NO_ADDRESS
    assert hank_notice.recipient == ""
    assert not Notice.objects.filter(officer__in=[state[n] for n in ("ivy", "jack", "kay", "leo")]).exists()


def test_a_stopped_mail_server_delays_notices_and_each_arrives_exactly_once(
    state: dict[str, Any], smtp_port: SmtpServer
) -> None:
    start = morning(2023, 10, 1)
    notices_prepare(today=start.date(), now=start)

    first = notices_deliver(now=start)

    assert (first.sent, first.retrying) == (0, 4)
    waiting = Notice.objects.filter(status=Notice.Status.QUEUED)
    assert waiting.count() == 4
    for notice in waiting:
        assert notice.attempts == 1
        assert "refused" in notice.last_error.lower() or "connect" in notice.last_error.lower()
        assert notice.next_attempt_at > start
        assert notice.sent_at is None

    smtp_port.start()
    assert notices_deliver(now=start).sent == 0  # not due again yet
    later = start + dt.timedelta(minutes=6)
    assert notices_deliver(now=later).sent == 4
    assert notices_deliver(now=later + dt.timedelta(hours=1)).sent == 0

    received = sorted(m["To"] for m in smtp_port.mailbox.messages)
    assert received == ["alice@example.test", "bob@example.test", "carol@example.test", "gus@example.test"]
    sent = Notice.objects.filter(status=Notice.Status.SENT)
    assert sent.count() == 4
    assert {n.attempts for n in sent} == {2}
    assert {n.last_error for n in sent} == {""}
    assert AuditEvent.objects.filter(action="notices.sent").count() == 4


def test_after_the_period_come_the_deficiency_notice_the_final_notice_and_the_directors_list(
    state: dict[str, Any], smtp: SmtpServer
) -> None:
    period = state["period"]
    run_job_on(morning(2024, 1, 15))
    alice_texts = [
        m.get_body(preferencelist=("plain",)).get_content() for m in smtp.mailbox.to("alice@example.test")
    ]  # type: ignore[union-attr]
    assert len(alice_texts) == 1
    assert "March 15, 2024" in alice_texts[0]
    assert "has ended" in alice_texts[0]
    # The reminders that were missed are passed over, not sent late.
    passed_over = set(NoticeRun.objects.filter(skipped=True).values_list("step", flat=True))
    assert passed_over == {Step.REMINDER_OCT, Step.REMINDER_NOV, Step.REMINDER_DEC}

    run_job_on(morning(2024, 3, 1))
    assert "final notice" in smtp.mailbox.to("alice@example.test")[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert smtp.mailbox.to("frank@example.test") == []

    run_job_on(morning(2024, 3, 15))
    assert smtp.mailbox.to("frank@example.test") == []
    run_job_on(morning(2024, 3, 16))
    frank_text = smtp.mailbox.text_to("frank@example.test")
    assert "Alice Avery (P1000001)" in frank_text
    assert sentence(state["alice"], period) in frank_text
    assert "Gus Green" in frank_text
    assert "Hank Hill" in frank_text
    # Kay's extension runs to June; Leo's license is already inactive.
    assert "Kay King" not in frank_text
    assert "Leo Lane" not in frank_text
    assert run_job_on(morning(2024, 3, 17))["sent"] == 0


def test_a_period_calendar_moves_the_dates(state: dict[str, Any], smtp: SmtpServer) -> None:
    NoticeCalendar.objects.create(period=state["period"], reminder_oct=dt.date(2023, 9, 1))
    assert run_job_on(morning(2023, 8, 31))["sent"] == 0
    assert run_job_on(morning(2023, 9, 1))["sent"] == 4
    assert run_job_on(morning(2023, 10, 1))["sent"] == 0
    run = NoticeRun.objects.get(step=Step.REMINDER_OCT)
    assert (run.scheduled_on, run.officer_notices, run.without_address, run.list_notices) == (
        dt.date(2023, 9, 1),
        2,
        1,
        2,
    )
    assert AuditEvent.objects.filter(action="notices.prepare", object_id=str(run.pk), actor=None).exists()


def test_an_officer_sees_their_notification_log_and_nobody_else_does(
    state: dict[str, Any], smtp: SmtpServer
) -> None:
    run_job_on(morning(2023, 10, 1))
    client = Client()
    assert client.login(username="alice", password=PASSWORD)
    page = client.get("/officer/notices/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "October reminder" in text
    assert "alice@example.test" in text
    assert "Sent" in text
    other = Client()
    assert other.login(username="bob", password=PASSWORD)
    assert other.get("/officer/notices/").status_code == 404


def test_a_refused_address_is_marked_failed_and_the_others_still_go(
    state: dict[str, Any], smtp: SmtpServer
) -> None:
    from clee.officers.models import Officer

    Officer.objects.filter(pk=state["alice"].pk).update(email="alice@invalid.test")
    original = smtp.mailbox.handle_DATA

    async def refuse_rcpt(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@invalid.test"):
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.mailbox.handle_RCPT = refuse_rcpt  # type: ignore[attr-defined]
    smtp.stop()
    smtp.start()
    assert original is not None
    start = morning(2023, 10, 1)
    notices_prepare(today=start.date(), now=start)
    delivery = notices_deliver(now=start)
    assert (delivery.sent, delivery.failed) == (3, 1)
    failed = Notice.objects.get(officer=state["alice"])
    assert failed.status == Notice.Status.FAILED
    assert "550" in failed.last_error
    assert notices_deliver(now=start + dt.timedelta(days=1)).sent == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_a_notice_twice(world: dict[str, Any], smtp: SmtpServer) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")

    period = world["period"]
    deficient_officers(period, 120, prefix="P30")
    start = morning(2023, 10, 1)
    notices_prepare(today=start.date(), now=start)
    queued = Notice.objects.filter(status=Notice.Status.QUEUED).count()
    assert queued == 120
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            counts.append(notices_deliver(now=start, batch_size=7).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == queued
    addresses = [m["To"] for m in smtp.mailbox.messages]
    assert len(addresses) == queued == len(set(addresses))
    assert Notice.objects.filter(status=Notice.Status.SENT, attempts=1).count() == queued


def test_a_notice_waiting_for_the_mail_server_is_withdrawn_when_the_officer_catches_up(
    state: dict[str, Any], smtp_port: SmtpServer
) -> None:
    start = morning(2023, 10, 1)
    notices_prepare(today=start.date(), now=start)
    assert notices_deliver(now=start).retrying == 4
    ComplianceResult.objects.filter(officer=state["gus"], period=state["period"]).update(
        status=ComplianceResult.Status.COMPLIANT, still_needed={}
    )

    smtp_port.start()
    delivery = notices_deliver(now=start + dt.timedelta(hours=1))

    assert (delivery.sent, delivery.withdrawn) == (3, 1)
    assert smtp_port.mailbox.to("gus@example.test") == []
    assert Notice.objects.get(officer=state["gus"]).status == Notice.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="notices.withdrawn").count() == 1
