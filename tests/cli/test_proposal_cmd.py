"""The proposal path through the CLI (given/when/then): a department proposes, the ministry
returns it, the department resubmits, the ministry and the Central Board endorse it up to the
Prime Minister, the list goes to public comment over Tết, an objection is dismissed, and the
decision on the proposal passes; every refusal is one `error:` line, its exit code, and
nothing recorded. `proposal show` tells each step with its working-day clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ledger.application import LedgerApp
from tests.conftest import Cli, Keys, RawRows, one_error_line
from tests.proposal_world import AWARD, M, path_world
from tests.world import World

SQLITE_ONLY = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)


@pytest.fixture
def world(ledger_url: str, keys: Keys, apps: Callable[[str], LedgerApp], tmp_path: Path) -> World:
    return path_world(apps(ledger_url), keys, tmp_path / "world-keys")


def run(awards: Cli, world: World, signer: str, *args: str) -> Result:
    return awards(*args, "--key", str(world.key_file(signer)))


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def refused(raw: RawRows, code: int, words: str, command: Callable[[], Result]) -> str:
    """Then: one `error:` line containing `words`, exit `code`, and nothing recorded."""
    before = raw.snapshot()
    result = command()
    assert result.exit_code == code, (result.exit_code, result.stderr)
    line = one_error_line(result)
    assert words in line, line
    assert raw.snapshot() == before
    return line


def dossier(awards: Cli, world: World, tmp_path: Path) -> list[Path]:
    """Given: VU's Form 01, achievement report (Form 05) and minutes for TT-1, recorded as
    documents (once): the dossier rule `dossier` asks of every award kind."""
    files = []
    for name, kind in (("to-trinh.pdf", "to_trinh_mau_01"), ("mau-05.pdf", "bao_cao_mau_05"),
                       ("bien-ban.pdf", "minutes")):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(f"{kind} of TT-1".encode())
        if awards("document", "check", str(path)).exit_code != 0:
            ok(run(awards, world, "sec-vu", "document", "add", str(path), "--kind", kind,
                   "--for", "TT-1", "--at", "2026-02-02T08:00"))  # fmt: skip
        files.append(path)
    return files


def propose(awards: Cli, world: World, tmp_path: Path, *more: str) -> Result:
    form = dossier(awards, world, tmp_path)[0]  # the others are recorded --for TT-1
    return run(
        awards, world, "sec-vu", "propose", "TT-1", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--nominee", "P8", "--to", "BO", "--document", str(form),
        "--at", "2026-02-02T09:00", *more,
    )  # fmt: skip


def to_pm(awards: Cli, world: World, tmp_path: Path) -> None:
    """Given: TT-1 proposed, endorsed by BO to BAN, and by BAN to the Prime Minister."""
    ok(propose(awards, world, tmp_path))
    ok(run(awards, world, "sec-bo", "endorse", "TT-1", "--to", "BAN", "--at", "2026-02-05T09:00"))
    ok(run(awards, world, "sec-ban", "endorse", "TT-1", "--to", "authority:pm",
           "--at", "2026-02-12T09:00"))  # fmt: skip


def decide(awards: Cli, world: World, *more: str) -> Result:
    return run(
        awards, world, "pm", "decide", "QĐ-9", "--movement", M, "--award", AWARD,
        "--proposal", "TT-1", "--date", "2026-03-06", "--at", "2026-03-06T10:00", *more,
    )  # fmt: skip


def test_a_proposal_travels_up_with_a_return_comment_over_tet_and_a_dismissed_objection(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    # given VU's secretary proposes P7 and P8 to the ministry with its Form 01
    proposed = ok(propose(awards, world, tmp_path))
    assert proposed.stdout.startswith("proposal TT-1: certificate_of_merit_pm for 2 nominees to BO")
    # when the ministry returns it 8 working days later (its limit is 5: late)
    ok(run(awards, world, "sec-bo", "return", "TT-1", "--reason", "Thiếu báo cáo Mẫu 05",
           "--at", "2026-02-12T09:00"))  # fmt: skip
    # and VU resubmits it with a complete report: back to BO, who endorses it to the Board
    report = tmp_path / "mau-05-bo-sung.pdf"
    report.write_bytes(b"bao cao thanh tich day du")
    ok(run(awards, world, "sec-vu", "document", "add", str(report), "--kind", "bao_cao_mau_05",
           "--for", "TT-1", "--at", "2026-02-13T08:00"))  # fmt: skip
    ok(run(awards, world, "sec-vu", "resubmit", "TT-1", "--document", str(report),
           "--at", "2026-02-13T09:00"))  # fmt: skip
    ok(run(awards, world, "sec-bo", "endorse", "TT-1", "--to", "BAN", "--at", "2026-02-23T09:00"))
    ok(run(awards, world, "sec-ban", "endorse", "TT-1", "--to", "authority:pm",
           "--at", "2026-02-24T09:00"))  # fmt: skip
    # when the PM's office opens public comment for 3 working days
    opened = ok(run(awards, world, "pm", "comment", "open", "TT-1", "--days", "3",
                    "--at", "2026-02-24T10:00"))  # fmt: skip
    assert "open for comment for 3 working days" in opened.stdout
    # and a letter objects to P8: it is recorded as a document and numbered TT-1-O1
    letter = tmp_path / "don.txt"
    letter.write_bytes("Ông Nam chưa đủ tiêu chuẩn".encode())
    raised = ok(run(awards, world, "sec-ban", "objection", "add", "TT-1", "--about", "P8",
                    "--channel", "letter", "--document", str(letter), "--at",
                    "2026-02-25T09:00", "--json"))  # fmt: skip
    assert json.loads(raised.stdout)["objection"] == "TT-1-O1"
    held = ok(awards("document", "check", str(letter), "--json"))
    assert json.loads(held.stdout)["kind"] == "objection"
    # then deciding before the period ends, or with the objection open, is refused
    line = refused(raw, 1, "rule", lambda: decide(awards, world, "--date", "2026-02-27",
                                                 "--at", "2026-02-27T10:00"))  # fmt: skip
    assert "runs until 2026-02-27" in line and "TT-1-O1 about P8 is not resolved" in line
    # when the objection is dismissed, the decision on the proposal passes
    ok(run(awards, world, "pm", "objection", "resolve", "TT-1-O1", "--outcome", "dismissed",
           "--reason", "Không có căn cứ", "--at", "2026-03-02T09:00"))  # fmt: skip
    decided = ok(decide(awards, world, "--json"))
    assert json.loads(decided.stdout)["overridden"] == []
    # and the PM's office forwards the decision 11 working days later (its limit is 10: late)
    ok(run(awards, world, "pm", "forward", "TT-1", "--at", "2026-03-23T09:00"))
    refused(raw, 1, "already forwarded", lambda: run(awards, world, "pm", "forward", "TT-1"))
    # and `proposal show` tells every step, the late return and the comment
    shown = json.loads(ok(awards("proposal", "show", "TT-1", "--json")).stdout)["proposal"]
    assert shown["status"] == "decided" and shown["decision"] == "QĐ-9"
    steps = [(s["holder"], s["action"], s["limit_step"], s["working_days"], s["late"])
             for s in shown["steps"]]  # fmt: skip
    assert steps == [
        ("BO", "returned", "return_incomplete", 8, True),  # 2 Feb → 12 Feb, limit 5
        ("VU", "resubmitted", None, None, False),
        ("BO", "endorsed", "appraise_and_submit", 1, False),  # 13 Feb → 23 Feb: Tết between
        ("BAN", "endorsed", "appraise_and_submit", 1, False),
        ("authority:pm", "decided", "appraise_and_submit", 8, False),
        ("authority:pm", "forwarded", "forward_decision", 11, True),  # 6 → 23 March
    ]
    assert shown["late_steps"] == 2
    assert shown["comment"]["ends"] == "2026-02-27"
    [objection] = shown["objections"]
    assert (objection["outcome"], objection["resolved_by"]) == ("dismissed", "pm")
    text = ok(awards("proposal", "show", "TT-1")).stdout
    assert "BO  2026-02-02T09:00:00+07:00  2026-02-12T09:00:00+07:00  returned  sec-bo" in text
    assert "LATE" in text and "reason: Thiếu báo cáo Mẫu 05" in text
    # and P8's history tells the path and the objection, from the index as from the fold
    for history in (awards("history", "P8").stdout,
                    awards("history", "P8", "--as-of", "2026-03-24T12:00").stdout):  # fmt: skip
        assert "proposed by VU for certificate_of_merit_pm (proposal TT-1), sent to BO" in history
        assert "proposal returned by BO: Thiếu báo cáo Mẫu 05" in history
        assert "objection TT-1-O1 raised (letter) to proposal TT-1" in history
        assert "objection dismissed: Không có căn cứ" in history
        assert "proposal decided (decision QĐ-9)" in history
        assert "decision forwarded to the proposing unit" in history
    # and the receipt of the award carries the endorsement chain, which verify-receipt checks
    ok(run(awards, world, "op", "checkpoint"))
    receipt = tmp_path / "receipt.json"
    made = ok(awards("receipt", "QĐ-9", "--recipient", "P7", "--out", str(receipt)))
    assert "with the proposal's endorsement chain, proven: events" in made.stdout
    op_pub = world.key_file("op").with_suffix(".pub")
    checked = ok(awards("verify-receipt", str(receipt), "--operator-pub", str(op_pub), "--json"))
    chain = [(s["type"], s["signer"], s["summary"]) for s in json.loads(checked.stdout)["chain"]]
    assert chain == [
        ("Proposal.Proposed", "sec-vu", "proposed by VU to BO"),
        ("Proposal.Returned", "sec-bo", "returned by BO: Thiếu báo cáo Mẫu 05"),
        ("Proposal.Resubmitted", "sec-vu", "resubmitted to BO"),
        ("Proposal.Endorsed", "sec-bo", "endorsed by BO to BAN"),
        ("Proposal.Endorsed", "sec-ban", "endorsed by BAN to authority:pm"),
        ("Proposal.CommentOpened", "pm", "public comment for 3 working days, until 2026-02-27"),
        ("Proposal.ObjectionNoted", "sec-ban", "objection TT-1-O1 about P8"),
        ("Proposal.Decided", "pm", "decided (decision QĐ-9)"),
    ]
    text = ok(awards("verify-receipt", str(receipt), "--operator-pub", str(op_pub))).stdout
    assert "proposal step, event" in text and "signed by sec-bo: endorsed by BO to BAN" in text
    # a receipt that hides the return, or a signer's registration, no longer verifies (exit 4)
    whole = json.loads(receipt.read_text(encoding="utf-8"))
    for field, drop, words in (
        ("chain", 1, "is not version 2 of the proposal's events"),
        ("chain_registrations", 0, "not registered before it"),
    ):
        edited = {**whole, field: [e for n, e in enumerate(whole[field]) if n != drop]}
        forged = tmp_path / f"forged-{field}.json"
        forged.write_text(json.dumps(edited), encoding="utf-8")
        result = awards("verify-receipt", str(forged), "--operator-pub", str(op_pub))
        assert result.exit_code == 4 and words in one_error_line(result), result.stderr


@SQLITE_ONLY
def test_refusals_along_the_path_record_nothing(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    # a dossier without the achievement report and the minutes: rule dossier, overridable
    form = tmp_path / "chi-to-trinh.pdf"
    form.write_bytes(b"to trinh only")
    ok(run(awards, world, "sec-vu", "document", "add", str(form), "--kind", "to_trinh_mau_01",
           "--for", "TT-0", "--at", "2026-02-02T08:00"))  # fmt: skip
    line = refused(raw, 1, "the dossier of TT-0 for certificate_of_merit_pm lacks "
                   "bao_cao_mau_05, minutes", lambda: run(
        awards, world, "sec-vu", "propose", "TT-0", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--to", "BO", "--at", "2026-02-02T09:00"))  # fmt: skip
    assert "--override dossier=REASON" in line
    # only a unit's secretary proposes, and not to its own unit
    refused(raw, 1, "needs role secretary", lambda: run(
        awards, world, "pm", "propose", "TT-1", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--to", "BO"))  # fmt: skip
    refused(raw, 1, "'sec' has no unit", lambda: run(
        awards, world, "sec", "propose", "TT-1", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--to", "BO"))  # fmt: skip
    refused(raw, 2, "is the proposing unit itself", lambda: run(
        awards, world, "sec-vu", "propose", "TT-1", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--to", "VU"))  # fmt: skip
    refused(raw, 1, "unit 'NOWHERE' (--to) not found", lambda: run(
        awards, world, "sec-vu", "propose", "TT-1", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--to", "NOWHERE"))  # fmt: skip
    refused(raw, 1, "is not recorded; add it with 'awards document add'", lambda: run(
        awards, world, "sec-vu", "propose", "TT-1", "--movement", M, "--award", AWARD,
        "--nominee", "P7", "--to", "BO", "--document", "ab" * 32))  # fmt: skip
    # a hold on P8 blocks the proposal (rule hold), unless overridden
    ok(run(awards, world, "sec", "hold", "add", "H-1", "--subject", "P8", "--kind", "discipline",
           "--reason", "Đang xem xét kỷ luật", "--at", "2026-01-10T09:00"))  # fmt: skip
    dossier(awards, world, tmp_path)
    line = refused(raw, 1, "P8 is under an open hold: H-1 (discipline)",
                   lambda: propose(awards, world, tmp_path))  # fmt: skip
    assert "--override hold=REASON" in line
    ok(propose(awards, world, tmp_path, "--override", "hold=Kỷ luật khiển trách đã hết hạn"))
    # the wrong level cannot endorse; the ministry cannot send it down to VU
    refused(raw, 1, "the file is with unit 'BO'", lambda: run(
        awards, world, "sec-ban", "endorse", "TT-1", "--to", "authority:pm"))  # fmt: skip
    refused(raw, 2, "already been at", lambda: run(
        awards, world, "sec-bo", "endorse", "TT-1", "--to", "VU"))  # fmt: skip
    # endorsing while P8 is held is refused too
    refused(raw, 1, "P8 is under an open hold", lambda: run(
        awards, world, "sec-bo", "endorse", "TT-1", "--to", "BAN"))  # fmt: skip
    ok(run(awards, world, "sec", "hold", "lift", "H-1", "--reason", "Đã xong",
           "--at", "2026-02-03T09:00"))  # fmt: skip
    ok(run(awards, world, "sec-bo", "endorse", "TT-1", "--to", "BAN", "--at", "2026-02-05T09:00"))
    # the PM cannot decide before the chain reaches it
    refused(raw, 1, "has not reached authority 'pm'", lambda: decide(awards, world))
    refused(raw, 1, "only a decision is forwarded", lambda: run(
        awards, world, "pm", "forward", "TT-1"))  # fmt: skip
    # a returned chain cannot be decided, nor endorsed, until resubmitted
    ok(run(awards, world, "sec-ban", "return", "TT-1", "--reason", "Thiếu biên bản",
           "--at", "2026-02-06T09:00"))  # fmt: skip
    refused(raw, 1, "returned to 'VU' and not resubmitted", lambda: run(
        awards, world, "sec-ban", "endorse", "TT-1", "--to", "authority:pm"))  # fmt: skip
    refused(raw, 1, "only a secretary of the proposing unit", lambda: run(
        awards, world, "sec-bo", "resubmit", "TT-1"))  # fmt: skip
    ok(run(awards, world, "sec-vu", "resubmit", "TT-1", "--at", "2026-02-09T09:00"))
    ok(run(awards, world, "sec-ban", "endorse", "TT-1", "--to", "authority:pm",
           "--at", "2026-02-10T09:00"))  # fmt: skip
    # a national kind never put to public comment: refused (rule public_comment)
    refused(raw, 1, "was not put to public comment", lambda: decide(awards, world))
    # the decision must be the proposal's award and nominees
    refused(raw, 2, "P1 not among its nominees", lambda: decide(awards, world, "--recipient", "P1"))
    # bad input to the comment and objection commands
    refused(raw, 2, "--days 0 is not 1 to 60", lambda: run(
        awards, world, "pm", "comment", "open", "TT-1", "--days", "0"))  # fmt: skip
    letter = tmp_path / "don.txt"
    letter.write_bytes(b"khong dung")
    refused(raw, 1, "'P1' is not a nominee", lambda: run(
        awards, world, "sec-ban", "objection", "add", "TT-1", "--about", "P1", "--channel",
        "letter", "--document", str(letter)))  # fmt: skip
    refused(raw, 2, "--channel 'fax'", lambda: run(
        awards, world, "sec-ban", "objection", "add", "TT-1", "--about", "P7", "--channel",
        "fax", "--document", str(letter)))  # fmt: skip
    assert not (Path(str(world.app.location.env.get("SQLITE_DBNAME", "")) + ".documents")
                / __import__("hashlib").sha256(b"khong dung").hexdigest()).exists()  # fmt: skip
    refused(raw, 1, "objection 'TT-1-O9' not found", lambda: run(
        awards, world, "pm", "objection", "resolve", "TT-1-O9", "--outcome", "upheld",
        "--reason", "x"))  # fmt: skip
    # the override is the way past an unpublished list; it is signed into the decision
    decided = ok(decide(awards, world, "--override", "public_comment=Khen thưởng đột xuất",
                        "--json"))  # fmt: skip
    [overridden] = json.loads(decided.stdout)["overridden"]
    assert overridden["rule"] == "public_comment"
    refused(raw, 1, "it was decided by decision 'QĐ-9'", lambda: run(
        awards, world, "sec-ban", "return", "TT-1", "--reason", "x"))  # fmt: skip


def test_an_upheld_objection_bars_its_nominee_but_not_the_others(
    world: World, awards: Cli, raw: RawRows, tmp_path: Path
) -> None:
    to_pm(awards, world, tmp_path)
    ok(run(awards, world, "pm", "comment", "open", "TT-1", "--days", "2",
           "--at", "2026-02-13T09:00"))  # fmt: skip
    letter = tmp_path / "don.txt"
    letter.write_bytes(b"phan anh")
    ok(run(awards, world, "sec-ban", "objection", "add", "TT-1", "--about", "P8", "--channel",
           "hotline", "--document", str(letter), "--hash-only",
           "--at", "2026-02-13T10:00"))  # fmt: skip
    ok(run(awards, world, "pm", "objection", "resolve", "TT-1-O1", "--outcome", "upheld",
           "--reason", "Đúng phản ánh", "--at", "2026-02-26T09:00"))  # fmt: skip
    refused(raw, 1, "objection TT-1-O1 about P8 was upheld", lambda: decide(awards, world))
    ok(decide(awards, world, "--recipient", "P7"))
