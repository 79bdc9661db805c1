"""The office group's summary through the running bot and the fake Bot API: the text, then
the progress chart as a photo (sendPhoto, checked against the Bot API's spec)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from conftest import TZ, Office, plan_text
from fakes.telegram_api import Call, FakeTelegram
from PIL import Image

from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role


async def test_the_office_groups_summary_is_followed_by_its_chart(
    office: Office, fake: FakeTelegram
) -> None:
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    clock = [real_now]
    await office.start_bot(clock=lambda: clock[0])
    mai = fake.user(1005, "Mai")
    await office.register(mai, "van-phong", Role.OFFICE)
    group = fake.group_chat(-100500, "Văn phòng Sở")
    await fake.send_text(mai, "/nhom", chat=group)
    await fake.wait_for_message(-100500, contains="Đã gắn nhóm")

    start = fake.mark()
    clock[0] = quarterly.reminders[0].at + timedelta(minutes=1)  # a reminder day's summary
    summary = await fake.wait_for_message(-100500, contains="đơn vị đã nộp", timeout=20)
    assert summary["text"].startswith("Báo cáo quý, trước ngày ")

    def to_group(call: Call) -> bool:
        return str(call.params.get("chat_id")) == "-100500"

    photo = await fake.wait_for("sendPhoto", to_group, timeout=20, since=start)
    assert photo.ok
    upload = photo.files["photo"]
    assert upload.filename is not None and upload.filename.startswith("Tiến độ bc-quy")
    assert upload.filename.endswith(".png")
    with Image.open(io.BytesIO(upload.data)) as image:
        assert (image.format, image.size) == ("PNG", (1080, 1280))
    assert photo.params.get("caption") == "Biểu đồ tiến độ: Báo cáo quý"
    methods = [
        c.method
        for c in fake.calls[start:]
        if c.method in ("sendMessage", "sendPhoto") and to_group(c)
    ]
    assert methods[:2] == ["sendMessage", "sendPhoto"]  # the text, then its chart
    assert fake.violations == []
