"""Words of the HTML report in Vietnamese (the default) and English.

Data stays as recorded (names, reasons); the report's own words, award kinds, unit levels,
roles, grounds, rules and statuses are translated here, the checks' details and the rule
messages signed into decisions by projections/report/details.py, and the words of the header's
issuer and the "where to get the ledger" part by projections/report/i18n_page.py.
"""

from __future__ import annotations

from domain.catalogue import KINDS as AWARD_KINDS
from domain.discipline import levels
from projections.report.i18n_path import PATH_TABLES

LANGS = ("vi", "en")

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Báo cáo công khai kết quả thi đua, khen thưởng",
        "movement": "Phong trào",
        "period": "Thời gian",
        "deadline": "Hạn đăng ký",
        "cluster_deadline": "Hạn đăng ký của cụm, khối",
        "made_from": "Lập từ {n} sự kiện đầu tiên của sổ cái",
        "as_of": "tính đến",
        "clock_effective": "(theo thời điểm hiệu lực ghi trên từng sự kiện)",
        "clock_appended": "(theo thời điểm ghi vào sổ cái)",
        "clock_seq": "(thời điểm ghi của sự kiện cuối cùng)",
        "spec_hash": "Mã băm tiêu chí, công thức và quy tắc (spec hash)",
        "formula": "Công thức tính điểm",
        "formula_weighted_sum": (
            "Tổng điểm = Σ (trọng số × điểm thẩm định mới nhất của từng tiêu chí); "
            "điểm tự chấm không được tính"
        ),
        "criteria": "Tiêu chí",
        "max_points": "Điểm tối đa",
        "weight": "Trọng số",
        "cards": "Tóm tắt",
        "card_awards": "Khen thưởng có hiệu lực",
        "card_persons": "Cá nhân",
        "card_units": "Tập thể",
        "card_annulled": "Đã hủy bỏ (không tính)",
        "card_direct": "Tỷ lệ người lao động trực tiếp",
        "card_late": "Đăng ký muộn",
        "card_overrides": "Quyết định vượt quy tắc có lý do",
        "card_violations": "Vi phạm phát hiện",
        "by_kind": "Khen thưởng theo hình thức",
        "by_level": "Khen thưởng theo cấp đơn vị",
        "decisions": "Quyết định khen thưởng",
        "tallies": "Kết quả bình xét so với ngưỡng",
        "standings": "Bảng điểm và xếp hạng",
        "registrations": "Đăng ký thi đua",
        "quota": "Tỷ lệ Chiến sĩ thi đua cơ sở trên Lao động tiên tiến",
        "direct": "Khen thưởng cho người lao động trực tiếp",
        "overrides": "Các trường hợp vượt quy tắc có lý do",
        "annulments": "Hủy bỏ khen thưởng",
        "recoveries": "Còn phải thu hồi",
        "recovery_item": "Hiện vật / tiền thưởng",
        "recovery_due": "Phải thu hồi",
        "recovery_done": "Đã thu hồi",
        "recovery_left": "Còn lại",
        "unverified": "số liệu chưa đối chiếu",
        "recovery_note": (
            "Quyết định hủy bỏ ghi những gì phải thu hồi (Điều 93 khoản 2 Luật Thi đua, khen "
            "thưởng 2022): hiện vật khen thưởng và tiền thưởng, tính theo hệ số và mức lương "
            "cơ sở tại ngày quyết định khen thưởng; mỗi lần thu hồi là một sự kiện ký số. Dấu "
            "? là số tiền chưa có trong dữ liệu."
        ),
        "checks": "Kiểm tra tuân thủ",
        "legal_basis": "Chế độ pháp lý: căn cứ",
        "written": "biểu quyết bằng văn bản",
        "signers": "Người ký và dấu vân tay khóa",
        "verify": "Kiểm chứng báo cáo này",
        "award": "Hình thức khen thưởng",
        "person": "Cá nhân",
        "unit": "Tập thể",
        "total": "Tổng",
        "level": "Cấp đơn vị",
        "decision": "Số quyết định",
        "date": "Ngày",
        "recipient": "Người / tập thể được khen",
        "kind": "Loại",
        "unit_col": "Đơn vị",
        "basis": "Căn cứ (phiên bình xét)",
        "authority": "Người có thẩm quyền",
        "override_reason": "Lý do vượt quy tắc",
        "overridden_rules": "Quy tắc được vượt",
        "status": "Trạng thái",
        "in_force": "Có hiệu lực",
        "annulled": "Đã hủy bỏ",
        "flagged": "Cần xem xét lại",
        "session": "Phiên",
        "mode": "Hình thức biểu quyết",
        "members": "Thành viên",
        "of_members": "tổng số thành viên",
        "ballots": "Số tham gia",
        "threshold": "Ngưỡng",
        "quorum": "Túc số",
        "quorum_met": "Đạt túc số",
        "yes": "Đồng ý",
        "no": "Không đồng ý",
        "passed": "Đạt",
        "not_passed": "Không đạt",
        "counter": "Ban kiểm phiếu",
        "chair": "Chủ tọa",
        "closed": "Đã kết thúc",
        "open": "Đang mở",
        "nominee": "Người / tập thể được đề nghị",
        "rank": "Hạng",
        "participant": "Người / tập thể tham gia",
        "self_scores": "Tự chấm (không tính)",
        "registered_total": "Tổng số đăng ký",
        "holds": "Tạm dừng xét khen thưởng",
        "hold_kind": "Lý do tạm dừng",
        "hold_until": "Đến ngày",
        "hold_placed": "Đặt lúc",
        "hold_lifted": "Gỡ bỏ",
        "hold_open": "Đang tạm dừng",
        "late": "Đăng ký sau hạn",
        "claimed_at": "Thời điểm đăng ký (khai báo)",
        "appended_at": "Thời điểm ghi vào sổ cái",
        "year": "Năm",
        "advanced": "Lao động tiên tiến",
        "fighters": "Chiến sĩ thi đua cơ sở",
        "limit": "Tối đa theo tỷ lệ",
        "share": "Tỷ lệ",
        "direct_share": "{d} / {n} khen thưởng cá nhân cho người lao động trực tiếp",
        "ground": "Căn cứ hủy bỏ",
        "reason": "Lý do",
        "dependents": "Khen thưởng phụ thuộc bị ảnh hưởng",
        "rule": "Quy tắc",
        "subject": "Đối tượng",
        "detail": "Chi tiết",
        "event": "Sự kiện",
        "name": "Tên",
        "roles": "Vai trò",
        "key_id": "Dấu vân tay khóa",
        "competence": "Thẩm quyền khen thưởng",
        "signer_state": "Tình trạng",
        "revoked": "Đã thu hồi",
        "active": "Còn hiệu lực",
        "none": "Không có",
        "more_rows": (
            "Còn {k} dòng nữa không hiển thị ở đây; bản JSON và CSV của báo cáo có đầy đủ "
            "(awards report … --format json | csv)."
        ),
        "verify_made": (
            "Báo cáo này được lập từ {n} sự kiện đầu tiên của sổ cái {origin}; "
            "gốc Merkle của các sự kiện đó là {root}."
        ),
        "verify_cp": (
            "Điểm kiểm tra (checkpoint) dưới đây do đơn vị vận hành ký, cam kết {size} sự kiện "
            "đầu tiên."
        ),
        "verify_covered": "Điểm kiểm tra này cam kết toàn bộ các sự kiện của báo cáo.",
        "verify_uncovered": (
            "Lưu ý: báo cáo vượt quá điểm kiểm tra mới nhất {k} sự kiện (sự kiện {first} đến "
            "{last}); các sự kiện này chưa được điểm kiểm tra nào cam kết. Đề nghị đơn vị vận "
            "hành ký điểm kiểm tra mới rồi lập lại báo cáo."
        ),
        "verify_none": (
            "Chưa có điểm kiểm tra nào được ký: không sự kiện nào của báo cáo được cam kết."
        ),
        "verify_steps": (
            "Các lệnh kiểm chứng (chỉ cần sổ cái và khóa công khai của đơn vị vận hành):"
        ),
        "step_save": "lưu điểm kiểm tra ở trên vào tệp checkpoint.txt",
        "step_verify": "kiểm tra chữ ký mọi sự kiện và rằng sổ cái vẫn chứa cây của điểm kiểm tra",
        "step_consistency": "gốc mới (new_root) phải bằng gốc Merkle nêu trên",
        "step_report": "lập lại đúng báo cáo này",
        "step_later": "gốc cũ (old_root) phải bằng gốc Merkle nêu trên",
        "verify_later": (
            "Sổ cái đã có điểm kiểm tra mới hơn, cam kết {size} sự kiện đầu tiên: bằng chứng "
            "nhất quán từ {n} đến {size} cho thấy các sự kiện của báo cáo nằm trong đó."
        ),
        "generated": "Báo cáo được tạo tự động từ sổ cái; mọi số liệu có thể kiểm chứng lại.",
    },
    "en": {
        "title": "Public report on emulation and commendation",
        "movement": "Movement",
        "period": "Period",
        "deadline": "Registration deadline",
        "cluster_deadline": "Cluster and block deadline",
        "made_from": "Made from the first {n} events of the ledger",
        "as_of": "as of",
        "clock_effective": "(by the effective time each event claims)",
        "clock_appended": "(by the time events were appended to the ledger)",
        "clock_seq": "(when the last of them was appended)",
        "spec_hash": "Hash of criteria, formula and rules (spec hash)",
        "formula": "Scoring formula",
        "formula_weighted_sum": (
            "Total = Σ (weight × latest appraisal points per criterion); self scores excluded"
        ),
        "criteria": "Criteria",
        "max_points": "Max points",
        "weight": "Weight",
        "cards": "Summary",
        "card_awards": "Awards in force",
        "card_persons": "Individuals",
        "card_units": "Collectives",
        "card_annulled": "Annulled (not counted)",
        "card_direct": "Front-line workers' share",
        "card_late": "Late registrations",
        "card_overrides": "Decisions with an override",
        "card_violations": "Violations found",
        "by_kind": "Awards by kind",
        "by_level": "Awards by unit level",
        "decisions": "Award decisions",
        "tallies": "Review tallies against thresholds",
        "standings": "Scores and standings",
        "registrations": "Registrations",
        "quota": "Emulation fighters (base) against advanced workers: quota use",
        "direct": "Awards to front-line (direct) workers",
        "overrides": "Overrides",
        "annulments": "Annulments",
        "recoveries": "Outstanding recoveries",
        "recovery_item": "Item",
        "recovery_due": "Due",
        "recovery_done": "Recovered",
        "recovery_left": "Outstanding",
        "unverified": "figure not verified",
        "recovery_note": (
            "An annulment records what is to be recovered (Law on Emulation and Commendation "
            "2022, Art. 93(2)): the certificate or medal and the bonus money, a multiple of "
            "the base salary in force on the award decision's date; each recovery is a signed "
            "event. A ? is an amount the bonus data does not hold."
        ),
        "checks": "Compliance checks",
        "legal_basis": "Regime: legal citation",
        "written": "voted in writing",
        "signers": "Signers and key fingerprints",
        "verify": "Verify this report",
        "award": "Award",
        "person": "Individual",
        "unit": "Collective",
        "total": "Total",
        "level": "Unit level",
        "decision": "Decision",
        "date": "Date",
        "recipient": "Recipient",
        "kind": "Kind",
        "unit_col": "Unit",
        "basis": "Basis (review session)",
        "authority": "Authority",
        "override_reason": "Override reason",
        "overridden_rules": "Rules overridden",
        "status": "Status",
        "in_force": "In force",
        "annulled": "Annulled",
        "flagged": "Flagged for review",
        "session": "Session",
        "mode": "Ballot mode",
        "members": "Members",
        "of_members": "of all members",
        "ballots": "Taking part",
        "threshold": "Threshold",
        "quorum": "Quorum",
        "quorum_met": "Quorum met",
        "yes": "Yes",
        "no": "No",
        "passed": "Passed",
        "not_passed": "Not passed",
        "counter": "Counting committee",
        "chair": "Chair",
        "closed": "Closed",
        "open": "Open",
        "nominee": "Nominee",
        "rank": "Rank",
        "participant": "Participant",
        "self_scores": "Self scores (not counted)",
        "registered_total": "Registrations",
        "holds": "Holds on awards",
        "hold_kind": "Matter",
        "hold_until": "Until",
        "hold_placed": "Placed",
        "hold_lifted": "Lifted",
        "hold_open": "Open",
        "late": "Late registrations",
        "claimed_at": "Registered at (claimed)",
        "appended_at": "Appended to the ledger at",
        "year": "Year",
        "advanced": "Advanced workers",
        "fighters": "Emulation fighters",
        "limit": "Quota limit",
        "share": "Quota",
        "direct_share": "{d} of {n} individual awards went to front-line workers",
        "ground": "Legal ground",
        "reason": "Reason",
        "dependents": "Dependent awards flagged",
        "rule": "Rule",
        "subject": "Subject",
        "detail": "Detail",
        "event": "Event",
        "name": "Name",
        "roles": "Roles",
        "key_id": "Key fingerprint",
        "competence": "Competence",
        "signer_state": "State",
        "revoked": "Revoked",
        "active": "Active",
        "none": "None",
        "more_rows": (
            "{k} more rows are not shown here; the JSON and CSV forms of the report hold them "
            "all (awards report … --format json | csv)."
        ),
        "verify_made": (
            "This report was made from the first {n} events of the ledger {origin}; the Merkle "
            "root of those events is {root}."
        ),
        "verify_cp": (
            "The checkpoint below, signed by the operator, commits to the first {size} events."
        ),
        "verify_covered": "This checkpoint commits to every event of the report.",
        "verify_uncovered": (
            "Note: this report goes {k} events past the latest checkpoint (events {first} to "
            "{last}); no checkpoint commits to them yet. Ask the operator to sign a new "
            "checkpoint and make the report again."
        ),
        "verify_none": "No checkpoint has been signed yet: no event of this report is committed.",
        "verify_steps": (
            "Commands to check it (needing only the ledger and the operator's public key):"
        ),
        "step_save": "save the checkpoint above as checkpoint.txt",
        "step_verify": "checks every event's signature and that the ledger still holds this tree",
        "step_consistency": "its new_root must equal the Merkle root above",
        "step_report": "makes this very report again",
        "step_later": "its old_root must equal the Merkle root above",
        "verify_later": (
            "A later checkpoint commits to the first {size} events: the consistency proof from "
            "{n} to {size} shows that this report's events are among them."
        ),
        "generated": "Generated from the ledger; every figure can be checked again.",
    },
}

# Award kinds are named by the catalogue (domain/regimes/catalogue.toml), one source for all.
AWARDS: dict[str, tuple[str, str]] = {k: (kind.vi, kind.en) for k, kind in AWARD_KINDS.items()}

LEVELS: dict[str, tuple[str, str]] = {
    "agency": ("Cơ quan", "Agency"),
    "department": ("Cấp Vụ", "Department"),
    "division": ("Cấp Phòng", "Division"),
    "office": ("Văn phòng", "Office"),
    "province": ("Cấp tỉnh", "Province"),
    "district": ("Cấp huyện", "District"),
    "commune": ("Cấp xã", "Commune"),
    "unknown": ("Không rõ", "Unknown"),
}

KINDS: dict[str, tuple[str, str]] = {
    "person": ("Cá nhân", "Individual"),
    "unit": ("Tập thể", "Collective"),
    "cluster": ("Cụm, khối", "Cluster or block"),
}

MODES: dict[str, tuple[str, str]] = {
    "open": ("Biểu quyết công khai", "Open vote"),
    "secret": ("Bỏ phiếu kín", "Secret ballot"),
}

GROUNDS: dict[str, tuple[str, str]] = {
    "false_declaration": ("Khai man hồ sơ", "False declaration"),
    "forged_documents": ("Giả mạo hồ sơ, giấy tờ", "Forged documents"),
    "unlawful_procedure": (
        "Thẩm định, xét, đề nghị khen thưởng trái pháp luật",
        "Unlawful appraisal, review or proposal",
    ),
    "standard_not_met": ("Không đủ tiêu chuẩn (phát hiện sau)", "Standard not met (found later)"),
}

RULES: dict[str, tuple[str, str]] = {
    "regime": ("Vượt quá luật đang có hiệu lực", "Beyond the statute in force"),
    "quota": ("Tỷ lệ khen thưởng (quy tắc 1)", "Quota (rule 1)"),
    "prerequisites": ("Điều kiện tiên quyết (quy tắc 2)", "Prerequisites (rule 2)"),
    "review": ("Ngưỡng biểu quyết và túc số (quy tắc 3)", "Vote threshold and quorum (rule 3)"),
    "deadline": ("Hạn đăng ký (quy tắc 4)", "Deadlines (rule 4)"),
    "competence": ("Thẩm quyền (quy tắc 5)", "Competence (rule 5)"),
    "conflict_of_interest": ("Xung đột lợi ích (quy tắc 6)", "Conflict of interest (rule 6)"),
    "one_award": (
        "Một thành tích, một hình thức khen (quy tắc 7)",
        "One achievement, one award (rule 7)",
    ),
    "order": ("Trình tự xét khen (quy tắc 8)", "Order (rule 8)"),
    "annulment": ("Hủy bỏ khen thưởng (Điều 93 Luật 2022)", "Annulment (Law 2022 Art. 93)"),
    "cascade": ("Khen thưởng phụ thuộc (quy tắc 9)", "Annulment cascade (rule 9)"),
    "hold": (
        "Chưa xét khen khi đang bị xem xét (quy tắc 10)",
        "Hold while a matter is examined (rule 10)",
    ),
    "public_comment": ("Lấy ý kiến công khai", "Public comment"),
    "dossier": ("Hồ sơ đề nghị khen thưởng đủ thành phần", "Complete dossier"),
}

STATUSES: dict[str, tuple[str, str]] = {
    "ok": ("Đạt", "OK"),
    "violation": ("Vi phạm", "Violation"),
    "override": ("Vượt có lý do", "Override"),
}

ROLES: dict[str, tuple[str, str]] = {
    "operator": ("Thường trực Hội đồng (vận hành)", "Operator"),
    "secretary": ("Thư ký", "Secretary"),
    "scorer": ("Người chấm điểm", "Scorer"),
    "council_member": ("Ủy viên Hội đồng", "Council member"),
    "council_chair": ("Chủ tịch Hội đồng", "Council chair"),
    "counter": ("Ban kiểm phiếu", "Counting committee"),
    "initiative_council": ("Hội đồng xét sáng kiến", "Initiative council"),
    "authority": ("Người có thẩm quyền", "Authority"),
}

HOLD_KINDS: dict[str, tuple[str, str]] = {
    "discipline": ("Đang xem xét kỷ luật", "Discipline under consideration"),
    "investigation": ("Đang điều tra", "Under investigation"),
    "inspection": ("Đang thanh tra, kiểm tra", "Under inspection"),
    "complaint": ("Đang giải quyết khiếu nại, tố cáo", "Complaint being resolved"),
    "press": ("Báo chí phản ánh, đang xác minh", "Press report being verified"),
}

# Discipline levels are named by their data file (domain/regimes/discipline.toml).
DISCIPLINES: dict[str, tuple[str, str]] = {k: (lv.vi, lv.en) for k, lv in levels().items()}
RECOVERY_ITEMS: dict[str, tuple[str, str]] = {
    "certificate": ("Bằng, giấy chứng nhận, huân chương, cờ", "Certificate, medal or flag"),
    "money": ("Tiền thưởng", "Bonus money"),
}

TABLES = {
    "award": AWARDS,
    "level": LEVELS,
    "kind": KINDS,
    "mode": MODES,
    "ground": GROUNDS,
    "rule": RULES,
    "status": STATUSES,
    "role": ROLES,
    "hold_kind": HOLD_KINDS,
    "discipline": DISCIPLINES,
    "recovery_item": RECOVERY_ITEMS,
    **PATH_TABLES,  # the proposal path's actions, statuses, outcomes, channels, limits
}


def term(table: str, key: str | None, lang: str) -> str:
    """The word for `key` in one of the TABLES, or `key` itself when the table lacks it."""
    if key is None:
        return ""
    names = TABLES[table].get(key)
    return names[LANGS.index(lang)] if names else key


def threshold_text(text: str, lang: str) -> str:
    """A threshold or quota as `str(Threshold)` writes it, in `lang`."""
    if lang == "vi":
        return text.replace("more than", "trên").replace("at least", "ít nhất")
    return text
