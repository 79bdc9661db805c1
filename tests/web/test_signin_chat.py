"""/web in chat and "Nộp qua web" on a file too big: the person's own one-time sign-in link,
which opens the web app as them."""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urlsplit

from fakes.messenger import FakeMessenger
from web_support import UNIT, WebWorld

from bot.core import buttons
from bot.core.i18n import t
from bot.core.model import (
    Attachment,
    AttachmentKind,
    Callback,
    Chat,
    ChatKind,
    Incoming,
    OtherContent,
    Sender,
)
from bot.core.plan.model import Role


def event(world: WebWorld, user: str, **fields: object) -> Incoming:
    return Incoming(
        chat=Chat("telegram", user, ChatKind.PRIVATE, None),
        sender=Sender(user, f"Người {user}", None),
        received_at=world.clock(),
        source_ref=f"telegram:{user}:{fields}",
        **fields,  # type: ignore[arg-type]
    )


def link_in(text: str) -> str:
    found = re.search(r"(http://\S+/dang-nhap/\S+)", text)
    assert found is not None, text
    return urlsplit(found.group(1)).path


def test_web_sends_the_contact_their_own_link(web: WebWorld) -> None:
    head = web.contact(UNIT, name="Đặng Văn Em", user_id="501")
    out = FakeMessenger()
    core = web.deps.core
    web.call(core.handle, event(web, "501", command="web"), out)
    (sent,) = out.texts("501")
    path = link_in(sent)
    page = web.client.get(path)
    assert page.status_code == 200 and "Đặng Văn Em" in page.text
    value = re.search(r'name="xacnhan" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert web.client.post(path, data={"xacnhan": value}, follow_redirects=False).status_code == 303
    assert web.client.get("/", follow_redirects=False).headers["location"] == "/don-vi"
    assert head.role is Role.HEAD


def test_a_stranger_gets_the_usual_refusal(web: WebWorld) -> None:
    out = FakeMessenger()
    web.call(web.deps.core.handle, event(web, "999", command="web"), out)
    assert out.texts("999") == [t("stranger")]


def test_a_file_too_big_for_chat_comes_with_a_way_to_hand_it_in_on_the_web(web: WebWorld) -> None:
    web.contact(UNIT, name="Phạm Thị Giang", user_id="502")
    out = FakeMessenger()
    big = Attachment(
        AttachmentKind.DOCUMENT, "f1", "bao-cao.pdf", "application/pdf", 30 * 1024 * 1024
    )
    web.call(web.deps.core.handle, event(web, "502", attachment=big), out)
    (sent,) = out.texts("502")
    assert sent.startswith("Tệp quá lớn") and "Nộp qua web" in sent
    assert web.client.get(link_in(sent)).status_code == 200


def test_submit_now_under_a_reminder_also_gives_the_way_to_the_portal(web: WebWorld) -> None:
    web.contact(UNIT, name="Lý Văn Hùng", user_id="503")
    repo = web.deps.core.context.repo
    (instance, *_) = web.call(partial(repo.open_instances, unit_key=UNIT, now=web.clock()))
    out = FakeMessenger()
    pressed = Callback("cb-1", buttons.submit_now(instance.instance_id), None)
    web.call(web.deps.core.handle, event(web, "503", callback=pressed), out)
    (sent,) = out.texts("503")
    assert sent.startswith(t("reminder-submit-how", name=instance.report_name))
    assert "Nộp qua web" in sent
    assert web.client.get(link_in(sent)).status_code == 200


def test_what_chat_cannot_take_comes_with_the_way_to_the_portal(web: WebWorld) -> None:
    web.contact(UNIT, name="Trần Thị Lan", user_id="504")
    out = FakeMessenger()
    web.call(web.deps.core.handle, event(web, "504", other=OtherContent.FILE), out)
    web.call(web.deps.core.handle, event(web, "504", other=OtherContent.STICKER), out)
    file_answer, sticker_answer = out.texts("504")
    assert file_answer.startswith(t("submit-unsupported-file"))
    assert sticker_answer.startswith(t("submit-unsupported", what=t("unsupported-sticker")))
    for sent in (file_answer, sticker_answer):
        assert "Nộp tệp, ảnh trên trang web baocao" in sent
        assert web.client.get(link_in(sent)).status_code == 200
    assert link_in(file_answer) != link_in(sticker_answer)  # each link works once


def test_leadership_and_strangers_get_no_link_for_what_is_not_taken(web: WebWorld) -> None:
    web.contact("ban-giam-doc", role=Role.LEADER, name="Võ Văn Minh", user_id="505")
    out = FakeMessenger()
    web.call(web.deps.core.handle, event(web, "505", other=OtherContent.LOCATION), out)
    web.call(web.deps.core.handle, event(web, "506", other=OtherContent.FILE), out)
    assert out.texts("505") == [t("submit-unsupported", what=t("unsupported-location"))]
    assert out.texts("506") == [t("stranger")]
