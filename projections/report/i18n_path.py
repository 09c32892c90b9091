"""Words of the report's proposal path and public comment parts (and of the publication's
comment page), Vietnamese and English. Data stays as recorded (names, reasons); actions,
statuses, outcomes, channels and limits are translated through the tables below, which
projections/report/i18n.py adds to its `term` tables.
"""

from __future__ import annotations

PATH_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "proposals": "Quy trình đề nghị khen thưởng",
        "proposals_intro": (
            "Mỗi tờ trình đi qua từng cấp: cấp nhận hồ sơ thẩm định rồi trình lên cấp trên, hoặc "
            "trả lại đơn vị đề nghị khi hồ sơ chưa đầy đủ. Thời gian của từng cấp được tính theo "
            "ngày làm việc (không kể thứ Bảy, Chủ nhật, ngày lễ, Tết) và so với thời hạn luật "
            "định; bước còn đang xử lý được tính đến ngày {day}."
        ),
        "proposal": "Tờ trình",
        "proposing_unit": "Đơn vị đề nghị",
        "proposed_for": "Được đề nghị",
        "proposed_at": "Ngày trình",
        "proposer": "Người lập tờ trình",
        "dossier": "Hồ sơ",
        "dossier_count": "{n} tài liệu, lưu theo mã băm SHA-256",
        "path_status": "Tình trạng",
        "decided_by": "quyết định số",
        "now_with": "hồ sơ đang ở",
        "level_col": "Cấp xử lý",
        "received": "Nhận hồ sơ",
        "acted": "Xử lý",
        "signed_by": "Người ký",
        "days_taken": "Số ngày làm việc / thời hạn",
        "due": "Hạn xử lý",
        "timeliness": "Đúng hạn",
        "on_time": "Đúng hạn",
        "late_badge": "Trễ hạn",
        "no_limit": "không có thời hạn",
        "no_calendar": "chưa có lịch ngày làm việc của năm này",
        "authority_level": "Người có thẩm quyền",
        "late_steps": "Bước trễ hạn",
        "late_step": "{days} ngày làm việc, quá thời hạn {limit} ngày (hạn {due})",
        "late_pending": "chưa xử lý, vẫn đang giữ hồ sơ",
        "comment_period": "Lấy ý kiến công khai",
        "comment_span": "từ {opened} đến hết ngày {ends} ({days} ngày làm việc)",
        "comment_by": "người công bố",
        "comment_none": "chưa lấy ý kiến công khai",
        "objections": "Ý kiến phản ánh",
        "objection_col": "Số ý kiến",
        "about": "Về",
        "channel": "Hình thức tiếp nhận",
        "raised": "Tiếp nhận",
        "outcome": "Kết quả giải quyết",
        "objections_none": "không có ý kiến phản ánh",
        "open_comment": "Danh sách đang lấy ý kiến công khai",
        "open_comment_none": (
            "Ngày {day} không có danh sách nào của phong trào đang lấy ý kiến công khai."
        ),
        "open_comment_day": "Danh sách đang lấy ý kiến công khai vào ngày {day}.",
        "comment_until": "Nhận ý kiến đến hết ngày",
        "objections_so_far": "Số ý kiến đã nhận",
        "how_to_object": "Cách gửi ý kiến",
        "how_to_object_text": (
            "Cơ quan, tổ chức, cá nhân có ý kiến về người, tập thể có tên trên đây xin gửi ý kiến "
            "(ghi rõ họ tên, địa chỉ, nội dung và căn cứ) đến {holder} trước hết ngày {ends}, "
            "bằng một trong các hình thức: {channels}. Mỗi ý kiến được ghi vào sổ cái (nội dung "
            "lưu theo mã băm SHA-256) và kết quả giải quyết được công bố trong báo cáo công khai "
            "của phong trào."
        ),
        "comment_page_title": "Danh sách đề nghị khen thưởng đang lấy ý kiến công khai",
        "comment_page_intro": (
            "Trang này liệt kê các danh sách đề nghị khen thưởng đang lấy ý kiến nhân dân vào "
            "ngày {day}, theo sổ cái {origin} đến điểm kiểm tra {size} sự kiện do đơn vị vận "
            "hành ký."
        ),
        "comment_page_movement": "Phong trào",
        "comment_page_none": "Ngày {day} không có danh sách nào đang lấy ý kiến công khai.",
        "comment_page_report": "Báo cáo của phong trào",
    },
    "en": {
        "proposals": "The proposal path",
        "proposals_intro": (
            "Each proposal goes up level by level: a level appraises the dossier and forwards it "
            "to the next one, or returns it to the proposing unit when it is incomplete. Each "
            "level's time is counted in working days (weekends, public holidays and Tết left "
            "out) against its legal limit; a step still pending is counted up to {day}."
        ),
        "proposal": "Proposal",
        "proposing_unit": "Proposing unit",
        "proposed_for": "Proposed",
        "proposed_at": "Proposed on",
        "proposer": "Drawn up by",
        "dossier": "Dossier",
        "dossier_count": "{n} documents, kept by SHA-256",
        "path_status": "Status",
        "decided_by": "decision",
        "now_with": "the file is with",
        "level_col": "Level",
        "received": "Received",
        "acted": "Acted",
        "signed_by": "Signed by",
        "days_taken": "Working days taken / limit",
        "due": "Due",
        "timeliness": "On time",
        "on_time": "On time",
        "late_badge": "Late",
        "no_limit": "no limit",
        "no_calendar": "no working-day calendar for that year yet",
        "authority_level": "Authority",
        "late_steps": "Late steps",
        "late_step": "{days} working days, beyond its {limit}-day limit (due {due})",
        "late_pending": "not acted on yet, still holding the file",
        "comment_period": "Public comment",
        "comment_span": "from {opened} to the end of {ends} ({days} working days)",
        "comment_by": "published by",
        "comment_none": "not put to public comment",
        "objections": "Objections",
        "objection_col": "Objection",
        "about": "About",
        "channel": "Received by",
        "raised": "Received",
        "outcome": "Outcome",
        "objections_none": "no objection",
        "open_comment": "Open for public comment",
        "open_comment_none": "On {day} no list of this movement is open for public comment.",
        "open_comment_day": "Lists open for public comment on {day}.",
        "comment_until": "Comments until the end of",
        "objections_so_far": "Objections received",
        "how_to_object": "How to object",
        "how_to_object_text": (
            "Any body, organisation or citizen with an objection about a person or collective "
            "named above may send it (with their name, address, what it is about and on what "
            "grounds) to {holder} by the end of {ends}, by any of: {channels}. Each objection "
            "is recorded in the ledger (its content by SHA-256) and its outcome is published in "
            "the movement's public report."
        ),
        "comment_page_title": "Award proposals open for public comment",
        "comment_page_intro": (
            "This page lists the award proposals open for public comment on {day}, from the "
            "ledger {origin} up to its operator-signed checkpoint of {size} events."
        ),
        "comment_page_movement": "Movement",
        "comment_page_none": "On {day} no list is open for public comment.",
        "comment_page_report": "The movement's report",
    },
}

ACTIONS: dict[str, tuple[str, str]] = {
    "endorsed": ("Thẩm định, trình cấp trên", "Endorsed and forwarded"),
    "returned": ("Trả lại hồ sơ", "Returned"),
    "resubmitted": ("Bổ sung, gửi lại hồ sơ", "Resubmitted"),
    "decided": ("Quyết định khen thưởng", "Decided"),
    "forwarded": ("Chuyển quyết định về đơn vị đề nghị", "Decision sent to the proposing unit"),
    "forwarding": ("Chưa chuyển quyết định về đơn vị đề nghị", "Decision not sent yet"),
    "pending": ("Đang xử lý", "Pending"),
}

PATH_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("Đang xét", "Pending"),
    "returned": ("Đã trả lại đơn vị đề nghị", "Returned to the proposing unit"),
    "decided": ("Đã có quyết định", "Decided"),
}

OUTCOMES: dict[str, tuple[str, str]] = {
    "upheld": ("Có cơ sở (được chấp nhận)", "Upheld"),
    "dismissed": ("Không có cơ sở (bác bỏ)", "Dismissed"),
    "pending": ("Chưa giải quyết", "Not resolved yet"),
}

CHANNELS: dict[str, tuple[str, str]] = {
    "letter": ("thư, đơn gửi qua bưu điện", "letter"),
    "email": ("thư điện tử", "email"),
    "phone": ("điện thoại", "telephone"),
    "in_person": ("gặp trực tiếp", "in person"),
    "website": ("trang thông tin điện tử", "website"),
    "press": ("báo chí", "the press"),
    "hotline": ("đường dây nóng", "hotline"),
    "other": ("hình thức khác", "another way"),
}

LIMITS: dict[str, tuple[str, str]] = {
    "return_incomplete": ("trả hồ sơ chưa đầy đủ", "returning an incomplete dossier"),
    "appraise_and_submit": ("thẩm định và trình", "appraising and submitting"),
    "forward_decision": ("chuyển quyết định", "forwarding the decision"),
}

PATH_TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "action": ACTIONS,
    "path_status": PATH_STATUSES,
    "outcome": OUTCOMES,
    "channel": CHANNELS,
    "limit": LIMITS,
}
