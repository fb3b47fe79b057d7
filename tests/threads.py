"""Helpers for tests of concurrent writers (PostgreSQL): work on threads, each thread with its
own database connection, and the backend pid a test can watch for a lock wait."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

WAIT = 20.0


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``work`` on its own thread (so its own database connection); keep its outcome."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised by the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def result(thread: threading.Thread, outcome: dict[str, Any]) -> Any:
    """The value ``work`` returned on its thread, or its error raised here."""
    thread.join(WAIT)
    assert not thread.is_alive(), "a concurrent writer did not finish"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])
