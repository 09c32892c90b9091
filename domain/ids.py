"""Identifier types and the one check every natural id passes (units, people, signers, ...)."""

from __future__ import annotations

import re
from typing import NewType

from domain.errors import UsageError
from domain.text import id_problem

UnitId = NewType("UnitId", str)
PersonId = NewType("PersonId", str)
SignerName = NewType("SignerName", str)
MovementId = NewType("MovementId", str)
SessionId = NewType("SessionId", str)
DecisionNumber = NewType("DecisionNumber", str)
AwardKind = NewType("AwardKind", str)
CriterionId = NewType("CriterionId", str)

# Letters (any script: decision numbers carry "QĐ"), digits and . _ / - ; no spaces or controls.
_ID = re.compile(r"[^\W_](?:[\w./-]{0,126}[\w])?")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TOKEN = re.compile(r"[a-z][a-z0-9_]{0,63}")


def check_id(kind: str, value: str) -> str:
    """Return `value` if it is a well-formed id for a `kind` record, else raise UsageError.

    Besides the characters allowed, an id must be NFC, without compatibility characters and
    in one script (domain/text.py `id_problem`): lookalike ids are refused, not told apart."""
    problem = id_problem(value)
    if problem is not None:
        raise UsageError(f"{kind} id {value!r} {problem}")
    if not _ID.fullmatch(value):
        raise UsageError(
            f"{kind} id {value!r} is not valid: use letters, digits and . _ / - "
            "(1-128 characters, no spaces)"
        )
    return value


def check_signer_name(value: str) -> SignerName:
    """Return `value` as a signer name (also a C2SP key name), else raise UsageError."""
    if not _NAME.fullmatch(value):
        raise UsageError(
            f"signer name {value!r} is not valid: use A-Z a-z 0-9 . _ - (1-64, no spaces)"
        )
    return SignerName(value)


def check_token(kind: str, value: str) -> str:
    """Return `value` if it is a lowercase token (role, level, award kind), else raise."""
    if not _TOKEN.fullmatch(value):
        raise UsageError(f"{kind} {value!r} is not valid: use lowercase letters, digits and _")
    return value
