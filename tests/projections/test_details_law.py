"""Every message shape the law's rules sign or the report writes reads in Vietnamese."""

from __future__ import annotations

import pytest

from projections.report.details import detail_text

CITE = "Nghị định 98/2023/NĐ-CP, Điều 30, khoản 7"


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        (
            "unit 'U1' would have 2 emulation_fighter_base for 10 advanced_worker in 2023, above "
            "the statute's quota 15 %",
            "đơn vị 'U1' sẽ có 2 Chiến sĩ thi đua cơ sở trên 10 Lao động tiên tiến năm 2023, "
            "vượt tỷ lệ 15 % theo luật",
        ),
        (
            f"recipient 'U1' passed session S-CTD with 2 yes of 3 members, short of at least 80 "
            f"% required by the statute (2024: {CITE})",
            f"'U1' đạt tại phiên S-CTD với 2 phiếu đồng ý trên 3 thành viên, chưa đủ ít nhất 80 % "
            f"theo luật (2024: {CITE})",
        ),
        (
            f"session S-CTD voted openly, but the statute (2024: {CITE}) requires a secret ballot "
            "for emulation_flag (decision 1/QĐ)",
            f"phiên S-CTD biểu quyết công khai, nhưng luật (2024: {CITE}) yêu cầu bỏ phiếu kín "
            "đối với Cờ thi đua của bộ, ban, ngành, tỉnh (quyết định 1/QĐ)",
        ),
        (
            "authority 'ct-district': authorities of district level no longer exist (regime 2025)",
            "người có thẩm quyền 'ct-district': không còn người có thẩm quyền cấp huyện (chế "
            "độ 2025)",
        ),
        (
            "authority 'hu1': its unit 'U1' was merged into 'U2' on 2025-07-01; decisions from "
            "then are its successor's (decision 7/QĐ)",
            "người có thẩm quyền 'hu1': đơn vị 'U1' đã hợp nhất vào 'U2' từ ngày 01/07/2025; các "
            "quyết định từ ngày đó thuộc đơn vị kế thừa (quyết định 7/QĐ)",
        ),
        (
            "recipient 'P1' has no recognised initiative of ministry/national scope for "
            "2017-2019 (regime 2003)",
            "'P1' không có sáng kiến được công nhận phạm vi bộ, ngành, tỉnh / toàn quốc năm "
            "2017-2019 (chế độ 2003)",
        ),
        (
            "recipient 'P1' has no initiative left for emulation_fighter_ministry: "
            "'SK-1' is already the basis of decision CS (one initiative, one award)",
            "'P1' không còn sáng kiến cho Chiến sĩ thi đua cấp bộ, ngành, tỉnh: 'SK-1' đã là căn "
            "cứ của quyết định CS (mỗi sáng kiến chỉ làm căn cứ cho một lần khen)",
        ),
    ],
)
def test_the_law_s_messages_read_in_vietnamese(english: str, vietnamese: str) -> None:
    assert detail_text(english, "vi") == vietnamese
    assert detail_text(english, "en") == english
