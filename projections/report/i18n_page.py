"""Words of the report page's "who stands behind it and how to check it" parts, Vietnamese and
English (the rest of the page's words: projections/report/i18n.py).

The rules a report checks, with their legal citations, are published in the award-ledger source
as docs/RULES.md; the page names that file by its path (the page cannot know where a reader's
copy of the source lives).
"""

from __future__ import annotations

RULES_DOC = "docs/RULES.md"

PAGE_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "spec_hash": "Mã băm tiêu chí, công thức và quy tắc",
        "issuer": "Cơ quan, đơn vị tổ chức",
        "issuer_unknown": "Sổ cái không ghi đơn vị tổ chức; xem đơn vị vận hành dưới đây",
        "issuer_source_launcher": "đơn vị của người phát động phong trào",
        "issuer_source_participants": "đơn vị chung của các đơn vị, cá nhân đăng ký",
        "issuer_source_recipients": "đơn vị chung của những người, tập thể được khen",
        "launched_by": "Người ký phát động",
        "operator": "Đơn vị vận hành sổ cái",
        "get_title": "Lấy sổ cái và khóa công khai ở đâu",
        "get_what": (
            "Để tự kiểm chứng, bạn cần hai thứ. Thứ nhất: bản sao sổ cái {origin} (một tệp cơ sở "
            "dữ liệu), hoặc bản công bố tĩnh của sổ cái (một thư mục gồm tệp checkpoint, thư mục "
            "tile và tệp operator.pub; các báo cáo nằm trong thư mục movements của nó). Xin ở "
            "{who}; bản công bố thường được đăng trên trang thông tin điện tử của cơ quan."
        ),
        "who_both": "{issuer} hoặc ở đơn vị vận hành sổ cái ({operator})",
        "who_operator": "đơn vị vận hành sổ cái ({operator})",
        "get_key": (
            "Thứ hai: khóa công khai của đơn vị vận hành (tệp operator.pub). Hãy lấy khóa này qua "
            "một kênh khác với nơi lấy sổ cái (ví dụ văn bản công bố chính thức), để người đưa "
            "sổ cái giả không thể đưa kèm khóa giả. Dấu vân tay của khóa: {key_id} (cột “Dấu "
            "vân tay khóa” trong bảng người ký); lệnh kiểm chứng từ chối khóa không ký điểm kiểm "
            "tra."
        ),
        "get_program": (
            "Các lệnh dưới đây là của chương trình mã nguồn mở award-ledger (lệnh awards). "
            "Với bản công bố (DIR là thư mục đó):"
        ),
        "get_ledger": "Với bản sao sổ cái (tệp awards.db):",
        "step_publication": (
            "kiểm chữ ký điểm kiểm tra, tính lại gốc Merkle từ các tile và kiểm chữ ký mọi sự kiện"
        ),
        "rules_doc": (
            "Danh sách quy tắc được kiểm tra trong báo cáo, kèm căn cứ pháp lý của từng quy tắc, "
            "được công bố trong mã nguồn award-ledger, tệp"
        ),
        "step_save": "lưu điểm kiểm tra ở trên vào tệp",
        "verify_cp": (
            "Điểm kiểm tra dưới đây do đơn vị vận hành ký, cam kết {size} sự kiện đầu tiên."
        ),
        "more_rows": (
            "Còn {k} dòng nữa không hiển thị ở đây; bản JSON và CSV của báo cáo có đầy đủ."
        ),
    },
    "en": {
        "spec_hash": "Hash of criteria, formula and rules",
        "issuer": "Issuing body",
        "issuer_unknown": "The ledger names no issuing unit; see the operator below",
        "issuer_source_launcher": "the unit of the signer who launched the movement",
        "issuer_source_participants": "the unit all registered units and people belong to",
        "issuer_source_recipients": "the unit all recipients belong to",
        "launched_by": "Launched (signed) by",
        "operator": "Ledger operator",
        "get_title": "Where to get the ledger and the operator's key",
        "get_what": (
            "To check this yourself you need two things. First: a copy of the ledger {origin} "
            "(one database file), or its static publication (a folder holding a checkpoint "
            "file, a tile folder and operator.pub; the reports are in its movements folder). "
            "Ask {who} for it; the publication is usually posted on the body's website."
        ),
        "who_both": "{issuer} or the ledger's operator ({operator})",
        "who_operator": "the ledger's operator ({operator})",
        "get_key": (
            "Second: the operator's public key (operator.pub). Get it through another channel "
            "than the ledger (an official announcement, say), so that whoever hands you a forged "
            "ledger cannot hand you a matching forged key. Its fingerprint: {key_id} (the "
            "“Key fingerprint” column of the signers table); the commands refuse a key that did "
            "not sign the checkpoint."
        ),
        "get_program": (
            "The commands are those of the open-source award-ledger program (the awards "
            "command). With the publication (DIR is its folder):"
        ),
        "get_ledger": "With a copy of the ledger (the file awards.db):",
        "step_publication": (
            "checks the checkpoint's signature, recomputes the Merkle root from the tiles and "
            "checks every event's signature"
        ),
        "rules_doc": (
            "The rules this report checks, each with its legal citation, are published in the "
            "award-ledger source, in the file"
        ),
        "step_save": "save the checkpoint above as the file",
    },
}
