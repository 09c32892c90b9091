"""What every seed scenario works with: the ledger, the actors' keys, the inputs, the refusals.

Scenarios run the use cases in process, with the effective times (`at`) of the paper records,
and write every CSV and TOML file they import into the demo's inputs/ directory, so a reader
sees exactly what went in. Each scenario enrols its own signers (a key pair written under
keys/, registered by the operator). A command the ledger must refuse (a late registration, a
fighter above the quota, an authority outside its competence) is tried on purpose and its
refusal kept for the summary: nothing of it is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.actor import VIETNAM_TZ
from domain.errors import DomainError
from ledger.application import LedgerApp
from ledger.keys import load_private_key, raw_public_key, write_key_pair
from ledger.usecases import documents, registry
from ledger.usecases.imports import import_csv

OPERATOR = "vu-tccb"
DOCUMENTS = Path(__file__).resolve().parent.parent / "documents"  # the dossiers' files


def at(text: str) -> datetime:
    """A Vietnam-local time: "2020-02-15" (09:00) or "2020-02-15T14:30"."""
    moment = datetime.fromisoformat(text if "T" in text else f"{text}T09:00")
    return moment.replace(tzinfo=VIETNAM_TZ)


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hạnh", "Hương", "Khánh", "Lan", "Linh"]
GIVEN += ["Long", "Mai", "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]


def name_of(n: int) -> str:
    """An invented Vietnamese name, deterministic in `n`."""
    return f"{FAMILY[n % 12]} {MIDDLE[(n // 12) % 7]} {GIVEN[(n * 7) % 22]}"


def new_key(keys_dir: Path, name: str) -> Ed25519PrivateKey:
    """Write NAME.key (0600, unencrypted: a demo) and NAME.pub; return the private key."""
    private_path, _ = write_key_pair(name, keys_dir, None)
    return load_private_key(private_path, None)


@dataclass
class Stage:
    """The demo ledger, the actors' keys, the inputs directory and the refusals seen."""

    app: LedgerApp
    keys_dir: Path
    inputs: Path
    keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # awards flagged by an annulment (rule 9)

    def enrol(
        self,
        name: str,
        roles: Sequence[str],
        unit: str | None = None,
        competence: Sequence[str] = (),
    ) -> None:
        """Make NAME's key pair and register it (by the operator) with roles and competence."""
        key = new_key(self.keys_dir, name)
        self.keys[name] = key
        registry.add_signer(
            self.app, self.keys[OPERATOR], name, raw_public_key(key), roles, unit, competence
        )

    def file(self, name: str, text: str) -> bytes:
        """Write an input file (UTF-8) and return its bytes, as an office would hand it in."""
        path = self.inputs / name
        path.write_text(text, encoding="utf-8")
        return path.read_bytes()

    def csv(self, name: str, header: str, rows: Sequence[Sequence[object]]) -> bytes:
        """Write a CSV input file (cells holding a comma are quoted) and return its bytes."""
        lines = [header]
        for row in rows:
            cells = [str(cell) for cell in row]
            lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
        return self.file(name, "\n".join(lines) + "\n")

    def load(
        self,
        signer: str,
        kind: str,
        name: str,
        header: str,
        rows: Sequence[Sequence[object]],
        movement: str | None = None,
    ) -> None:
        """Write a CSV file of `kind` and import it, signed by `signer`."""
        data = self.csv(name, header, rows)
        import_csv(self.app, self.keys[signer], kind, data, source=name, movement_id=movement)

    def dossier(
        self, signer: str, subject: str, files: Sequence[tuple[str, str]], day: str
    ) -> None:
        """Record each (file of demo/documents/, document kind) for `subject`, by `signer`."""
        for name, kind in files:
            content = (DOCUMENTS / name).read_bytes()
            documents.add(
                self.app, self.keys[signer], content, name=name, kind=kind, subject=subject,
                at=at(day),
            )  # fmt: skip

    def refused(self, what: str, attempt: Callable[[], object]) -> None:
        """Run a command the rules must refuse and keep its message (success is a bug)."""
        try:
            attempt()
        except DomainError as exc:
            self.refusals.append(f"{what}: {exc}")
            return
        raise RuntimeError(f"demo: {what} was accepted but must be refused")
