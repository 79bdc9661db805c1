"""Signing in with one-time links, over real HTTP: confirm first, one use, clear refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from web_support import LEADERSHIP, OFFICE_UNIT, UNIT, WebWorld, web_world

from bot.core.i18n import t
from bot.core.plan.model import Role
from handlers.web.signin import COOKIE

SECURITY = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def words(key: str, **args: object) -> str:
    """A catalog message as a page shows it (HTML-escaped quotes and all)."""
    import html

    return html.escape(t(key, **args))


def test_opening_a_link_uses_nothing_and_the_button_signs_in(web: WebWorld) -> None:
    path = web.link(role=Role.OFFICE)
    for _ in range(3):  # a chat preview, a mail scanner, then the person
        page = web.client.get(path)
        assert page.status_code == 200
        assert words("signin-confirm-button") in page.text
        assert "Văn phòng" in page.text and COOKIE not in page.headers.get("set-cookie", "")
    value = web.confirm_value(path)
    answer = web.client.post(path, data={"xacnhan": value}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # plain http on this machine
    home = web.client.get("/", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/van-phong")

    again = web.client.post(path, data={"xacnhan": value}, follow_redirects=False)
    assert again.status_code == 410 and words("signin-link-used") in again.text
    assert web.client.get(path).status_code == 410


def test_expired_and_forged_links_get_a_clear_page_and_change_nothing(web: WebWorld) -> None:
    path = web.link(role=Role.OFFICE)
    value = web.confirm_value(path)
    web.clock.advance(timedelta(minutes=15))
    page = web.client.get(path)
    assert page.status_code == 410 and words("signin-link-expired") in page.text
    answer = web.client.post(path, data={"xacnhan": value}, follow_redirects=False)
    assert answer.status_code == 410 and COOKIE not in answer.headers.get("set-cookie", "")

    token = path.rpartition("/")[2]
    for forged in (token[:-2] + "xy", "abc", "a.b", "x" * 300):
        page = web.client.get(f"/dang-nhap/{forged}")
        assert page.status_code == 404 and words("signin-link-forged") in page.text
        posted = web.client.post(f"/dang-nhap/{forged}", data={"xacnhan": value})
        assert posted.status_code == 404 and "set-cookie" not in posted.headers
    assert web.client.get("/", follow_redirects=False).status_code == 200  # still signed out


def test_the_confirm_button_needs_its_own_csrf_value(web: WebWorld) -> None:
    path = web.link(role=Role.OFFICE)
    for data in ({}, {"xacnhan": ""}, {"xacnhan": "sai"}):
        answer = web.client.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 403 and words("web-csrf") in answer.text
    # Another link's value does not fit this one.
    other = web.confirm_value(web.link(role=Role.OFFICE))
    assert web.client.post(path, data={"xacnhan": other}).status_code == 403
    assert web.client.get(path).status_code == 200  # the link is still unused


def test_roles_go_to_their_own_pages(tmp_path: Path) -> None:
    with web_world(tmp_path) as web:
        head = web.contact(UNIT)
        leader = web.contact(LEADERSHIP, role=Role.LEADER, name="Lãnh đạo")
        staff = web.contact(OFFICE_UNIT, role=Role.OFFICE, name="Cán bộ VP")
        for person, target in ((head, "/don-vi"), (leader, "/van-phong"), (staff, "/van-phong")):
            web.client.cookies.clear()
            web.sign_in(person)
            home = web.client.get("/", follow_redirects=False)
            assert (home.status_code, home.headers["location"]) == (303, target)
        web.client.cookies.clear()
        welcome = web.client.get("/", follow_redirects=False)
        assert welcome.status_code == 200 and words("signin-welcome-title") in welcome.text
        assert 'href="/huong-dan"' in welcome.text


def test_a_head_link_lasts_a_day_and_names_the_unit(web: WebWorld) -> None:
    head = web.contact(UNIT, name="Trần Thị Bình")
    path = web.link(head)
    web.clock.advance(timedelta(hours=23))
    page = web.client.get(path)
    assert page.status_code == 200
    assert "Trần Thị Bình" in page.text and "Phòng Thông tin Báo chí và Xuất bản" in page.text


def test_every_response_carries_the_security_headers(web: WebWorld) -> None:
    responses = [
        web.client.get("/"),
        web.client.get("/dang-nhap/abc"),
        web.client.get("/tinh/style.css"),
        web.client.get("/khong-co-trang-nay"),
        web.client.post("/dang-xuat", follow_redirects=False),
    ]
    for response in responses:
        for name, value in SECURITY.items():
            assert response.headers.get(name) == value, (response.url, name)
        assert "strict-transport-security" not in response.headers
    assert responses[0].headers["cache-control"] == "no-store"
    assert responses[2].headers.get("cache-control") != "no-store"  # a stylesheet may be kept


def test_https_adds_hsts_and_secure_cookies(tmp_path: Path) -> None:
    with web_world(tmp_path, public_url="https://baocao.example.vn") as web:
        path = web.link(role=Role.OFFICE)
        page = web.client.get(path)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        answer = web.client.post(
            path, data={"xacnhan": web.confirm_value(path)}, follow_redirects=False
        )
        flags = {part.strip().lower() for part in answer.headers["set-cookie"].split(";")}
        assert "secure" in flags


def test_sign_out_needs_the_csrf_token_and_ends_the_session(web: WebWorld) -> None:
    web.sign_in()
    csrf = web.csrf()
    refused = web.client.post("/dang-xuat", data={"csrf": "sai"}, follow_redirects=False)
    assert refused.status_code == 403 and words("web-csrf") in refused.text
    assert web.client.get("/", follow_redirects=False).status_code == 303  # still signed in
    cookie = web.client.cookies[COOKIE]
    answer = web.client.post("/dang-xuat", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert web.client.get("/", follow_redirects=False).status_code == 200  # the welcome page
    # The old cookie, kept by someone, opens nothing.
    web.client.cookies.set(COOKIE, cookie)
    assert web.client.get("/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("cookie", ["forged", "", "a" * 500, 'x"; y=z'])
def test_a_forged_cookie_is_nobody(web: WebWorld, cookie: str) -> None:
    web.client.cookies.set(COOKIE, cookie)
    page = web.client.get("/", follow_redirects=False)
    assert page.status_code == 200 and words("signin-welcome-title") in page.text
    assert web.client.get("/don-vi/thong-bao").status_code == 401


def test_moving_or_removing_a_contact_signs_them_out(web: WebWorld) -> None:
    head = web.contact(UNIT)
    web.sign_in(head)
    assert web.client.get("/don-vi/thong-bao").status_code == 200
    office = web.deps.office
    web.call(
        lambda: office.move_contact(contact_id=head.id, unit_key="phong-cntt-bcvt", now=web.clock())
    )
    assert web.client.get("/don-vi/thong-bao").status_code == 401

    web.sign_in(head)
    assert web.client.get("/don-vi/thong-bao").status_code == 200
    web.call(lambda: office.remove_contact(contact_id=head.id, now=web.clock()))
    page = web.client.get("/don-vi/thong-bao")
    assert page.status_code == 401 and words("web-sign-in-needed") in page.text
    # A link made before the removal signs nobody in.
    assert web.client.get(web.link(head)).status_code in (200, 410)


def test_a_web_invite_registers_a_contact_and_signs_them_in(web: WebWorld) -> None:
    office = web.deps.office
    invite = web.call(
        lambda: office.create_invite(
            unit_key=UNIT, role=Role.HEAD, ttl=timedelta(days=3), now=web.clock()
        )
    )
    path = f"/moi/{invite.code}"
    page = web.client.get(path)
    assert page.status_code == 200 and "Phòng Thông tin Báo chí và Xuất bản" in page.text
    value = re.search(r'name="xacnhan" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert web.client.post(path, data={"ten": "Lê Văn C"}).status_code == 403  # no CSRF
    blank = web.client.post(path, data={"ten": "   ", "xacnhan": value})
    assert blank.status_code == 400 and words("signin-invite-name-needed") in blank.text
    answer = web.client.post(
        path, data={"ten": " Lê  Văn C\n", "xacnhan": value}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["set-cookie"].startswith(COOKIE)
    home = web.client.get("/", follow_redirects=False)
    assert home.headers["location"] == "/don-vi"
    contacts = web.call(office.list_contacts)
    registered = [c for c in contacts if c.platform == "web"]
    assert [(c.display_name, c.unit_key) for c in registered] == [("Lê Văn C", UNIT)]
    # The invite is used now: a second person gets the invite's own refusal.
    web.client.cookies.clear()
    again = web.client.get(path)
    assert again.status_code == 410 and words("start-used") in again.text
    assert web.client.get("/moi/khong-co").status_code == 404


def test_notices_of_a_web_contact_newest_first_then_read(web: WebWorld) -> None:
    contact = web.contact(UNIT, platform="web", user_id="web-abc")
    notices = web.deps.notices
    web.call(lambda: notices.add_notice(chat_id="web-abc", text="Nhắc hạn một", now=web.clock()))
    later = web.clock() + timedelta(minutes=1)
    web.call(lambda: notices.add_notice(chat_id="web-abc", text="Biên nhận hai", now=later))
    web.sign_in(contact)
    page = web.client.get("/don-vi/thong-bao")
    assert page.status_code == 200
    assert page.text.index("Biên nhận hai") < page.text.index("Nhắc hạn một")
    assert page.text.count('class="unread"') == 2
    assert web.client.get("/don-vi/thong-bao").text.count('class="unread"') == 0
