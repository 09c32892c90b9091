"""The publication's public comment page: every list of award proposals out for public comment
on one day, across the movements — who is proposed, until when, and how to object — as one
self-contained HTML page in Vietnamese or English (the report's style and words, the same
Jinja2 autoescaping). `awards publish` writes it as ``comment.vi.html`` and
``comment.en.html`` (projections/publication.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.report.i18n import LABELS, LANGS, term
from projections.report.i18n_page import PAGE_LABELS
from projections.report.i18n_path import PATH_LABELS
from projections.report.paths import OpenForComment
from projections.report.render_html import environment, page_filters


@dataclass(frozen=True)
class CommentGroup:
    """One movement's lists open for comment, and the folder of its report."""

    movement: str
    name: str
    folder: str
    items: list[OpenForComment]


def comment_page(
    groups: list[CommentGroup], day: date, origin: str, size: int, lang: str = "vi"
) -> str:
    """The page (see the module docstring); `day` is the day the lists are open on."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    filters = page_filters(lang)
    return environment().get_template("comment.html.j2").render(
        L={**LABELS[lang], **PAGE_LABELS[lang], **PATH_LABELS[lang]},
        lang=lang,
        t=lambda table, key: term(table, key, lang),
        groups=groups,
        today=filters["day"](day),
        origin=origin,
        size=size,
        **filters,
    )
