"""A job worker killed in the middle of sending a batch of notices (SIGKILL, real
``manage.py db_worker`` processes, a real SMTP server that takes a little time per message).

After the recovery sweep and a new worker every notice has reached the server, and none twice
except in the window docs/operations.md names: a notice the server accepted just before the
worker died, before it could record it (still ``sending`` at the kill), goes out once more with
the same Message-ID. Counted by Message-ID at the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clee.core.models import AuditEvent
from clee.jobs.models import JobLease
from clee.jobs.services import jobs_recover
from clee.notices.models import Notice
from clee.notices.services import notice_message_id, notices_prepare
from clee.notices.tasks import send_due_notices
from tests.notices.conftest import Mailbox, SmtpServer, deficient_officers
from tests.workers import NEEDS_POSTGRESQL, Worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason=NEEDS_POSTGRESQL),
]

NOTICES = 150


class SlowMailbox(Mailbox):
    """Accepts each message after 15 ms, as a server that writes it to disk first: a message
    counts as delivered once the server is about to answer 250."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        await asyncio.sleep(0.015)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(smtp_port: SmtpServer) -> SmtpServer:
    smtp_port.mailbox = SlowMailbox()
    smtp_port.start()
    return smtp_port


@pytest.fixture
def many_notices(world: dict[str, Any]) -> list[int]:
    period = world["period"]
    deficient_officers(period, NOTICES, prefix="P40")
    notices_prepare(today=dt.date(2023, 10, 1))  # the October reminder, queued now
    ids = list(Notice.objects.filter(status=Notice.Status.QUEUED).values_list("pk", flat=True))
    assert len(ids) == NOTICES
    return ids


def worker_env(smtp: SmtpServer) -> dict[str, str]:
    return {
        "CLEE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "CLEE_EMAIL_HOST": "127.0.0.1",
        "CLEE_EMAIL_PORT": str(smtp.port),
        "CLEE_EMAIL_TIMEOUT": "5",
        "CLEE_JOB_HEARTBEAT_SECONDS": "0.2",
        # Shorter than the batch takes to send: the sender must renew its claim as it goes.
        "CLEE_NOTICE_CLAIM_SECONDS": "1",
    }


def test_a_worker_killed_mid_batch_leaves_no_notice_unsent_and_none_sent_twice_but_the_one_in_flight(
    many_notices: list[int], slow_smtp: SmtpServer, settings: Any, tmp_path: Path
) -> None:
    settings.CLEE_JOB_LEASE_SECONDS = 1
    settings.CLEE_JOB_RETRY_SECONDS = 0
    mailbox = slow_smtp.mailbox
    job = send_due_notices.enqueue()
    first = Worker(tmp_path / "first.log", worker_env(slow_smtp))
    try:
        wait_for(lambda: len(mailbox.messages) >= NOTICES // 3, "a third of the notices", first)
        first.kill()
    finally:
        first.stop()
    at_kill = dict(Notice.objects.values_list("pk", "status"))
    sent_before = {pk for pk, status in at_kill.items() if status == Notice.Status.SENT}
    in_flight = {pk for pk, status in at_kill.items() if status == Notice.Status.SENDING}
    # The kill landed mid-batch: some sent, the rest claimed by the dead worker.
    assert 0 < len(sent_before) < NOTICES
    assert in_flight == set(many_notices) - sent_before

    # The claims expire (a second after their last renewal) and the job's lease too: the sweep
    # gives the job back to the queue, and a new worker sends what is left.
    wait_for(
        lambda: (
            not Notice.objects.filter(
                status=Notice.Status.SENDING, claimed_until__gte=timezone.now()
            ).exists()
        ),
        "the dead worker's claims to expire",
    )
    wait_for(lambda: bool(jobs_recover().retried), "the sweep to find the lost job")
    assert DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.READY
    reached_before_second = {str(message["Message-ID"]) for message in list(mailbox.messages)}
    second = Worker(tmp_path / "second.log", worker_env(slow_smtp), batch=True)
    assert second.wait() == 0, second.text()

    assert DBTaskResult.objects.get(pk=job.id).status == TaskResultStatus.SUCCESSFUL
    assert JobLease.objects.get(pk=job.id).attempts == 2
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}
    received = Counter(str(message["Message-ID"]) for message in mailbox.messages)
    expected = {notice_message_id(pk): pk for pk in many_notices}
    assert set(received) == set(expected), "every notice reached the server"
    twice = {expected[message_id] for message_id, count in received.items() if count > 1}
    assert all(count <= 2 for count in received.values())
    # The window, exactly: a notice the server had accepted while its record still said
    # "sending" (the worker died between the two) arrives twice; no other does. One sender has
    # one notice in flight at a time, so that is one notice at most.
    accepted_unrecorded = {pk for pk in in_flight if notice_message_id(pk) in reached_before_second}
    assert twice == accepted_unrecorded
    assert len(twice) <= 1
    assert twice.isdisjoint(sent_before)
    assert AuditEvent.objects.filter(action="notices.sent").count() == NOTICES
    assert AuditEvent.objects.filter(action="notices.claim_expired").count() == len(in_flight)
