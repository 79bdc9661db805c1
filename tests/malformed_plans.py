"""Malformed plans, each with the exact messages it must get (shared by loader and CLI tests)."""

from __future__ import annotations

import pytest

# Line numbers in the expected messages below count from this text (line 1: "organisation:").
BASE = """\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-6-thang
    name: Báo cáo 6 tháng
    submitters: [phong-a, phong-b]
    receiver: van-phong
    due_before: 05/06/2024
"""

CASCADE = """\
  - id: bc-tong-hop
    name: Tổng hợp
    submitters: [van-phong]
    receiver: phong-a
    due_before: 10/06/2024
"""


F = "ke-hoach.yaml"

TAB = (
    "dòng này có ký tự Tab (ở cột {column}). YAML chỉ chấp nhận dấu cách để thụt lề: hãy thay "
    "mỗi Tab bằng dấu cách (thường là 2 dấu cách mỗi bậc)."
)

MALFORMED = [
    pytest.param(
        BASE.replace("    due_before: 05/06/2024", "\tdue_before: 05/06/2024"),
        [f"{F}, dòng 16: " + TAB.format(column=1)],
        id="tab-indent",
    ),
    pytest.param(
        BASE.replace("    name: Phòng A", "  \tname: Phòng A"),
        [f"{F}, dòng 8: " + TAB.format(column=3)],
        id="tab-after-spaces",
    ),
    pytest.param(
        BASE.replace("receiver: van-phong", "receiver:\tvan-phong"),
        [f"{F}, dòng 15: " + TAB.format(column=14)],
        id="tab-after-colon",
    ),
    pytest.param(
        BASE.replace("[phong-a, phong-b]", "[phong-a, phong-b"),
        [
            f"{F}, dòng 15: sai cú pháp YAML ở cột 13: kiểm tra thụt lề, dấu hai chấm "
            "và các dấu ngoặc."
        ],
        id="broken-yaml",
    ),
    pytest.param(
        BASE.replace("    type: office\n", "    type: office\n    type: office\n"),
        [f"{F}, dòng 7: một mục được khai báo hai lần trong cùng một khối; hãy xóa một trong hai."],
        id="duplicate-yaml-key",
    ),
    pytest.param(
        BASE.replace("id: phong-b", "id: phong-a").replace("[phong-a, phong-b]", "[phong-a]"),
        [
            f"{F}, dòng 9, mục «units[phong-a].id»: mã đơn vị «phong-a» đã được dùng cho một "
            "đơn vị khác ở trên."
        ],
        id="duplicate-unit-id",
    ),
    pytest.param(
        BASE.replace("[phong-a, phong-b]", "[phong-a, phong-c]"),
        [
            f"{F}, dòng 14, mục «reports[bc-6-thang].submitters[2]»: không có đơn vị nào mã "
            "«phong-c» trong danh sách units."
        ],
        id="unknown-submitter",
    ),
    pytest.param(
        BASE.replace("receiver: van-phong", "receiver: van-phong-so"),
        [
            f"{F}, dòng 15, mục «reports[bc-6-thang].receiver»: không có đơn vị nào mã "
            "«van-phong-so» trong danh sách units."
        ],
        id="unknown-receiver",
    ),
    pytest.param(
        BASE.replace("[phong-a, phong-b]", "[]"),
        [
            f"{F}, dòng 14, mục «reports[bc-6-thang].submitters»: báo cáo không có đơn vị nào "
            "phải nộp. Ghi danh sách mã đơn vị, hoặc «all» để mọi đơn vị cùng nộp."
        ],
        id="no-submitters",
    ),
    pytest.param(
        BASE.replace("    submitters: [phong-a, phong-b]\n", ""),
        [f"{F}, dòng 12, mục «reports[bc-6-thang].submitters»: thiếu mục bắt buộc «submitters»."],
        id="submitters-missing",
    ),
    pytest.param(
        BASE.replace("due_before: 05/06/2024", "due_before: 31/06/2024"),
        [
            f"{F}, dòng 16, mục «reports[bc-6-thang].due_before»: «31/06/2024» không phải là ngày "
            "hợp lệ. Viết ngày dạng dd/mm/yyyy (ví dụ 05/06/2024) hoặc yyyy-mm-dd (2024-06-05)."
        ],
        id="deadline-not-a-date",
    ),
    pytest.param(
        BASE.replace("due_before: 05/06/2024", "due_before: đầu tháng sáu"),
        [
            f"{F}, dòng 16, mục «reports[bc-6-thang].due_before»: «đầu tháng sáu» không phải là "
            "ngày hợp lệ. Viết ngày dạng dd/mm/yyyy (ví dụ 05/06/2024) hoặc yyyy-mm-dd "
            "(2024-06-05)."
        ],
        id="deadline-words",
    ),
    pytest.param(
        BASE + "    due_on: 2024-06-04\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].due_on»: chỉ ghi một trong hai: due_before "
            "(trước ngày) hoặc due_on (hạn trong ngày), không ghi cả hai."
        ],
        id="due-before-and-due-on",
    ),
    pytest.param(
        BASE.replace("    due_before: 05/06/2024\n", ""),
        [
            f"{F}, dòng 12, mục «reports[bc-6-thang]»: báo cáo chưa có hạn nộp: ghi due_before "
            "(trước ngày, ví dụ 05/06/2024) hoặc due_on (hạn trong ngày)."
        ],
        id="no-deadline",
    ),
    pytest.param(
        BASE + "    reminders: [7d, 7x]\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].reminders[2]»: «7x» không phải là lịch nhắc "
            "hợp lệ. Dùng ví dụ: 7d (7 ngày trước hạn), 3wd (3 ngày làm việc trước hạn), 2h, 30m, "
            "90s, last_day (ngày cuối), overdue (mỗi ngày làm việc khi đã trễ hạn), hoặc một ngày "
            "như 01/06/2024."
        ],
        id="offset-7x",
    ),
    pytest.param(
        BASE + "    reminders: [3wd, 10/06/2024]\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].reminders[2]»: lịch nhắc «10/06/2024» rơi "
            "vào lúc đã hết hạn (hạn chót là hết ngày 04/06/2024). Để nhắc sau hạn, dùng overdue."
        ],
        id="reminder-after-deadline",
    ),
    pytest.param(
        BASE + "    reminders: [3wd, 1d, 3wd]\n",
        [f"{F}, dòng 17, mục «reports[bc-6-thang].reminders[3]»: lịch nhắc này bị ghi hai lần."],
        id="reminder-twice",
    ),
    pytest.param(
        BASE + "    depends_on: bc-tong-hop\n" + CASCADE + "    depends_on: [bc-6-thang]\n",
        [
            f"{F}, dòng 23, mục «reports[bc-tong-hop].depends_on»: báo cáo tổng hợp phụ thuộc "
            "vòng tròn: bc-6-thang → bc-tong-hop → bc-6-thang. Một báo cáo không thể (gián tiếp) "
            "chờ chính nó."
        ],
        id="cascade-cycle",
    ),
    pytest.param(
        BASE + "    depends_on: [bc-6-thang]\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].depends_on[1]»: báo cáo tổng hợp phụ thuộc "
            "vòng tròn: bc-6-thang → bc-6-thang. Một báo cáo không thể (gián tiếp) chờ chính nó."
        ],
        id="cascade-on-itself",
    ),
    pytest.param(
        BASE + CASCADE.replace("10/06/2024", "01/06/2024") + "    depends_on: [bc-6-thang]\n",
        [
            f"{F}, dòng 22, mục «reports[bc-tong-hop].depends_on[1]»: báo cáo tổng hợp "
            "«bc-tong-hop» (hạn chót hết ngày 31/05/2024) phải có hạn sau báo cáo «bc-6-thang» "
            "mà nó tổng hợp (hạn chót hết ngày 04/06/2024)."
        ],
        id="cascade-due-earlier",
    ),
    pytest.param(
        BASE + CASCADE + "    depends_on: [bc-nam]\n",
        [
            f"{F}, dòng 22, mục «reports[bc-tong-hop].depends_on[1]»: không có báo cáo nào mã "
            "«bc-nam» trong danh sách reports."
        ],
        id="cascade-unknown-report",
    ),
    pytest.param(
        BASE.replace("  name: Sở Thử nghiệm\n", "  name: Sở Thử nghiệm\n  timezone: Asia/Hanoi\n"),
        [
            f"{F}, dòng 3, mục «organisation.timezone»: không có múi giờ «Asia/Hanoi». "
            "Ở Việt Nam dùng Asia/Ho_Chi_Minh."
        ],
        id="unknown-timezone",
    ),
    pytest.param(
        "",
        [
            f"{F}, dòng 1: tệp kế hoạch trống. Hãy chép tệp mẫu "
            "plans/ke-hoach-dan-chu-co-so-2024.yaml rồi sửa lại."
        ],
        id="empty-file",
    ),
    pytest.param(
        "# chỉ có ghi chú\n\n",
        [
            f"{F}, dòng 1: tệp kế hoạch trống. Hãy chép tệp mẫu "
            "plans/ke-hoach-dan-chu-co-so-2024.yaml rồi sửa lại."
        ],
        id="comments-only",
    ),
    pytest.param(
        "- một\n- hai\n",
        [
            f"{F}, dòng 1: tệp kế hoạch phải gồm các mục dạng «tên: giá trị» "
            "(organisation, units, reports...)."
        ],
        id="not-a-mapping",
    ),
    pytest.param(
        BASE.replace("due_before:", "deu_before:"),
        [
            f"{F}, dòng 16, mục «reports[bc-6-thang].deu_before»: không có mục nào tên "
            "«deu_before» (có thể gõ sai tên mục)."
        ],
        id="misspelt-field",
    ),
    pytest.param(
        BASE.replace("id: phong-a", "id: Phòng A").replace("[phong-a, phong-b]", "[phong-b]"),
        [
            f"{F}, dòng 7, mục «units[Phòng A].id»: mã «Phòng A» không hợp lệ: chỉ dùng chữ "
            "thường không dấu, chữ số và dấu gạch ngang (ví dụ phong-ttbcxb), tối đa 64 ký tự."
        ],
        id="bad-unit-id",
    ),
    pytest.param(
        BASE.replace("    type: office\n", ""),
        [
            f"{F}, dòng 3, mục «units»: kế hoạch cần đúng một đơn vị có «type: office» "
            "(Văn phòng Sở, nơi nhận và tổng hợp báo cáo)."
        ],
        id="no-office",
    ),
    pytest.param(
        BASE.replace("    name: Phòng B\n", "    name: Phòng B\n    type: office\n"),
        [
            f"{F}, dòng 11, mục «units[phong-b].type»: chỉ được có một đơn vị loại office "
            "(Văn phòng); ở đây là đơn vị thứ hai."
        ],
        id="two-offices",
    ),
    pytest.param(
        BASE + "    kind: thường xuyên\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].kind»: loại báo cáo «thường xuyên» không hợp "
            "lệ. Chọn một trong: định kỳ, chuyên đề, đột xuất."
        ],
        id="unknown-kind",
    ),
    pytest.param(
        BASE + "    due_time: 25:00\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].due_time»: «25:00» không phải là giờ hợp lệ. "
            "Viết giờ dạng HH:MM, ví dụ 08:00 hoặc 17:30."
        ],
        id="bad-time",
    ),
    pytest.param(
        BASE + "    repeat: {every: month}\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].repeat»: cần ghi đúng một trong hai mục: "
            "count (số kỳ) hoặc until (lặp đến ngày)."
        ],
        id="repeat-without-end",
    ),
    pytest.param(
        BASE + "    repeat: {every: week, count: 4}\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].repeat.every»: chu kỳ «week» không hợp lệ. "
            "Chọn một trong: month (tháng), quarter (quý), half_year (6 tháng), year (năm)."
        ],
        id="unknown-recurrence",
    ),
    pytest.param(
        BASE + "    repeat: {every: month, count: 3}\n    period: year\n",
        [
            f"{F}, dòng 18, mục «reports[bc-6-thang].period»: hai kỳ báo cáo rơi vào cùng kỳ chốt "
            "số liệu «2024»; chu kỳ của period phải khớp với repeat."
        ],
        id="two-instances-in-one-period",
    ),
    pytest.param(
        BASE + "    period: {from: 15/06/2024, to: 14/12/2023}\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].period»: ngày bắt đầu kỳ chốt số liệu "
            "(15/06/2024) sau ngày kết thúc (14/12/2023)."
        ],
        id="period-backwards",
    ),
    pytest.param(
        BASE + "    forward_files: có\n",
        [
            f"{F}, dòng 17, mục «reports[bc-6-thang].forward_files»: phải là true (có) hoặc "
            "false (không)."
        ],
        id="not-a-bool",
    ),
    pytest.param(
        BASE + "settings:\n  summaries: [deadline, hằng tuần]\n",
        [
            f"{F}, dòng 18, mục «settings.summaries[2]»: «hằng tuần» không phải là thời điểm gửi "
            "tóm tắt. Chọn trong: reminder_days (các ngày nhắc), deadline (lúc hết hạn), "
            "day_after (ngày làm việc sau hạn)."
        ],
        id="unknown-summary-moment",
    ),
    pytest.param(
        BASE + "settings:\n  cutoff_day: 31\n",
        [f"{F}, dòng 18, mục «settings.cutoff_day»: phải nhỏ hơn hoặc bằng 28."],
        id="cutoff-day-out-of-range",
    ),
]
