"""The rotating attendance code: a signed claim naming the session, its offering and a time
window of ``CLEE_ATTENDANCE_CODE_SECONDS`` (30 s). The session's page shows the current
window's code as a QR code of the check-in address; a code is taken until
``CLEE_ATTENDANCE_CODE_GRACE`` seconds after its window ended, then refused as stale. The
signature (Django's signing, keyed by the site's secret) means a code cannot be made up or
moved to another session or offering.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "clee.attendance.code"


class CodeError(Exception):
    """A code that is refused, with the reason the officer reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Claim:
    session_id: int
    offering_id: int
    window: int


def seconds() -> int:
    return int(settings.CLEE_ATTENDANCE_CODE_SECONDS)


def window_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // seconds()


def window_end(window: int) -> dt.datetime:
    return dt.datetime.fromtimestamp((window + 1) * seconds(), tz=dt.UTC)


def code_make(*, session_id: int, offering_id: int, window: int) -> str:
    return signing.dumps({"s": session_id, "o": offering_id, "w": window}, salt=SALT)


def code_read(code: str, *, offering_id: int, now: dt.datetime) -> Claim:
    """The claim of a code presented for ``offering_id`` at ``now``; ``CodeError`` when it is
    not a CLEE code, is for another offering, or is stale."""
    try:
        data = signing.loads(code, salt=SALT)
        claim = Claim(session_id=int(data["s"]), offering_id=int(data["o"]), window=int(data["w"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise CodeError(
            "this is not a CLEE attendance code: scan the code on the screen in the room"
        ) from error
    if claim.offering_id != offering_id:
        raise CodeError("this code is for another class: scan the code of the class you are attending")
    current = window_of(now)
    if claim.window > current + 1:
        raise CodeError("this code is not valid yet: scan the code on the screen now")
    if now > window_end(claim.window) + dt.timedelta(seconds=int(settings.CLEE_ATTENDANCE_CODE_GRACE)):
        raise CodeError(
            "this code has expired (codes change every 30 seconds): scan the code on the screen now"
        )
    return claim
