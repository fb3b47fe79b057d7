"""A real SMTP server for the notice tests (aiosmtpd on 127.0.0.1), and a small state:
officers of agencies A and B who are deficient, compliant, exempt, extended or without email."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """What the server accepted: one parsed message per recipient."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        content = envelope.original_content or b""
        for _ in envelope.rcpt_tos:
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def text_to(self, address: str) -> str:
        (message,) = self.to(address)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    def html_to(self, address: str) -> str:
        (message,) = self.to(address)
        body = message.get_body(preferencelist=("html",))
        assert body is not None
        return str(body.get_content())


class SmtpServer:
    """An SMTP server on a fixed free port that a test can stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(settings: Any) -> Iterator[SmtpServer]:
    """Django's SMTP backend pointed at 127.0.0.1 on a free port, no server listening yet."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_port: SmtpServer) -> SmtpServer:
    """A running SMTP server collecting what it is sent."""
    smtp_port.start()
    return smtp_port


def make_officer(number: int, first: str, last: str, agency: Any, email_address: str) -> Any:
    from tests import factories

    return factories.officer(
        license_number=f"P20000{number:02d}",
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(1985, 1, number),
        email=email_address,
        licensed_on=dt.date(2010, 6, 1),
        agency=agency,
        commissioned_on=dt.date(2016, 1, 1),
    )


def deficient_officers(period: Any, count: int, *, prefix: str) -> list[Any]:
    """``count`` officers with an email address, each with a stored deficient result (4 hours
    short) of ``period``: a batch of reminders to send."""
    from decimal import Decimal

    from django.utils import timezone

    from clee.compliance.models import ComplianceResult
    from clee.officers.models import Officer

    officers = Officer.objects.bulk_create(
        Officer(
            license_number=f"{prefix}{i:05d}",
            first_name="Officer",
            last_name=f"Number{i}",
            date_of_birth=dt.date(1990, 1, 1),
            email=f"officer{i}@example.test",
            licensed_on=dt.date(2010, 1, 1),
        )
        for i in range(count)
    )
    ComplianceResult.objects.bulk_create(
        ComplianceResult(
            officer=officer,
            period=period,
            status=ComplianceResult.Status.DEFICIENT,
            counted_hours=Decimal("20"),
            additional_hours_needed=Decimal("4"),
            still_needed={"sentence": f"You need 4 more hours, officer {officer.pk}."},
            requirements=[],
            pack="MO-2023",
            computed_at=timezone.now(),
        )
        for officer in officers
    )
    return officers


@pytest.fixture
def state(world: dict[str, Any]) -> dict[str, Any]:
    """alice (agency A, no training) and gus (agency B, 4 hours) are deficient with different
    gaps; hank (A) has no email; ivy (A) is compliant, jack (A) exempt, kay (A) extended to
    June 2024, leo (A) deficient but his license is inactive. bob and carol have emails; frank
    (the Director) too."""
    from clee.compliance.models import ComplianceResult, Exemption, Extension
    from clee.compliance.recompute import compliance_recompute
    from clee.compliance.records import training_records_add
    from clee.training.services import RecordEntry, course_lines

    period, agency_a, agency_b = world["period"], world["agency_a"], world["agency_b"]
    officers = {
        "alice": world["officer"],
        "gus": make_officer(1, "Gus", "Green", agency_b, "gus@example.test"),
        "hank": make_officer(2, "Hank", "Hill", agency_a, ""),
        "ivy": make_officer(3, "Ivy", "Irwin", agency_a, "ivy@example.test"),
        "jack": make_officer(4, "Jack", "Jones", agency_a, "jack@example.test"),
        "kay": make_officer(5, "Kay", "King", agency_a, "kay@example.test"),
        "leo": make_officer(6, "Leo", "Lane", agency_a, "leo@example.test"),
    }
    course = world["course"]
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=officers["gus"].pk,
                course_id=course.pk,
                completed_on=dt.date(2023, 3, 10),
                hours=course.hours,
                source="course",
                credit_class="approved",
                delivery=course.delivery,
                lines=course_lines(course),
            )
        ],
        actor=world["erin"],
    )
    Exemption.objects.create(officer=officers["jack"], period=period, reason="Licensed upgrade in 2023")
    Extension.objects.create(
        officer=officers["kay"],
        period=period,
        reason=Extension.Reason.MEDICAL,
        new_deadline=dt.date(2024, 6, 30),
        status=Extension.Status.GRANTED,
    )
    officers["leo"].license_status = "inactive"
    officers["leo"].save(update_fields=["license_status"])
    compliance_recompute(period=period)
    # ivy's 24 hours are not worth building record by record here: her stored result says compliant.
    ComplianceResult.objects.filter(officer=officers["ivy"], period=period).update(
        status=ComplianceResult.Status.COMPLIANT, still_needed={}
    )
    for user, address in (
        ("bob", "bob@example.test"),
        ("carol", "carol@example.test"),
        ("frank", "frank@example.test"),
    ):
        world[user].email = address
        world[user].save(update_fields=["email"])
    return {**world, **officers}
