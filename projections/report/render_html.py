"""The report as ONE self-contained HTML page: inline CSS (with print rules), inline SVG charts,
no script. Jinja2 with autoescaping: every value from the ledger is escaped."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import jinja2
from markupsafe import Markup

from domain.actor import VIETNAM_TZ, local_date
from projections.awards import AwardRow
from projections.report import charts
from projections.report.details import detail_text
from projections.report.i18n import LABELS, LANGS, term, threshold_text
from projections.report.i18n_page import PAGE_LABELS, RULES_DOC
from projections.report.i18n_path import PATH_LABELS
from projections.report.model import Report, ResultRow, Summary

TEMPLATES = Path(__file__).parent / "templates"
# A page stays readable: at most this many standings rows, and this many nominee rows of the
# tallies, are shown (the page says how many more; JSON and CSV always hold every row).
HTML_ROWS = 1000


@dataclass
class DecisionGroup:
    """One decision and its recipients, for the decisions table."""

    number: str
    date: date
    award: str
    authority: str
    basis: str | None
    override_reason: str | None
    overridden_rules: list[str]
    rows: list[AwardRow] = field(default_factory=list)


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_filters(lang: str) -> dict[str, Any]:
    vi = lang == "vi"

    def day(value: date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y") if vi else value.isoformat()

    def moment(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(VIETNAM_TZ)
        return local.strftime("%d/%m/%Y %H:%M:%S (UTC+7)" if vi else "%Y-%m-%d %H:%M:%S +07:00")

    def num(value: float | int | None) -> str:
        if value is None:
            return ""
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if vi else text

    def pct(value: float | None) -> str:
        if value is None:
            return "—"
        text = f"{value * 100:.1f}"
        return (text.replace(".", ",") if vi else text) + " %"

    def vnd(value: int | None) -> str:
        if value is None:
            return "?"
        text = f"{value:,}"
        return (text.replace(",", ".") if vi else text) + (" đ" if vi else " VND")

    def lday(value: datetime | None) -> str:
        return day(local_date(value)) if value is not None else ""

    def channel_list(channels: list[str]) -> str:
        return ", ".join(term("channel", c, lang) for c in channels)

    return {
        "day": day,
        "lday": lday,
        "channel_list": channel_list,
        "moment": moment,
        "num": num,
        "pct": pct,
        "vnd": vnd,
        "threshold": lambda text: threshold_text(text, lang),
    }


def _groups(rows: list[AwardRow]) -> list[DecisionGroup]:
    groups: dict[str, DecisionGroup] = {}
    for row in rows:
        group = groups.get(row.decision)
        if group is None:
            group = groups[row.decision] = DecisionGroup(
                row.decision,
                row.date,
                row.award,
                row.authority,
                row.basis,
                row.override_reason,
                row.overridden_rules,
            )
        group.rows.append(row)
    return list(groups.values())


def _shown_results(report: Report) -> dict[str, list[ResultRow]]:
    """Each session's nominee rows to show, HTML_ROWS in all, in session order."""
    budget, shown = HTML_ROWS, {}
    for session in report.sessions:
        shown[session.id] = session.results[: max(budget, 0)]
        budget -= len(shown[session.id])
    return shown


def _kinds(s: Summary) -> list[tuple[str, dict[str, int]]]:
    """Award kinds, most awarded first (then by id)."""
    return sorted(s.awards.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))


def _charts(report: Report, lang: str) -> dict[str, Any]:
    labels = LABELS[lang]
    series = [labels["person"], labels["unit"]]
    s = report.summary
    by_kind = [(term("award", award, lang), [c["person"], c["unit"]]) for award, c in _kinds(s)]
    by_level = [
        (term("level", level, lang), [c["person"], c["unit"]])
        for level, c in sorted(s.by_unit_level_kind.items())
    ]
    tallies: dict[tuple[str, str], Markup] = {}
    shown = _shown_results(report)  # once: per session it made this quadratic in sessions
    for session in report.sessions:
        for r in shown[session.id]:
            tallies[(session.id, r.nominee)] = charts.tally_bar(
                f"{session.id}: {r.nominee}",
                r.yes,
                r.no,
                len(session.members),
                session.threshold_share,
                r.passed,
            )
    caption = labels["direct_share"].format(d=s.direct_workers, n=s.persons)
    share = page_filters(lang)["pct"](s.direct_worker_share)
    return {
        "by_kind": charts.stacked_bars(labels["by_kind"], by_kind, series),
        "by_level": charts.stacked_bars(labels["by_level"], by_level, series),
        "direct": charts.share_bar(
            labels["card_direct"], s.direct_workers, s.persons, caption, share
        ),
        "tallies": tallies,
    }


def _again(report: Report) -> str:
    """The time-travel options that make this very report again: its seq, and under an
    effective-time cut also the time asked (within the same events, whatever came later)."""
    a = report.as_of
    if a.clock == "effective" and a.time is not None:
        return f"--as-of {a.time.isoformat()} --at-seq {a.seq}"
    return f"--at-seq {a.seq}"


def _context(
    report: Report, lang: str, rules_doc: str = RULES_DOC, rules_href: str | None = None
) -> dict[str, Any]:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    labels = {**LABELS[lang], **PAGE_LABELS[lang], **PATH_LABELS[lang]}
    cp = report.checkpoint
    n = report.as_of.seq
    ledger = "awards --ledger awards.db"
    commands = [
        (f"{ledger} verify --checkpoint checkpoint.txt --operator-pub operator.pub", "step_verify"),
    ]
    if cp.later_size is not None and n:
        commands.append((f"{ledger} consistency {n} {cp.later_size} --json", "step_later"))
    elif cp.size and cp.size != n:
        commands.append((f"{ledger} consistency {cp.size} {n} --json", "step_consistency"))
    commands.append(
        (f"{ledger} report {report.movement.id} --format json {_again(report)}", "step_report")
    )
    groups = _groups(report.awards)
    issuer = report.movement.issuer
    operator = (issuer.operator if issuer else None) or "—"
    if issuer is not None and issuer.unit:
        ask = labels["who_both"].format(issuer=issuer.name or issuer.unit, operator=operator)
    else:
        ask = labels["who_operator"].format(operator=operator)
    return {
        "ask": ask,
        "r": report,
        "L": labels,
        "lang": lang,
        "t": lambda table, key: term(table, key, lang),
        "groups": groups,
        "kinds": _kinds(report.summary),
        "overrides": [g for g in groups if g.override_reason],
        "late_overrides": [x for x in report.registrations.late if x.override_reason],
        "annulled": [row for row in report.awards if row.annulment is not None],
        "flagged": [row for row in report.awards if row.flags and not row.annulled],
        "violations": sum(1 for c in report.checks if c.status == "violation"),
        "charts": _charts(report, lang),
        "criteria": [(c.id, c.name) for c in report.movement.criteria],
        "criterion_names": {c.id: c.name for c in report.movement.criteria},
        "unit_names": {row.unit: row.unit_name for row in report.awards if row.unit_name},
        "detail": lambda text: detail_text(text, lang),
        "rules_doc": rules_doc,
        "rules_href": rules_href or rules_doc,
        "publication_commands": [
            ("awards verify-publication DIR --operator-pub DIR/operator.pub", "step_publication")
        ],
        "standings": report.standings[:HTML_ROWS],
        "shown": _shown_results(report),
        "commands": commands,
        "formula_text": labels.get(f"formula_{report.movement.formula}")
        or report.movement.formula_text,
        **page_filters(lang),
    }


def html_chunks(
    report: Report, lang: str = "vi", rules_doc: str = RULES_DOC, rules_href: str | None = None
) -> Iterator[str]:
    """The page in pieces, as it is rendered (never the whole page in memory); the rules'
    document is named `rules_doc` and linked at `rules_href` (default: the same path, in the
    source tree; a publication links its own copy)."""
    template = environment().get_template("report.html.j2")
    yield from template.generate(**_context(report, lang, rules_doc, rules_href))


def write_html(report: Report, out: TextIO, lang: str = "vi") -> None:
    """Write the page to a text stream as it is rendered."""
    for chunk in html_chunks(report, lang):
        out.write(chunk)


def render_html(report: Report, lang: str = "vi") -> str:
    """The whole page, in Vietnamese (default) or English."""
    buffer = io.StringIO()
    write_html(report, buffer, lang)
    return buffer.getvalue()
