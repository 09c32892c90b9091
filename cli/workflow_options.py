"""--at: the effective time a signer claims for a write (see cli/write.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from cli.context import parse_datetime

F = TypeVar("F", bound=Callable[..., Any])


def at_option(func: F) -> F:
    """Add --at: the effective time the signer claims (default now)."""
    return click.option(
        "--at",
        "at_text",
        default=None,
        metavar="DATETIME",
        help="Effective time claimed (ISO 8601; no zone = Asia/Ho_Chi_Minh). Default: now.",
    )(func)


def parse_at(value: str | None) -> datetime | None:
    return None if value is None else parse_datetime(value, "--at")
