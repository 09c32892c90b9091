"""A ledger for the proposal path's use-case and CLI tests: the workflow world (tests/world.py)
plus a unit tree BO (ministry) > VU (department, people P7 and P8), the Central Board BAN,
their secretaries `sec-vu`, `sec-bo`, `sec-ban`, the Prime Minister `pm` (an authority
competent for AWARD, which needs public comment) and movement TD-2026."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.base import Aggregate
from domain.registry import Person, Signer, SignerKey, Unit
from ledger.application import LedgerApp
from ledger.keys import load_private_key, raw_public_key, write_key_pair
from ledger.usecases import workflow
from ledger.usecases.registry import new_person, new_unit
from tests.conftest import Keys
from tests.world import World, at, build_world

M = "TD-2026"
AWARD = "certificate_of_merit_pm"  # needs public comment (domain/regimes/catalogue.toml)
# name: (roles, unit)
PATH_SIGNERS = {
    "sec-vu": (["secretary"], "VU"),
    "sec-bo": (["secretary"], "BO"),
    "sec-ban": (["secretary"], "BAN"),
    "pm": (["authority"], None),
}


def path_world(app: LedgerApp, keys: Keys, key_dir: Path) -> World:
    """The world of the module docstring on the empty ledger `app`."""
    w = build_world(app, keys, key_dir)
    made = {}
    for name in PATH_SIGNERS:
        private, _ = write_key_pair(name, key_dir, None)
        made[name] = load_private_key(private, None)
        w.keys[name], w.files[name] = made[name], private

    def signers(_: Signer) -> list[Aggregate]:
        out: list[Aggregate] = []
        for name, (roles, unit) in PATH_SIGNERS.items():
            public = raw_public_key(made[name])
            competence = [AWARD, "hero_labour"] if name == "pm" else []
            out.append(Signer.register(name, public, roles, unit, competence))
            out.append(SignerKey.claim(public, name))
        return out

    app.write(keys.op, signers)

    def units(_: Signer) -> list[Aggregate]:
        batch: dict[str, Unit] = {}
        new_unit(app, "BO", "Bộ", "agency", None, batch)
        new_unit(app, "VU", "Vụ Tổ chức", "department", "BO", batch)
        new_unit(app, "BAN", "Ban Thi đua - Khen thưởng Trung ương", "agency", None, batch)
        people: dict[str, Person] = {}
        new_person(app, "P7", "Phạm Thị Hoa", "VU", "civil_servant", False, batch, people)
        new_person(app, "P8", "Đỗ Văn Nam", "VU", "civil_servant", False, batch, people)
        return [*batch.values(), *people.values()]

    app.write(keys.sec, units)
    workflow.launch_movement(
        app, keys.sec, M, "Phong trào 2026", start=date(2026, 1, 1), end=date(2026, 12, 31),
        deadline=date(2026, 1, 20), at=at("2026-01-05"),
    )  # fmt: skip
    return w

