"""The one error tree of award-ledger, and the exit code each branch maps to.

The library raises these; only the CLI renders them (``str(exc)`` is one short sentence naming
the thing and the reason, ``diagnostics()`` may add advice). Exit codes follow the README's table:
1 domain rule, 2 usage, 3 malformed input, 4 verification failed, 5 storage or concurrency.
"""

from __future__ import annotations


class AwardLedgerError(Exception):
    """Raised when anything in award-ledger fails; the root of the tree."""

    exit_code: int = 1

    def diagnostics(self) -> str:
        """Text for people: the message, plus advice where a subclass has some."""
        return str(self)


# -- exit 1: a command rejected by a domain rule; nothing recorded ------------------------------


class DomainError(AwardLedgerError):
    """Raised when a command breaks a domain rule; nothing is recorded."""

    exit_code = 1


class NotFoundError(DomainError):
    """Raised when a named unit, person, signer, movement, session or decision does not exist."""


class AlreadyExistsError(DomainError):
    """Raised when an id that must be new is already taken."""


class SignerNotAllowedError(DomainError):
    """Raised when a key is not registered, is revoked, or lacks the role a command needs."""


class RuleViolationError(DomainError):
    """Raised when a rule is broken and not acknowledged by an override; `rules` names every
    broken rule that still lacks one."""

    def __init__(self, rule: str | list[str], message: str) -> None:
        super().__init__(message)
        self.rules = [rule] if isinstance(rule, str) else list(rule)
        self.rule = self.rules[0]

    def diagnostics(self) -> str:
        if len(self.rules) == 1:
            return (
                f"{self}; give --override {self.rule}=REASON to record it knowingly "
                f"(rule {self.rule})"
            )
        wanted = " ".join(f"--override {r}=REASON" for r in self.rules)
        return f"{self}; to record it knowingly give one reason per rule: {wanted}"


# -- exit 2: usage -------------------------------------------------------------------------------


class UsageError(AwardLedgerError):
    """Raised when options or arguments are missing or contradict each other."""

    exit_code = 2


# -- exit 3: malformed input ---------------------------------------------------------------------


class MalformedInputError(AwardLedgerError):
    """Raised when input (a file, CSV row, key, passphrase, note) fails strict parsing."""

    exit_code = 3


class KeyFileError(MalformedInputError):
    """Raised when a key file cannot be read, is not Ed25519, or the passphrase is wrong."""


class MalformedNoteError(MalformedInputError):
    """Raised when a signed note or checkpoint text does not follow C2SP's grammar."""


class MalformedProofError(MalformedInputError):
    """Raised when a Merkle proof or its parameters are structurally impossible."""


class MalformedReceiptError(MalformedInputError):
    """Raised when a receipt file is not a well-formed receipt."""


# -- exit 4: verification failed -----------------------------------------------------------------


class VerificationError(AwardLedgerError):
    """Raised when input parses fine but is not trustworthy."""

    exit_code = 4


class SignatureError(VerificationError):
    """Raised when an Ed25519 signature does not verify over the exact stored bytes."""


class RootMismatchError(VerificationError):
    """Raised when a Merkle root computed from data differs from the expected root."""

    def __init__(self, expected: bytes, calculated: bytes, what: str = "root mismatch") -> None:
        super().__init__(f"{what}: expected {expected.hex()}, calculated {calculated.hex()}")
        self.expected = expected
        self.calculated = calculated


class ConsistencyError(VerificationError):
    """Raised when two tree states are not consistent (a fork, rollback or rewritten history)."""


class CheckpointError(VerificationError):
    """Raised when a checkpoint is unsigned, signed by an unknown key, or names another log."""


class WitnessConflictError(ConsistencyError):
    """Raised by a witness whose state disagrees with a request: `size` is the size it last
    cosigned when the request's old size is stale (the caller may retry from it), None when the
    checkpoint forks the log at the size it already cosigned (c2sp.org/tlog-witness 409)."""

    def __init__(self, message: str, size: int | None) -> None:
        super().__init__(message)
        self.size = size


# -- exit 5: storage or concurrency --------------------------------------------------------------


class StorageError(AwardLedgerError):
    """Raised when the database cannot be opened, read or written."""

    exit_code = 5


class LedgerNotInitialisedError(StorageError):
    """Raised when a command needs a ledger that is not there: no such database file or
    tables, or no genesis yet. A storage failure (exit 5), not a rule: nothing was asked of
    the domain."""

    def diagnostics(self) -> str:
        return f"{self}; run 'awards init --origin ORIGIN --operator NAME --key OPERATOR.key'"


class ConcurrencyError(StorageError):
    """Raised when a concurrent writer won a conflict and retrying did not succeed."""


# -- workflow errors (movements, sessions, decisions) --------------------------------------------


class UnknownCriterionError(NotFoundError):
    """Raised when a score names a criterion the movement was not launched with."""


class ScoreOutOfRangeError(DomainError):
    """Raised when score points fall outside 0..max_points of their criterion."""


class UnsuitableAwardError(DomainError):
    """Raised when an award kind does not suit its recipient (a person title for a unit, ...)."""


class ConflictOfInterestError(DomainError):
    """Raised when someone scores or votes on themselves or on their own unit."""


class OutOfOrderError(DomainError):
    """Raised when a step comes before the step it needs (registration, review, decision)."""


class SessionClosedError(OutOfOrderError):
    """Raised when a vote, ballot, tally or close arrives after the session was closed."""


class BallotModeError(DomainError):
    """Raised when an open-mode command meets a secret session, or the reverse."""


class NotSessionMemberError(DomainError):
    """Raised when a signer who is not on the session's roster votes or casts a ballot."""


class AlreadyVotedError(AlreadyExistsError):
    """Raised when a member votes or casts a ballot a second time in one session."""


class TallyError(DomainError):
    """Raised when a tally does not fit its session (nominees, counts, quorum, a second tally)."""


class NotCompetentError(DomainError):
    """Raised when an authority annuls an award kind outside its competence list."""


class AlreadyAnnulledError(DomainError):
    """Raised when a recipient's award in a decision is annulled a second time."""


class RecoveryNotDueError(DomainError):
    """Raised when a recovery is recorded for something no annulment says is to be recovered."""


class AlreadyRecoveredError(AlreadyExistsError):
    """Raised when a recovery is recorded for an item already recovered in full."""
