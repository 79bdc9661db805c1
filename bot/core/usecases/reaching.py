"""Where reminders reach a person with accounts on several platforms: asked after they link a
second account, and again with /nhacqua; the Office can set it too (OfficeDesk). Replies to what
a person sends always go to the chat they wrote from."""

from __future__ import annotations

import logging

from bot.core import buttons, steps
from bot.core.i18n import t
from bot.core.model import Button, Contact
from bot.core.texts import platform_name
from bot.core.usecases.context import Context, Request

log = logging.getLogger(__name__)


async def choose(ctx: Context, request: Request) -> None:
    """/nhacqua: the person's linked chats as choices; one chat only is said so."""
    assert request.contact is not None
    await ask(ctx, request, request.contact)


async def ask(ctx: Context, request: Request, contact: Contact) -> None:
    """Ask on which of their accounts reminders should reach the person."""
    accounts = await ctx.repo.linked(contact_id=contact.id)
    if len(accounts) < 2:
        await request.out.send(request.chat, t("reach-only-one"))
        return
    step = steps.ReachChoice(tuple(account.id for account in accounts))
    token = await ctx.save_step(request, step)
    current = next((a for a in accounts if a.reaches), accounts[0])
    labels = [
        t(
            "reach-button-current" if account is current else "reach-button",
            platform=platform_name(account.platform),
        )
        for account in accounts
    ]
    keyboard = tuple(
        (Button(label, buttons.choice(token, pick)),)
        for label, pick in zip([*labels, t("button-cancel")], step.choices, strict=True)
    )
    text = t("reach-which", count=len(accounts), current=platform_name(current.platform))
    await ctx.say(request.out, request.chat, text, keyboard)


async def pressed(ctx: Context, request: Request, choice: buttons.Choice) -> bool:
    """A pick in the question `ask` put, if `choice` answers one; False when the button
    belongs to another question (the caller goes on with it)."""
    answers, step = await ctx.press(request, choice, steps.ReachChoice)
    if step is None:
        return answers
    contact = await ctx.repo.contact(platform=request.platform, user_id=request.user_id)
    accounts = [] if contact is None else await ctx.repo.linked(contact_id=contact.id)
    current = next((a for a in accounts if a.reaches), None)
    if choice.cancelled:
        if current is not None:
            await _close_prompt(request, t("reach-kept", platform=platform_name(current.platform)))
        return True
    wanted = step.contacts[choice.position] if choice.position < len(step.contacts) else None
    account = next((a for a in accounts if a.id == wanted), None)
    if account is None:  # removed meanwhile, or a damaged button
        await _close_prompt(request, t("reach-stale"))
        return True
    chosen = await ctx.repo.set_reach(
        contact_id=account.id, now=ctx.now(), actor=f"{request.platform}:{request.user_id}"
    )
    await _close_prompt(request, t("reach-chosen", platform=platform_name(chosen.platform)))
    return True


async def _close_prompt(request: Request, text: str) -> None:
    """Replace the question and its buttons by what happened, so no button is left to press."""
    callback = request.incoming.callback
    message = callback.message if callback else None
    if message is not None:
        try:
            await request.out.edit(message, text)
            return
        except Exception:  # the question may be deleted: the choice holds, told anew
            log.warning("could not replace the reach question", exc_info=True)
    await request.out.send(request.chat, text)
