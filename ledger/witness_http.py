"""The c2sp.org/tlog-witness HTTP protocol: the add-checkpoint request, a witness server, and
the client the operator uses to collect cosignatures.

Request (POST ``/add-checkpoint``)::

    old <decimal size>\\n
    <base64 consistency proof hash>\\n      (zero or more)
    \\n
    <signed checkpoint note>

Answers: 200 with the witness's cosignature line(s); 409 ``text/x.tlog.size`` with the size it
last cosigned when ``old`` is stale (409 plain text for a fork at that size); 422 when the
proof does not verify; 403 when the operator key did not sign the checkpoint; 400 for a
malformed request (or ``old`` above the checkpoint size); 404 for any other path; 405 for
another method; 413 above `MAX_BODY` bytes. The checks are `ledger.witness`'s, one
implementation for files and HTTP.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.errors import (
    AwardLedgerError,
    CheckpointError,
    ConsistencyError,
    MalformedInputError,
    SignatureError,
    WitnessConflictError,
)
from ledger.note import NoteSignature, SignedNote
from ledger.witness import WitnessState, witness_add_checkpoint

ADD_CHECKPOINT = "/add-checkpoint"
SIZE_TYPE = "text/x.tlog.size"
MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63
_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,18})")


@dataclass(frozen=True)
class AddCheckpointRequest:
    """A parsed add-checkpoint body."""

    old_size: int
    proof: list[bytes]
    note: bytes


def encode_request(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """The add-checkpoint body for `note` from `old_size`."""
    lines = [f"old {old_size}\n"] + [base64.b64encode(h).decode() + "\n" for h in proof]
    return ("".join(lines) + "\n" + note).encode("utf-8")


def parse_request(body: bytes) -> AddCheckpointRequest:
    """Parse an add-checkpoint body strictly. Raises MalformedInputError."""
    head, sep, note = body.partition(b"\n\n")
    if not sep or not note:
        raise MalformedInputError("add-checkpoint: no empty line before the checkpoint")
    try:
        lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError as exc:
        raise MalformedInputError("add-checkpoint: the header is not ASCII") from exc
    first = lines[0]
    if not first.startswith("old ") or not _DECIMAL.fullmatch(first[4:]):
        raise MalformedInputError("add-checkpoint: the first line is not 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedInputError("add-checkpoint: too many consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedInputError("add-checkpoint: a proof line is not base64") from exc
        if len(digest) != 32 or base64.b64encode(digest).decode() != line:
            raise MalformedInputError("add-checkpoint: a proof line is not a 32-byte hash")
        proof.append(digest)
    return AddCheckpointRequest(int(first[4:]), proof, note)


@dataclass(frozen=True)
class WitnessConfig:
    """What a witness server signs with and trusts."""

    name: str
    key: Ed25519PrivateKey
    operator_key: bytes
    state: WitnessState


def answer(config: WitnessConfig, body: bytes) -> tuple[int, str, bytes]:
    """(status, content type, body) for one add-checkpoint request body."""
    try:
        request = parse_request(body)
        cosigned = witness_add_checkpoint(
            request.note,
            request.old_size,
            request.proof,
            config.state,
            config.name,
            config.key,
            config.operator_key,
        )
    except WitnessConflictError as exc:
        if exc.size is None:
            return 409, "text/plain; charset=utf-8", f"{exc}\n".encode()
        return 409, SIZE_TYPE, f"{exc.size}\n".encode()
    except (CheckpointError, SignatureError) as exc:
        return 403, "text/plain; charset=utf-8", f"{exc}\n".encode()
    except ConsistencyError as exc:
        return 422, "text/plain; charset=utf-8", f"{exc}\n".encode()
    except MalformedInputError as exc:
        return 400, "text/plain; charset=utf-8", f"{exc}\n".encode()
    mine = [s for s in cosigned.signatures if s.name == config.name]
    return 200, "text/plain; charset=utf-8", "".join(s.to_line() for s in mine[-1:]).encode()


class _Handler(BaseHTTPRequestHandler):
    server: WitnessServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send its request (no slow-drip holds a thread)

    def do_POST(self) -> None:
        if self.path != ADD_CHECKPOINT:
            self._reply(404, "text/plain", b"not found\n")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._reply(411, "text/plain", b"Content-Length required\n")
            return
        if length < 0 or length > MAX_BODY:
            self._reply(413, "text/plain", b"request body too large\n")
            return
        body = self.rfile.read(length)
        try:
            self._reply(*answer(self.server.config, body))
        except AwardLedgerError as exc:  # the state file could not be read or written
            self._reply(500, "text/plain; charset=utf-8", f"{exc}\n".encode())

    def do_GET(self) -> None:
        status = 405 if self.path == ADD_CHECKPOINT else 404
        self._reply(status, "text/plain", b"not found\n" if status == 404 else b"use POST\n")

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status >= 400:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        self.server.log(f"{self.address_string()} {format % args}")


class WitnessServer(ThreadingHTTPServer):
    """A threaded tlog-witness server; `serve_forever` until `shutdown`."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], config: WitnessConfig, log: Callable[[str], None]
    ) -> None:
        super().__init__(address, _Handler)
        self.config = config
        self.log = log


# -- the client ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WitnessAnswer:
    """What one witness said: its cosignature lines, or why there are none."""

    url: str
    lines: tuple[NoteSignature, ...] = ()
    problem: str | None = None


def ask_witness(
    url: str,
    note: str,
    old_size: int,
    proof_for: Callable[[int], list[bytes]],
    timeout: float = 10.0,
) -> WitnessAnswer:
    """Ask the witness at `url` (its add-checkpoint URL or its base URL) to cosign `note`,
    from `old_size`; on a 409 with a size, retry once from that size. Never raises for what the
    witness does: a refusal or an outage is the answer's `problem`."""
    endpoint = url if url.rstrip("/").endswith(ADD_CHECKPOINT) else url.rstrip("/") + ADD_CHECKPOINT
    size = SignedNote.from_text(note).text.split("\n")[1]
    for attempt in range(2):
        try:
            proof = proof_for(old_size) if old_size else []
        except AwardLedgerError as exc:
            return WitnessAnswer(url, problem=f"no consistency proof from size {old_size}: {exc}")
        status, content_type, body = _post(endpoint, encode_request(old_size, proof, note), timeout)
        if status == 200:
            return _cosignatures(url, note, body)
        if status == 409 and content_type == SIZE_TYPE and attempt == 0:
            text = body.decode("ascii", errors="replace")
            if text.endswith("\n") and _DECIMAL.fullmatch(text[:-1]):
                witness_size = int(text[:-1])
                if witness_size <= int(size) and witness_size != old_size:
                    old_size = witness_size
                    continue
                return WitnessAnswer(
                    url, problem=f"refused: it has cosigned size {witness_size} (ours {size})"
                )
        if status == 0:
            return WitnessAnswer(url, problem=body.decode("utf-8", errors="replace"))
        reason = body.decode("utf-8", errors="replace").strip().splitlines()
        return WitnessAnswer(
            url, problem=f"refused with HTTP {status}" + (f": {reason[0]}" if reason else "")
        )
    return WitnessAnswer(url, problem="refused twice")  # pragma: no cover - loop returns


def _post(endpoint: str, body: bytes, timeout: float) -> tuple[int, str, bytes]:
    """(status, content type, body); status 0 and the reason when no answer came."""
    request = urllib.request.Request(
        endpoint, data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get_content_type(), response.read(MAX_BODY)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read(MAX_BODY)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return 0, "", f"unreachable: {reason}".encode()


def _cosignatures(url: str, note: str, body: bytes) -> WitnessAnswer:
    """The signature lines of a 200 answer, parsed as note signature lines."""
    try:
        text = SignedNote.from_text(note).text
        lines = SignedNote.from_text(text + "\n" + body.decode()).signatures
    except (AwardLedgerError, UnicodeDecodeError):
        return WitnessAnswer(url, problem="answered 200 without valid cosignature lines")
    if not lines:
        return WitnessAnswer(url, problem="answered 200 without cosignature lines")
    return WitnessAnswer(url, lines=tuple(lines))
