"""The license-expiry job tells each holder whose license expired, by email through a real SMTP
server, once; a holder without an address is in the log as not deliverable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from clee.notices.models import Notice, NoticeKind
from clee.notices.tasks import expire_licenses, send_due_notices
from clee.officers.models import LicenseStatus, Officer
from tests import factories
from tests.jobs.conftest import CENTRAL
from tests.notices.conftest import SmtpServer

pytestmark = pytest.mark.django_db

EXPIRY_RUN = dt.datetime(2023, 10, 1, 1, 30, tzinfo=CENTRAL)


def idle_officer(number: str, email: str) -> Officer:
    return factories.officer(
        license_number=number,
        first_name="Quinn",
        last_name=f"Idle{number[-1]}",
        date_of_birth=dt.date(1980, 1, 1),
        licensed_on=dt.date(2010, 5, 1),
        email=email,
    )


@pytest.fixture
def idle(world: dict[str, Any]) -> dict[str, Officer]:
    with_email = idle_officer("P2000001", "quinn@example.test")
    factories.commission(
        officer=with_email, agency=world["agency_a"], start=dt.date(2011, 1, 1), end=dt.date(2018, 9, 30)
    )
    return {"with_email": with_email, "without": idle_officer("P2000002", "")}


def test_an_expired_license_is_told_once_by_email(idle: dict[str, Officer], smtp: SmtpServer) -> None:
    with time_machine.travel(EXPIRY_RUN, tick=False):
        assert expire_licenses.call()["expired"] == 2
        assert send_due_notices.call()["sent"] == 1
        # The next runs of both jobs send nothing again.
        assert expire_licenses.call()["expired"] == 0
        assert send_due_notices.call()["sent"] == 0
    messages = smtp.mailbox.to("quinn@example.test")
    assert len(messages) == 1
    assert messages[0]["Subject"] == "Your Missouri peace officer license has expired"
    text = smtp.mailbox.text_to("quinn@example.test")
    assert "license P2000001 expired on October 1, 2023" in text
    assert "Your last commission ended September 30, 2018" in text
    assert "five consecutive years" in smtp.mailbox.html_to("quinn@example.test")
    sent = Notice.objects.get(officer=idle["with_email"])
    assert (sent.kind, sent.status, sent.period.year) == (NoticeKind.LICENSE_EXPIRED, "sent", 2023)
    unsent = Notice.objects.get(officer=idle["without"])
    assert unsent.status == Notice.Status.NO_ADDRESS
    assert Officer.objects.get(pk=idle["without"].pk).license_status == LicenseStatus.EXPIRED


def test_an_expiry_notice_is_not_withdrawn_as_stale(idle: dict[str, Officer], smtp_port: SmtpServer) -> None:
    """Officer notices are withdrawn when the officer's result no longer calls for them; the
    expiry notice waits out a mail-server failure and is sent when the server is back."""
    with time_machine.travel(EXPIRY_RUN, tick=False):
        expire_licenses.call()
        failed = send_due_notices.call()
    assert failed["sent"] == 0
    notice = Notice.objects.get(officer=idle["with_email"])
    assert notice.status == Notice.Status.QUEUED
    assert notice.attempts == 1
    smtp_port.start()
    with time_machine.travel(EXPIRY_RUN + dt.timedelta(hours=1), tick=False):
        assert send_due_notices.call()["sent"] == 1
    assert len(smtp_port.mailbox.to("quinn@example.test")) == 1
