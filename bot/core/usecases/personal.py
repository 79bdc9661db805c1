"""Personal data in chat (Law 91/2025/QH15): /dulieu shows a person what is stored about them."""

from __future__ import annotations

from bot.core import formatting as fmt
from bot.core.i18n import t
from bot.core.texts import platform_name
from bot.core.usecases.context import Context, Request


def privacy_contact(ctx: Context) -> str:
    """Whom to ask about one's data: the configured contact, or the Office."""
    return ctx.settings.privacy_contact or t("privacy-office")


async def my_data(ctx: Context, request: Request) -> None:
    """/dulieu: the person's accounts, unit and role, what they sent, and whom to ask."""
    out, chat, contact = request.out, request.chat, request.contact
    if contact is None:  # an admin who is no unit's contact
        await out.send(chat, t("mydata-not-registered"))
        return
    now = ctx.now()
    tz = ctx.settings.timezone
    found = await ctx.repo.personal_summary(contact_id=contact.id, now=now)
    lines = [t("mydata-title")]
    for account in found.accounts:
        lines.append(
            t(
                "mydata-account",
                platform=platform_name(account.platform),
                name=account.display_name,
                user=account.user_id,
            )
        )
    lines.append(
        t(
            "mydata-unit",
            unit=contact.unit_name,
            role=t(f"role-{contact.role.value}"),
            at=fmt.moment(found.registered_at, tz),
        )
    )
    last = found.last_submission_at
    lines.append(
        t(
            "mydata-submissions",
            count=found.submissions,
            last="" if last is None else fmt.moment(last, tz),
        )
    )
    if found.web_sessions:
        lines.append(t("mydata-sessions", count=found.web_sessions))
    lines.append(t("mydata-why", contact=privacy_contact(ctx)))
    await out.send(chat, "\n".join(lines))
