"""What the running bot logs while a contact registers, submits and is reminded: one line per
record, and no token anywhere (Telegram's, the metrics token, the database password)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from conftest import TZ, Office, plan_text
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram

from bot.app import OneLine, RedactSecrets, secrets_of
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role

METRICS_TOKEN = "metrics-t0ken-nobody-may-see-0042"


class Lines(logging.Handler):
    """Each record as the production handler writes it (redacted, then formatted)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured(secrets: list[str]) -> Iterator[Lines]:
    handler = Lines()
    handler.addFilter(RedactSecrets(secrets))
    handler.setFormatter(OneLine(tracebacks=True))  # the most that is ever written
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)  # as in production
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_season_in_the_log_without_a_secret(office: Office, fake: FakeTelegram) -> None:
    office.config = office.config.model_copy(
        update={"metrics_token": __import__("pydantic").SecretStr(METRICS_TOKEN)}
    )
    real_now = datetime.now(UTC)
    plan = parse_plan(plan_text(real_now.astimezone(TZ)), "p.yaml")
    quarterly = next(r for r in plan.reports if r.key == "bc-quy").instances[0]
    first = quarterly.reminders[0].at
    clock = [real_now]
    secrets = secrets_of(office.config)
    assert fake.token in secrets and METRICS_TOKEN in secrets
    with captured(secrets) as log:
        await office.start_bot(clock=lambda: clock[0])
        binh = fake.user(1002, "Bình")
        await office.register(binh, "phong-b")  # one report open: a file goes straight to it
        report = fake.add_file(DOCX, file_name="quy.docx", mime_type=DOCX_MIME)
        await fake.send_document(binh, report)
        await fake.wait_for_message(1002, contains="Biên nhận")
        clock[0] = first + timedelta(minutes=1)
        # Phòng B has reported: the office staff get the summary instead; Phòng A is reminded
        # with nobody registered. Wait until the loop has handled the due rows.
        await office.register(fake.user(1005, "Văn phòng"), "van-phong", Role.OFFICE)
        clock[0] = first + timedelta(minutes=2)
        await fake.wait_for_message(1005, contains="đơn vị đã nộp")  # the summary
        # An unexpected error, as a library would log it, carrying the token and a link.
        try:
            raise RuntimeError(f"boom at {fake.base_url}/bot{fake.token}/getMe and /dang-nhap/Zx9")
        except RuntimeError:
            logging.getLogger("baocao").exception("something broke")
        await office.stop_bot()
    assert log.lines, "the bot logged nothing"
    text = "\n".join(log.lines)
    for secret in (fake.token, METRICS_TOKEN):
        assert secret not in text
    assert "Zx9" not in text
    for line in log.lines:
        assert "\n" not in line and "\r" not in line, line
    (broke,) = [line for line in log.lines if "something broke" in line]
    assert "error_id=" in broke and "RuntimeError" in broke
