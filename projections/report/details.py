"""The checks' details and the cascade's flags, in the page's language.

`projections/compliance.py` writes each finding's `detail` in English, and a decision signed
under an override carries its rule messages (domain/rules.py) in English too: the JSON and CSV
keep those exactly as made or signed. The Vietnamese page shows them in Vietnamese: each
English sentence shape below is matched whole and rewritten, its award kinds, grounds and rules
named in words, its times and dates as the page writes them.
A detail no shape matches is shown as it is, marked as the ledger's own English words
(`UNTRANSLATED`); tests/projections/test_report_vietnamese.py fails on any such detail of the
test scenarios, so a new message shape there is caught.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from domain.actor import VIETNAM_TZ
from projections.report.i18n import TABLES, term

UNTRANSLATED = "(nguyên văn trong sổ cái) "

# (English shape, Vietnamese shape). `{name}` matches any text; names decide how a value is
# shown: award*/needed -> award kind, ground -> ground, rule -> rule, moment* -> date and time,
# day* -> date, message -> translated again (a message inside a message).
SHAPES: list[tuple[str, str]] = [
    # compliance.py: a rule re-run on a decision, named with it (first: no other shape ends so,
    # and an inner shape ending in free text would otherwise swallow the suffix)
    ("{message} (decision {decision})", "{message} (quyết định {decision})"),
    # compliance.py: what the read models show now
    ("no finding", "không phát hiện vi phạm"),
    ("{n} decisions checked", "đã kiểm tra {n} quyết định"),
    ("{n} registrations, none late", "{n} đăng ký, không có đăng ký sau hạn"),
    (
        "registered {moment} (appended {moment2}), after the deadline {day}",
        "đăng ký lúc {moment} (ghi vào sổ cái lúc {moment2}), sau hạn {day}",
    ),
    (
        "scorer {who} appraised itself or its own unit {subject}",
        "người chấm {who} đã thẩm định chính mình hoặc đơn vị mình {subject}",
    ),
    (
        "member {who} voted on itself or its own unit in session {session}",
        "thành viên {who} đã biểu quyết về chính mình hoặc đơn vị mình trong phiên {session}",
    ),
    (
        "{award} by decision {decision} rests on self scores only",
        "{award} theo quyết định {decision} chỉ dựa trên điểm tự chấm",
    ),
    # the rule's own message (signed under an override) before compliance's shorter one, whose
    # free "({decision})" would swallow its competence list
    (
        "authority {who} may not decide {award} (competence: {awards})",
        "người có thẩm quyền {who} không được quyết định {award} (thẩm quyền: {awards})",
    ),
    (
        "authority {who} may not decide {award} ({decision})",
        "người có thẩm quyền {who} không được quyết định {award} ({decision})",
    ),
    ("basis of {decision} not found", "không tìm thấy phiên căn cứ của quyết định {decision}"),
    # domain/proposal.py: rule public_comment, signed into a decision made under its override
    (
        "proposal {proposal} ({award}) was not put to public comment",
        "đề nghị {proposal} ({award}) chưa được đưa ra lấy ý kiến công khai",
    ),
    (
        "the public comment on proposal {proposal} runs until {day}",
        "việc lấy ý kiến công khai về đề nghị {proposal} còn kéo dài đến hết ngày {day}",
    ),
    (
        "objection {objection} about {subject} is not resolved",
        "ý kiến phản ánh {objection} về {subject} chưa được giải quyết",
    ),
    (
        "objection {objection} about {subject} was upheld",
        "ý kiến phản ánh {objection} về {subject} đã được kết luận là có cơ sở",
    ),
    (
        "decision {decision} of {day} before its basis {session} closed",
        "quyết định {decision} ngày {day} ban hành trước khi phiên căn cứ {session} kết thúc",
    ),
    (
        "{subject} did not pass basis session {session} of decision {decision}",
        "{subject} không đạt tại phiên căn cứ {session} của quyết định {decision}",
    ),
    (
        "{award} for {year} twice: {decision} and {decision2}",
        "{award} năm {year} hai lần: {decision} và {decision2}",
    ),
    (
        "{award} of decision {decision} annulled ({ground}): {reason}",
        "{award} theo quyết định {decision} đã bị hủy bỏ ({ground}): {reason}",
    ),
    (
        "{award} of decision {decision} relied on the award annulled in {decision2}: {message}",
        "{award} theo quyết định {decision} dựa trên khen thưởng đã bị hủy bỏ trong quyết định "
        "{decision2}: {message}",
    ),
    (
        "{n} {award} for {m} {award2} in {year}: at most {limit} within {share}; "
        "{k} of the fighters flagged by an annulment (rule 9)",
        "{n} {award} trên {m} {award2} năm {year}: tối đa {limit} theo tỷ lệ {share}; "
        "{k} trong số đó cần xem xét lại do hủy bỏ khen thưởng (quy tắc 9)",
    ),
    (
        "{n} {award} for {m} {award2} in {year}: at most {limit} within {share}",
        "{n} {award} trên {m} {award2} năm {year}: tối đa {limit} theo tỷ lệ {share}",
    ),
    # compliance.py: quota use under the regimes, and re-run rules with their decision
    (
        "{n} {award} for {m} {award2} in {year}: no quota in regime {regime} nor in the "
        "rulebook; {k} of the fighters flagged by an annulment (rule 9)",
        "{n} {award} trên {m} {award2} năm {year}: không có tỷ lệ trong chế độ {regime} lẫn "
        "quy chế; {k} trong số đó cần xem xét lại do hủy bỏ khen thưởng (quy tắc 9)",
    ),
    (
        "{n} {award} for {m} {award2} in {year}: no quota in regime {regime} nor in the rulebook",
        "{n} {award} trên {m} {award2} năm {year}: không có tỷ lệ trong chế độ {regime} lẫn "
        "quy chế",
    ),
    (
        "{n} {award} for {m} {award2} in {year}: beyond the statute's quota {share} (regime "
        "{regime}); the rulebook's {share2} does not loosen the statute",
        "{n} {award} trên {m} {award2} năm {year}: vượt tỷ lệ {share} theo luật (chế độ "
        "{regime}); tỷ lệ {share2} của quy chế không nới lỏng được luật",
    ),
    # awards.py: a flag of the annulment cascade
    (
        "{message} (after the annulment in decision {decision} of {subject})",
        "{message} (sau khi hủy bỏ khen thưởng trong quyết định {decision} của {subject})",
    ),
    # domain/law.py, domain/rules.py, domain/prerequisites.py: the law of the decision's date
    (
        "unit {subject} would have {n} {award} for {m} {award2} in {year}, above the statute's "
        "quota {share} ({regime}: {citation}); the rulebook's {share2} cannot loosen it",
        "đơn vị {subject} sẽ có {n} {award} trên {m} {award2} năm {year}, vượt tỷ lệ {share} "
        "theo luật ({regime}: {citation}); tỷ lệ {share2} của quy chế không nới lỏng được luật",
    ),
    (
        "unit {subject} would have {n} {award} for {m} {award2} in {year}, above the statute's "
        "quota {share}",
        "đơn vị {subject} sẽ có {n} {award} trên {m} {award2} năm {year}, vượt tỷ lệ {share} "
        "theo luật",
    ),
    (
        "unit {subject} would have {n} {award} for {m} {award2} in {year}, above the rulebook's "
        "quota {share}",
        "đơn vị {subject} sẽ có {n} {award} trên {m} {award2} năm {year}, vượt tỷ lệ {share} "
        "theo quy chế",
    ),
    (
        "recipient {subject} passed session {session} with {yes} yes of {members} members, "
        "short of {threshold} and {n} of {members2} members present, short of {share} required "
        "by the statute ({regime}: {citation})",
        "{subject} đạt tại phiên {session} với {yes} phiếu đồng ý trên {members} thành viên, "
        "chưa đủ {threshold}, và {n} trên {members2} thành viên có mặt, chưa đủ túc số {share} "
        "theo luật ({regime}: {citation})",
    ),
    (
        "recipient {subject} passed session {session} with {yes} yes of {members} members, "
        "short of {threshold} required by the statute ({regime}: {citation})",
        "{subject} đạt tại phiên {session} với {yes} phiếu đồng ý trên {members} thành viên, "
        "chưa đủ {threshold} theo luật ({regime}: {citation})",
    ),
    (
        "recipient {subject} passed session {session} with {n} of {members} members present, "
        "short of {share} required by the statute ({regime}: {citation})",
        "{subject} đạt tại phiên {session} với {n} trên {members} thành viên có mặt, chưa đủ "
        "túc số {share} theo luật ({regime}: {citation})",
    ),
    (
        "session {session} voted openly, but the statute ({regime}: {citation}) requires a "
        "secret ballot for {award}",
        "phiên {session} biểu quyết công khai, nhưng luật ({regime}: {citation}) yêu cầu bỏ "
        "phiếu kín đối với {award}",
    ),
    (
        "authority {who}: an authority of {unitlevel} level may decide only {awards} (regime "
        "{regime}), not {award}",
        "người có thẩm quyền {who}: người có thẩm quyền {unitlevel} chỉ được quyết định "
        "{awards} (chế độ {regime}), không được quyết định {award}",
    ),
    (
        "authority {who}: authorities of {unitlevel} level no longer exist (regime {regime})",
        "người có thẩm quyền {who}: không còn người có thẩm quyền {unitlevel} (chế độ {regime})",
    ),
    (
        "authority {who}: a decision dated {day} lies outside its competence period {day2} – "
        "{day3}",
        "người có thẩm quyền {who}: quyết định ngày {day} nằm ngoài thời hạn thẩm quyền từ "
        "{day2} đến {day3}",
    ),
    (
        "authority {who}: its unit {unit} was merged into {unit2} on {day}; decisions from then "
        "are its successor's",
        "người có thẩm quyền {who}: đơn vị {unit} đã hợp nhất vào {unit2} từ ngày {day}; các "
        "quyết định từ ngày đó thuộc đơn vị kế thừa",
    ),
    (
        "recipient {subject} has no recognised initiative of {scope} scope or {award} for "
        "{years} (regime {regime})",
        "{subject} không có sáng kiến được công nhận phạm vi {scope} hoặc {award} năm {years} "
        "(chế độ {regime})",
    ),
    (
        "recipient {subject} has no recognised initiative of {scope} scope for {years} (regime "
        "{regime})",
        "{subject} không có sáng kiến được công nhận phạm vi {scope} năm {years} (chế độ "
        "{regime})",
    ),
    (
        "recipient {subject} has no initiative left for {award}: {initiative} is already the "
        "basis of decision {decision} (one initiative, one award)",
        "{subject} không còn sáng kiến cho {award}: {initiative} đã là căn cứ của quyết định "
        "{decision} (mỗi sáng kiến chỉ làm căn cứ cho một lần khen)",
    ),
    # domain/rules.py: the messages signed into decisions recorded under an override
    ("{award} is a title and needs a basis session", "{award} là danh hiệu, cần phiên bình xét"),
    (
        "basis session {session} reviewed {award} in movement {movement}, not {award2} in "
        "{movement2}",
        "phiên căn cứ {session} xét {award} trong phong trào {movement}, không phải {award2} "
        "trong {movement2}",
    ),
    ("basis session {session} is not closed", "phiên căn cứ {session} chưa kết thúc"),
    (
        "decision dated {day} is before its basis session {session} closed on {day2}",
        "quyết định ngày {day} ban hành trước khi phiên căn cứ {session} kết thúc ngày {day2}",
    ),
    (
        "recipient {subject} was not a nominee of session {session}",
        "{subject} không có trong danh sách đề nghị của phiên {session}",
    ),
    (
        "recipient {subject} did not pass session {session}: {yes} yes of {members} members, "
        "needs {threshold}, and {n} took part, short of the quorum",
        "{subject} không đạt tại phiên {session}: {yes} phiếu đồng ý trên {members} thành viên, "
        "cần {threshold}; {n} người tham gia, không đủ túc số",
    ),
    (
        "recipient {subject} did not pass session {session}: {yes} yes of {members} members, "
        "needs {threshold}",
        "{subject} không đạt tại phiên {session}: {yes} phiếu đồng ý trên {members} thành viên, "
        "cần {threshold}",
    ),
    (
        "recipient {subject} already holds {award} for {year} by decision {decision} "
        "(movement {movement})",
        "{subject} đã có {award} năm {year} theo quyết định {decision} (phong trào {movement})",
    ),
    (
        "recipient {subject} already holds {award} for {year} by decision {decision}",
        "{subject} đã có {award} năm {year} theo quyết định {decision}",
    ),
    (
        "recipient {subject} lacks {needed} for {year}, which {award} needs",
        "{subject} chưa có {needed} năm {year}, là điều kiện của {award}",
    ),
    (
        "recipient {subject} has no recognised initiative for {year} (2003 law)",
        "{subject} không có sáng kiến được công nhận năm {year} (Luật 2003)",
    ),
    (
        "recipient {subject} has no recognised initiative or {award} for {year}",
        "{subject} không có sáng kiến được công nhận hoặc {award} năm {year}",
    ),
    (
        "recipient {subject} lacks {needed} for {year2} ({award} needs {n} consecutive years "
        "{years})",
        "{subject} chưa có {needed} năm {year2} ({award} cần {n} năm liên tục {years})",
    ),
    (
        "recipient {subject} has no recorded members to measure {award} against",
        "{subject} chưa có danh sách thành viên để tính tỷ lệ {award}",
    ),
    (
        "recipient {subject} has {n} {award} of {m} members in {year}, below {share}",
        "{subject} có {n} {award} trên {m} thành viên năm {year}, dưới {share}",
    ),
    (
        "recipient {subject} has {n} {award} of {m} members in {year}, not more than {share}",
        "{subject} có {n} {award} trên {m} thành viên năm {year}, không quá {share}",
    ),
    (
        "recipient {subject} has members disciplined at {bar} or above in {year}: {members} "
        "(regime {regime})",
        "{subject} có thành viên bị kỷ luật từ mức {bar} trở lên năm {year}: {members} "
        "(chế độ {regime})",
    ),
    (
        "recipient {subject} has members disciplined, so not having completed their tasks in "
        "{year}: {members} (regime {regime})",
        "{subject} có thành viên bị kỷ luật trong năm, nên không hoàn thành nhiệm vụ năm {year}: "
        "{members} (chế độ {regime})",
    ),
    (
        "recipient {subject} was disciplined ({discipline}, {ref}, {day} – {day2}): achievements "
        "count only after the discipline period (from {day3}), and {award} rests on {years}",
        "{subject} bị kỷ luật ({discipline}, {ref}, {day} – {day2}): thành tích chỉ được tính "
        "sau thời hạn kỷ luật (từ {day3}), mà {award} dựa trên năm {years}",
    ),
    (
        "recipient {subject} was disciplined ({discipline}, {ref}, {day} – {day2}): achievements "
        "count only after the discipline period (no end recorded), and {award} rests on {years}",
        "{subject} bị kỷ luật ({discipline}, {ref}, {day} – {day2}): thành tích chỉ được tính "
        "sau thời hạn kỷ luật (chưa ghi ngày kết thúc), mà {award} dựa trên năm {years}",
    ),
    (
        "{subject} is under an open hold: {holds} (Decree 152/2025 Art. 4(4))",
        "{subject} đang bị tạm dừng xét khen thưởng: {holds} (Nghị định 152/2025/NĐ-CP, "
        "Điều 4 khoản 4)",
    ),
    (
        "participant {subject} registered {day} after the deadline {day2}",
        "{subject} đăng ký ngày {day}, sau hạn {day2}",
    ),
    (
        "recipient {subject} has {n} {award} in {year}, needs {m}",
        "{subject} có {n} {award} năm {year}, cần {m}",
    ),
    (
        "unit {subject} would have {n} {award} for {m} {award2} in {year}, above the quota {share}",
        "đơn vị {subject} sẽ có {n} {award} trên {m} {award2} năm {year}, vượt tỷ lệ {share}",
    ),
    (
        "recipient {subject} has only self scores in movement {movement}",
        "{subject} chỉ có điểm tự chấm trong phong trào {movement}",
    ),
]


def _pattern(shape: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", shape)
    out = []
    for i, part in enumerate(parts):
        out.append(f"(?P<{part}>.+?)" if i % 2 else re.escape(part))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


@cache
def _compiled() -> list[tuple[re.Pattern[str], str]]:
    return [(_pattern(en), vi) for en, vi in SHAPES]


def _award(value: str) -> str:
    return term("award", value, "vi")


def _moment(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return parsed.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S (UTC+7)")


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


_SCOPES = {"any": "bất kỳ", "base": "cơ sở", "ministry": "bộ, ngành, tỉnh", "national": "toàn quốc"}


def _discipline(value: str) -> str:
    return term("discipline", value, "vi").lower()


def _bar(value: str) -> str:
    """A discipline level as its English name in lower case (the collective condition's bar)."""
    by_en = {en.lower(): vi.lower() for vi, en in TABLES["discipline"].values()}
    return by_en.get(value, value)


_HOLD = re.compile(r"\((\w+)\)")


def _holds(value: str) -> str:
    """`H1 (discipline), H2 (press)`: each hold's kind named in Vietnamese."""
    return _HOLD.sub(lambda m: f"({term('hold_kind', m.group(1), 'vi').lower()})", value)


def _scope(value: str) -> str:
    return " / ".join(_SCOPES.get(part, part) for part in value.split("/"))


def _value(name: str, value: str) -> str:
    kinds: list[tuple[str, Callable[[str], str]]] = [
        ("award", lambda v: ", ".join(_award(a.strip()) for a in v.split(","))),
        ("needed", _award),
        ("ground", lambda v: term("ground", v, "vi")),
        ("rule", lambda v: term("rule", v, "vi")),
        ("moment", _moment),
        ("day", _day),
        ("message", _translated),
        ("threshold", lambda v: v.replace("more than", "trên").replace("at least", "ít nhất")),
        ("share", lambda v: v.replace("at least", "ít nhất")),
        ("scope", _scope),
        ("unitlevel", lambda v: term("level", v, "vi").lower()),
        ("discipline", _discipline),
        ("bar", _bar),
        ("holds", _holds),
    ]
    for prefix, show in kinds:
        if name.startswith(prefix):
            return show(value)
    return value


def _translated(text: str) -> str:
    head, sep, reason = text.partition("; override: ")
    for pattern, vi in _compiled():
        found = pattern.match(head)
        if found is not None:
            values = {k: _value(k, v) for k, v in found.groupdict().items()}
            out = vi.format(**values)
            return out + (f"; lý do vượt quy tắc: {reason}" if sep else "")
    raise LookupError(text)


def detail_text(text: str, lang: str) -> str:
    """`text` (a check's detail or a cascade flag, as made or signed) in `lang`."""
    if lang != "vi":
        return text
    try:
        return _translated(text)
    except LookupError:
        return UNTRANSLATED + text


def is_translated(text: str) -> bool:
    """Whether a Vietnamese shape matches `text` (for the tests)."""
    try:
        _translated(text)
    except LookupError:
        return False
    return True
