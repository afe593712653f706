"""The time a command stamps on what it records (a release's date, a copy's issue time):
now in UTC, or SOURCE_DATE_EPOCH's moment when it is set (reproducible runs)."""

from __future__ import annotations

import datetime as dt
import os

from briefgen.errors import BriefError


def now() -> dt.datetime:
    """Now in UTC, or SOURCE_DATE_EPOCH's moment; a value that is not whole seconds since
    1970 is an error (BG003), not a traceback."""
    stamp = os.environ.get("SOURCE_DATE_EPOCH")
    if not stamp:
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise BriefError(f"SOURCE_DATE_EPOCH is {stamp[:40]!r}, not a whole number of seconds "
                         "since 1970 (unset it, or give e.g. 1767225600)",
                         code="BG003") from None
