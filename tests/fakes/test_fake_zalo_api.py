"""The fake Zalo Bot API, driven over HTTP with httpx the way a client would."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from fakes.zalo_api import BLOCKED_DESCRIPTION, SECRET_HEADER, FakeZalo, ZaloUser

SECRET = "s3cret-token-42"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"

JSON = dict[str, Any]


class Api:
    """A bare client of the fake: POST with a JSON body, nothing else."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, body: JSON | None = None) -> httpx.Response:
        return await self.client.post(method, json={} if body is None else body)

    async def ok(self, method: str, body: JSON | None = None) -> Any:
        response = await self.call(method, body)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["ok"] is True, answer
        return answer.get("result")


class Receiver:
    """The bot's side of a webhook and a place the bot's photos live."""

    def __init__(self) -> None:
        self.hits: list[tuple[str | None, Any]] = []  # (secret header, JSON body)
        self.statuses: deque[int] = deque()  # scripted answers, then 200
        self.secret: str | None = None  # answer 403 to any other secret
        self.url = ""

    async def hook(self, request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER)
        if self.secret is not None and secret != self.secret:
            return web.Response(status=403)
        self.hits.append((secret, await request.json()))
        return web.Response(status=self.statuses.popleft() if self.statuses else 200)

    async def image(self, request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text="<html>not a picture</html>", content_type="text/html")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def api(fake: FakeZalo) -> AsyncIterator[Api]:
    base = f"{fake.api_url}/bot{fake.token}/"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield Api(client)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    app = web.Application()
    app.router.add_post("/hook", state.hook)
    app.router.add_get("/chart.jpg", state.image)
    app.router.add_get("/page", state.page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
async def alice(fake: FakeZalo) -> ZaloUser:
    """A person who wrote to the bot once (so the bot may answer her); the update is taken."""
    person = fake.user("a1b2c3d4e5f6", "Nguyễn Văn A")
    await fake.send_text(person, "xin chào")
    fake.discard_pending()
    return person


async def poll(api: Api, seconds: Any = 0.2) -> httpx.Response:
    return await api.call("getUpdates", {"timeout": seconds})


# ---- happy paths ------------------------------------------------------------------------------


async def test_get_me_answers_the_documented_bot_fields(fake: FakeZalo, api: Api) -> None:
    me = await api.ok("getMe")
    assert set(me) == {"id", "account_name", "account_type", "can_join_groups"}
    assert me["id"] == fake.token.split(":")[0] and me["can_join_groups"] is False
    assert await api.ok("getWebhookInfo") == {"url": "", "updated_at": 0}
    fake.assert_clean()


async def test_sends_answer_a_message_id_and_a_date_in_milliseconds(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    sent = await api.ok("sendMessage", {"chat_id": alice.id, "text": "Chào anh A"})
    assert set(sent) == {"message_id", "date"}
    assert isinstance(sent["message_id"], str) and abs(sent["date"] / 1000 - time.time()) < 5
    sticker = await api.ok("sendSticker", {"chat_id": alice.id, "sticker": "0e078a2fb66a5f34067b"})
    assert sticker["message_id"] != sent["message_id"]
    response = await api.call("sendChatAction", {"chat_id": alice.id, "action": "typing"})
    assert response.json() == {"ok": True}  # the docs' sample: no result at all
    long_text = "á" * 2000  # the limit itself is fine
    await api.ok("sendMessage", {"chat_id": alice.id, "text": long_text})
    assert [m["text"] for m in fake.messages_to(alice.id)] == ["Chào anh A", long_text]
    assert [c.method for c in fake.calls] == [
        "sendMessage",
        "sendSticker",
        "sendChatAction",
        "sendMessage",
    ]
    method, body, answer = fake.calls[0]
    assert (method, body["text"], answer["ok"]) == ("sendMessage", "Chào anh A", True)
    fake.assert_clean()


async def test_a_text_update_has_the_documented_shape(fake: FakeZalo, api: Api) -> None:
    bob = fake.user("b0b0b0b0b0b0", "Trần Thị B")
    mid = await fake.send_text(bob, "ABC123")
    update = (await poll(api)).json()["result"]
    assert update == {
        "event_name": "message.text.received",
        "message": {
            "message_id": mid,
            "date": update["message"]["date"],
            "from": {"id": bob.id, "display_name": "Trần Thị B", "is_bot": False},
            "chat": {"id": bob.id, "chat_type": "PRIVATE"},
            "text": "ABC123",
        },
    }
    assert abs(update["message"]["date"] / 1000 - time.time()) < 5
    fake.sender_name_field = "name"
    await fake.send_text(bob, "lần hai")
    sender = (await poll(api)).json()["result"]["message"]["from"]
    assert sender == {"id": bob.id, "name": "Trần Thị B", "is_bot": False}
    fake.assert_clean()


async def test_get_updates_hands_out_one_update_per_call(fake: FakeZalo, api: Api) -> None:
    bob = fake.user("b0b0b0b0b0b0", "B")
    first = await fake.send_text(bob, "một")
    second = await fake.send_text(bob, "hai")
    answers = [(await poll(api, "0.2")).json() for _ in range(3)]
    assert isinstance(answers[0]["result"], dict)
    assert [a["result"]["message"]["message_id"] for a in answers[:2]] == [first, second]
    assert answers[2] == {"ok": False, "error_code": 408, "description": "Request timeout"}
    fake.assert_clean()


async def test_an_idle_poll_answers_408_with_http_200_or_408(fake: FakeZalo, api: Api) -> None:
    response = await poll(api, 0.1)
    assert response.status_code == 200
    assert response.json() == {"ok": False, "error_code": 408, "description": "Request timeout"}
    fake.timeout_status = 408
    response = await poll(api, "0")
    assert response.status_code == 408
    assert response.json()["error_code"] == 408
    assert fake.rejected == []


async def test_a_held_poll_gets_what_arrives_and_two_polls_never_share(
    fake: FakeZalo, api: Api
) -> None:
    bob = fake.user("b0b0b0b0b0b0", "B")
    polls = [asyncio.create_task(poll(api, 5)) for _ in range(2)]
    await fake.wait_polling(count=2)
    sent = {await fake.send_text(bob, "một"), await fake.send_text(bob, "hai")}
    answers = [(await task).json() for task in polls]
    assert {a["result"]["message"]["message_id"] for a in answers} == sent
    assert fake.pending == 0
    fake.assert_clean()


async def test_images_are_served_by_the_fake_in_either_field(fake: FakeZalo, api: Api) -> None:
    bob = fake.user("b0b0b0b0b0b0", "B")
    await fake.send_image(bob, JPEG, caption="Báo cáo tháng")
    message = (await poll(api)).json()["result"]["message"]
    assert message["caption"] == "Báo cáo tháng" and "photo" not in message
    url = message["photo_url"]
    assert url.startswith(f"{fake.api_url}/files/") and url.endswith(".jpg")
    async with httpx.AsyncClient() as client:
        picture = await client.get(url)
        assert picture.headers["content-type"] == "image/jpeg" and picture.content == JPEG
        fake.image_field = "photo"
        await fake.send_image(bob, JPEG)
        message = (await poll(api)).json()["result"]["message"]
        assert "photo_url" not in message and "caption" not in message
        fake.fail_next_download(404)
        assert (await client.get(message["photo"])).status_code == 404
        assert (await client.get(message["photo"])).status_code == 200
    fake.assert_clean()


async def test_stickers_unsupported_and_protected_users(fake: FakeZalo, api: Api) -> None:
    bob = fake.user("b0b0b0b0b0b0", "B")
    kid = fake.user("c1c1c1c1c1c1", "Bé C", protected=True)
    await fake.send_sticker(bob, "abc")
    await fake.send_unsupported(bob)
    await fake.send_text(kid, "bí mật")
    await fake.send_image(kid, JPEG)
    updates = [(await poll(api)).json()["result"] for _ in range(4)]
    assert [u["event_name"] for u in updates] == [
        "message.sticker.received",
        "message.unsupported.received",
        "message.unsupported.received",
        "message.unsupported.received",
    ]
    assert updates[0]["message"]["sticker"] == "abc" and "url" in updates[0]["message"]
    for update in updates[1:]:
        assert set(update["message"]) == {"message_id", "date", "from", "chat"}
    await api.ok("sendMessage", {"chat_id": kid.id, "text": "Chào bé"})  # she did write
    fake.assert_clean()


async def test_redeliver_and_send_raw(fake: FakeZalo, api: Api) -> None:
    bob = fake.user("b0b0b0b0b0b0", "B")
    mid = await fake.send_text(bob, "một lần")
    await fake.redeliver(mid)
    raw = {"event_name": "message.reaction.received", "message": {"whatever": 1}}
    assert await fake.send_raw(raw) is None
    results = [(await poll(api)).json()["result"] for _ in range(3)]
    assert results[0] == results[1] and results[0]["message"]["message_id"] == mid
    assert results[2] == raw
    fake.assert_clean()


# ---- strictness -------------------------------------------------------------------------------

ALICE = "<alice>"
PHOTO = "https://example.org/chart.jpg"

BAD_CALLS: list[tuple[str, JSON, int]] = [
    ("sendMesage", {"chat_id": ALICE, "text": "x"}, 404),
    ("getme", {}, 404),
    ("sendMessage", {"chat_id": ALICE}, 400),
    ("sendMessage", {"text": "x"}, 400),
    ("sendMessage", {"chat_id": ALICE, "text": "x", "parse_mode": "html"}, 400),
    ("sendMessage", {"chat_id": 12345, "text": "x"}, 400),
    ("sendMessage", {"chat_id": ALICE, "text": None}, 400),
    ("sendMessage", {"chat_id": ALICE, "text": ""}, 400),
    ("sendMessage", {"chat_id": ALICE, "text": " \n "}, 400),
    ("sendMessage", {"chat_id": ALICE, "text": "a" * 2001}, 400),
    ("sendMessage", {"chat_id": ALICE, "text": "😀" * 1001}, 400),  # 2002 UTF-16 units
    ("sendMessage", {"chat_id": "never-wrote", "text": "x"}, 400),
    ("sendPhoto", {"chat_id": ALICE, "photo": PHOTO, "caption": "c" * 2001}, 400),
    ("sendPhoto", {"chat_id": ALICE, "photo": PHOTO, "caption": ""}, 400),
    ("sendPhoto", {"chat_id": ALICE, "photo": "chart.jpg"}, 400),
    ("sendPhoto", {"chat_id": ALICE, "photo": PHOTO, "reply_markup": {}}, 400),
    ("sendSticker", {"chat_id": ALICE}, 400),
    ("sendChatAction", {"chat_id": ALICE, "action": "dancing"}, 400),
    ("setWebhook", {"url": "https://example.org/hook"}, 400),
    ("setWebhook", {"url": "https://example.org/hook", "secret_token": "short"}, 400),
    ("setWebhook", {"url": "https://example.org/hook", "secret_token": "s" * 257}, 400),
    ("setWebhook", {"url": "https://example.org/hook", "secret_token": "with space"}, 400),
    ("setWebhook", {"url": "http://example.org/hook", "secret_token": SECRET}, 400),
    ("setWebhook", {"url": "ftp://127.0.0.1/hook", "secret_token": SECRET}, 400),
    ("deleteWebhook", {"drop_pending_updates": True}, 400),
    ("getMe", {"extra": 1}, 400),
    ("getUpdates", {"timeout": "soon"}, 400),
    ("getUpdates", {"timeout": True}, 400),
    ("getUpdates", {"timeout": -1}, 400),
    ("getUpdates", {"offset": 5}, 400),
]


@pytest.mark.parametrize(("method", "body", "code"), BAD_CALLS)
async def test_a_call_that_breaks_the_api_is_answered_and_recorded(
    fake: FakeZalo, api: Api, alice: ZaloUser, method: str, body: JSON, code: int
) -> None:
    body = {k: (alice.id if v == ALICE else v) for k, v in body.items()}
    response = await api.call(method, body)
    answer = response.json()
    assert response.status_code == code
    assert answer["ok"] is False and answer["error_code"] == code and answer["description"]
    assert [c.method for c in fake.rejected] == [method]
    assert fake.rejected[0].reason
    assert fake.messages_to(alice.id) == [] and fake.webhook_url == ""
    with pytest.raises(AssertionError, match="broke the Zalo Bot API"):
        fake.assert_clean()
    assert fake.pop_rejected() and fake.rejected == []


async def test_requests_that_are_not_a_json_post_are_rejected(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    client = api.client
    get = await client.get("getMe")
    assert (get.status_code, get.json()["error_code"]) == (405, 405)
    form = await client.post("sendMessage", data={"chat_id": alice.id, "text": "x"})
    assert form.status_code == 400
    listed = await client.post("sendMessage", json=[alice.id, "x"])
    assert listed.status_code == 400
    broken = await client.post(
        "getMe", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    empty = await client.post("getMe", headers={"Content-Type": "application/json"})
    assert empty.json()["ok"] is True  # no body counts as {}
    wrong_token = await client.post(f"{fake.api_url}/bot123:nope/getMe", json={})
    assert (wrong_token.status_code, wrong_token.json()["error_code"]) == (401, 401)
    elsewhere = await client.post(f"{fake.api_url}/getMe", json={})
    assert elsewhere.status_code == 404
    assert len(fake.rejected) == 6 and fake.messages_to(alice.id) == []


async def test_a_local_http_webhook_is_allowed_but_recorded(fake: FakeZalo, api: Api) -> None:
    url = "http://localhost:1/hook"
    assert await api.ok("setWebhook", {"url": url, "secret_token": SECRET}) == {
        "url": url,
        "updated_at": fake.calls[-1].answer["result"]["updated_at"],
    }
    assert fake.insecure_webhooks == [url] and fake.webhook_secret == SECRET
    assert (await api.ok("getWebhookInfo"))["url"] == url
    fake.assert_clean()


async def test_get_updates_while_a_webhook_is_set_is_an_error(fake: FakeZalo, api: Api) -> None:
    await api.ok("setWebhook", {"url": "https://bot.example.org/zalo", "secret_token": SECRET})
    response = await poll(api)
    assert response.json()["ok"] is False and response.json()["error_code"] == 409
    assert [c.method for c in fake.pop_rejected("webhook")] == ["getUpdates"]
    assert (await api.ok("deleteWebhook"))["url"] == ""
    assert (await poll(api, 0)).json()["error_code"] == 408
    fake.assert_clean()


# ---- webhook ----------------------------------------------------------------------------------


async def test_updates_are_posted_to_the_webhook_with_the_secret(
    fake: FakeZalo, api: Api, receiver: Receiver
) -> None:
    bob = fake.user("b0b0b0b0b0b0", "B")
    early = await fake.send_text(bob, "trước webhook")
    await api.ok("setWebhook", {"url": f"{receiver.url}/hook", "secret_token": SECRET})
    await fake.wait_webhook_answers(1)
    late = await fake.send_text(bob, "sau webhook")
    assert await fake.wait_webhook_answers(2) == [200, 200]
    assert [secret for secret, _ in receiver.hits] == [SECRET, SECRET]
    bodies = [body for _, body in receiver.hits]
    assert [b["event_name"] for b in bodies] == ["message.text.received"] * 2
    assert [b["message"]["message_id"] for b in bodies] == [early, late]
    await api.ok("deleteWebhook")
    again = await fake.send_text(bob, "lại polling")
    assert (await poll(api)).json()["result"]["message"]["message_id"] == again
    assert len(receiver.hits) == 2
    fake.assert_clean()


async def test_the_wrapped_webhook_form(fake: FakeZalo, api: Api, receiver: Receiver) -> None:
    fake.webhook_wrapped = True
    await api.ok("setWebhook", {"url": f"{receiver.url}/hook", "secret_token": SECRET})
    mid = await fake.send_text(fake.user("b0b0b0b0b0b0", "B"), "gói")
    await fake.wait_webhook_answers(1)
    body = receiver.hits[0][1]
    assert body["ok"] is True and body["result"]["message"]["message_id"] == mid
    fake.assert_clean()


async def test_a_failed_delivery_is_retried_then_given_up(
    fake: FakeZalo, api: Api, receiver: Receiver
) -> None:
    fake.webhook_retry_delay = 0.01
    receiver.statuses.extend([500, 503])
    await api.ok("setWebhook", {"url": f"{receiver.url}/hook", "secret_token": SECRET})
    mid = await fake.send_text(fake.user("b0b0b0b0b0b0", "B"), "thử lại")
    assert await fake.wait_webhook_answers(3) == [500, 503, 200]
    assert {body["message"]["message_id"] for _, body in receiver.hits} == {mid}
    fake.webhook_retries = 1
    receiver.statuses.extend([500, 500])
    lost = await fake.send_text(fake.user("b0b0b0b0b0b0", "B"), "mất")
    await fake.wait_webhook_answers(5)
    await fake.wait_drained()
    assert fake.webhook_answers[3:] == [500, 500]
    assert [u["message"]["message_id"] for u in fake.webhook_dropped] == [lost]


async def test_deliver_webhook_posts_one_update_with_any_secret(
    fake: FakeZalo, api: Api, receiver: Receiver
) -> None:
    receiver.secret = SECRET
    fake.webhook_target = f"{receiver.url}/hook"  # the bot registers an https url
    await api.ok("setWebhook", {"url": "https://bot.example.org/zalo", "secret_token": SECRET})
    update = fake.build_update(fake.user("b0b0b0b0b0b0", "B"), "message.text.received")
    assert await fake.deliver_webhook(update, secret="wrong-secret") == 403
    assert await fake.deliver_webhook(update) == 200
    assert fake.webhook_answers == [403, 200] and len(receiver.hits) == 1
    assert fake.insecure_webhooks == []
    fake.assert_clean()


async def test_an_unreachable_webhook_counts_as_no_answer(fake: FakeZalo, api: Api) -> None:
    fake.webhook_retries = 0
    await api.ok("setWebhook", {"url": "http://127.0.0.1:1/hook", "secret_token": SECRET})
    await fake.send_text(fake.user("b0b0b0b0b0b0", "B"), "không ai nghe")
    assert await fake.wait_webhook_answers(1) == [0]


# ---- faults -----------------------------------------------------------------------------------


async def test_rate_limit_answers_429_with_retry_after(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    fake.rate_limit(2, retry_after=3)
    for _ in range(2):
        response = await api.call("sendMessage", {"chat_id": alice.id, "text": "nhiều"})
        assert response.status_code == 429 and response.headers["Retry-After"] == "3"
        answer = response.json()
        assert answer["error_code"] == 429 and answer["parameters"] == {"retry_after": 3}
    await api.ok("sendMessage", {"chat_id": alice.id, "text": "nhiều"})
    fake.rate_limit(1, retry_after=2, form="header")
    response = await api.call("sendPhoto", {"chat_id": alice.id, "photo": PHOTO})
    assert "parameters" not in response.json() and response.headers["Retry-After"] == "2"
    fake.rate_limit(1, form="none")
    response = await api.call("sendChatAction", {"chat_id": alice.id, "action": "typing"})
    assert response.status_code == 429 and "Retry-After" not in response.headers
    assert len(fake.messages_to(alice.id)) == 1 and fake.photos_to(alice.id) == []
    fake.assert_clean()


async def test_an_expired_token_answers_401_everywhere(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    fake.expire_token()
    calls: list[tuple[str, JSON]] = [
        ("getMe", {}),
        ("getUpdates", {"timeout": 0}),
        ("sendMessage", {"chat_id": alice.id, "text": "x"}),
    ]
    for method, body in calls:
        response = await api.call(method, body)
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    fake.restore_token()
    await api.ok("getMe")
    fake.assert_clean()


async def test_fail_next_block_and_error_status_forms(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    fake.fail_next("sendMessage", error_code=400, description="Something odd")
    response = await api.call("sendMessage", {"chat_id": alice.id, "text": "một"})
    assert response.json() == {"ok": False, "error_code": 400, "description": "Something odd"}
    await api.ok("sendMessage", {"chat_id": alice.id, "text": "hai"})
    fake.block(alice)
    response = await api.call("sendMessage", {"chat_id": alice.id, "text": "ba"})
    assert response.status_code == 403 and response.json()["description"] == BLOCKED_DESCRIPTION
    fake.errors_as_http_200 = True
    response = await api.call("sendPhoto", {"chat_id": alice.id, "photo": PHOTO})
    assert response.status_code == 200 and response.json()["error_code"] == 403
    fake.unblock(alice)
    fake.fail_next("getUpdates", error_code=502, http_status=502)
    assert (await poll(api)).status_code == 502
    assert [m["text"] for m in fake.messages_to(alice.id)] == ["hai"]
    fake.assert_clean()


async def test_latency_is_added_to_every_answer(fake: FakeZalo, api: Api) -> None:
    fake.latency = 0.1
    began = time.perf_counter()
    await api.ok("getMe")
    assert time.perf_counter() - began >= 0.1


# ---- photos the bot sends ---------------------------------------------------------------------


async def test_a_sent_photo_is_fetched_like_zalo_does(
    fake: FakeZalo, api: Api, alice: ZaloUser, receiver: Receiver
) -> None:
    body = {"chat_id": alice.id, "photo": f"{receiver.url}/chart.jpg", "caption": "Tổng hợp"}
    await api.ok("sendPhoto", body)
    assert fake.photos_to(alice.id) == [body] and fake.photo_bytes(alice.id) == [JPEG]
    fake.assert_clean()
    await api.ok("sendPhoto", {"chat_id": alice.id, "photo": f"{receiver.url}/page"})
    await api.ok("sendPhoto", {"chat_id": alice.id, "photo": "http://127.0.0.1:1/gone.jpg"})
    assert fake.photo_bytes(alice.id) == [JPEG, None, None]
    assert len(fake.photo_failures) == 2
    with pytest.raises(AssertionError, match="could not fetch"):
        fake.assert_clean()
    fake.photo_failures.clear()
    fake.photo_fetch_failure_is_error = True
    response = await api.call("sendPhoto", {"chat_id": alice.id, "photo": f"{receiver.url}/page"})
    assert response.status_code == 400 and response.json()["ok"] is False
    assert len(fake.photos_to(alice.id)) == 3 and fake.rejected == []


# ---- waiting ----------------------------------------------------------------------------------


async def test_wait_for_message_looks_from_the_users_last_message(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    await api.ok("sendMessage", {"chat_id": alice.id, "text": "tin cũ"})
    await fake.send_text(alice, "1")

    async def bot_answers() -> None:
        await asyncio.sleep(0.05)
        await api.ok("sendMessage", {"chat_id": alice.id, "text": "Đã ghi nhận báo cáo"})

    task = asyncio.create_task(bot_answers())
    reply = await fake.wait_for_message(alice.id, contains="ghi nhận")
    await task
    assert reply == {"chat_id": alice.id, "text": "Đã ghi nhận báo cáo"}
    with pytest.raises(AssertionError, match="tin cũ"):
        await fake.wait_for_message(alice.id, contains="tin cũ", timeout=0.1)
    assert (await fake.wait_for_message(alice.id, contains="cũ", since=0))["text"] == "tin cũ"
    await api.ok("sendPhoto", {"chat_id": alice.id, "photo": fake.add_file(JPEG)})
    assert (await fake.wait_for_photo(alice.id))["chat_id"] == alice.id
    fake.mark()
    with pytest.raises(AssertionError):
        await fake.wait_for_message(alice.id, timeout=0.05)
    fake.assert_clean()


async def test_wait_for_calls_counts_answered_calls(
    fake: FakeZalo, api: Api, alice: ZaloUser
) -> None:
    async def typing() -> None:
        for _ in range(3):
            await api.ok("sendChatAction", {"chat_id": alice.id, "action": "typing"})

    task = asyncio.create_task(typing())
    calls = await fake.wait_for_calls("sendChatAction", 3)
    await task
    assert len(calls) == 3 and all(c.ok for c in calls)
    with pytest.raises(AssertionError):
        await fake.wait_for_calls("sendMessage", 1, timeout=0.05)
