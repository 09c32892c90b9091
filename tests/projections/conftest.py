"""Fixtures: the scenario ledger (tests/projections/builder.py) on each backend, a shared
read-only copy on SQLite, and the scenario's events without any ledger."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from demo.build import build_demo
from domain.base import DomainEvent
from ledger.application import LedgerApp, open_ledger
from ledger.keys import generate_key, raw_public_key
from ledger.usecases import registry
from projections.stream import EventMeta
from tests.conftest import POSTGRES_ENV, Keys
from tests.projections.builder import MemorySink, Written, build, recorded
from tests.projections.path_ledger import path_ledger
from tests.world import World

Template = tuple[Path, Written, dict[str, Ed25519PrivateKey]]


@dataclass
class Scenario:
    """A ledger holding the scenario, where its events landed, and every signer's key."""

    app: LedgerApp
    url: str
    written: Written
    keys: dict[str, Ed25519PrivateKey]

    @property
    def op_public(self) -> bytes:
        return raw_public_key(self.keys["op"])


@pytest.fixture
def scenario(ledger_url: str, apps: Callable[[str], LedgerApp]) -> Scenario:
    """The scenario written into a fresh ledger, on SQLite and (when configured) PostgreSQL:
    for tests that write more events."""
    app = apps(ledger_url)
    written, keys = build(app, generate_key(), generate_key())
    return Scenario(app, ledger_url, written, keys)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    """The scenario on each backend, built once per worker: for tests that only read (they may
    store views under their own names, never write events)."""
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("shared") / "ledger.db")
    else:
        base = os.environ.get(POSTGRES_ENV)
        if not base:
            pytest.skip(f"{POSTGRES_ENV} not set: PostgreSQL tests skipped")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        url = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    app = open_ledger(url)
    written, keys = build(app, generate_key(), generate_key())
    yield Scenario(app, url, written, keys)
    app.close()
    if request.param == "postgres":
        import psycopg

        with psycopg.connect(str(base), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("scenario")
    app = open_ledger(str(folder / "ledger.db"))
    written, keys = build(app, generate_key(), generate_key())
    app.close()
    return folder / "ledger.db", written, keys


@pytest.fixture
def sqlite_scenario(
    _template: Template,
    tmp_path: Path,
) -> Iterator[Scenario]:
    """A private copy of the scenario ledger on SQLite (cheap: copied, not rebuilt)."""
    source, written, keys = _template
    target = tmp_path / "ledger.db"
    shutil.copyfile(source, target)
    app = open_ledger(str(target))
    yield Scenario(app, str(target), written, keys)
    app.close()


@pytest.fixture(scope="session")
def events() -> tuple[Written, list[tuple[DomainEvent, EventMeta]]]:
    """The scenario's events, hand-built (no ledger), with seq, append time and signer."""
    written, sink = recorded()
    return written, sink.pairs


__all__ = ["MemorySink", "Scenario"]


# every movement the demo launches (demo/scenarios/)
DEMO_MOVEMENTS = ("TD-VPQH-2020", "TD-BTB-2019-H1", "DH-VPTW-2015-2020", "DH-VPTW-2020-2025")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerApp]:
    """The demo's ledger (demo/build.py: the seed scenarios, a checkpoint), built once per
    module: for tests that only read it."""
    out = tmp_path_factory.mktemp("demo")
    build_demo(out)
    app = open_ledger(str(out / "ledger.db"))
    yield app
    app.close()


@pytest.fixture
def proposed(
    ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path
) -> World:
    """tests/projections/path_ledger.py's ledger (a proposal part way up its path, under
    public comment, with an objection), and a checkpoint over it."""
    world = path_ledger(apps(ledger_url), keys, tmp_path / "world-keys")
    registry.sign_new_checkpoint(world.app, keys.op)
    return world
