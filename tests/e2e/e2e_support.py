"""Small files the end-to-end tests send, and the department's plan they run on (kept here,
not in conftest, so that any test module imports it whichever conftest pytest loaded last)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The first bytes of a real .docx (a ZIP container); the bot never opens it, only keeps it.
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"word/document.xml" + bytes(64)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def plan_text(today: datetime) -> str:
    """Two reports due in ten and twenty days: Phòng A has both open, Phòng B only the first."""
    first = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    second = (today + timedelta(days=20)).strftime("%d/%m/%Y")
    return f"""\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: ban-giam-doc
    name: Ban Giám đốc Sở
    type: leadership
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-quy
    name: Báo cáo quý
    submitters: all
    receiver: van-phong
    due_before: {first}
    forward_files: true
  - id: bc-chuyen-de
    name: Báo cáo chuyên đề
    kind: chuyên đề
    submitters: [phong-a]
    receiver: van-phong
    due_before: {second}
"""
