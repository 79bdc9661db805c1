"""Answers to a pending step: a pressed button, or its number where there are no buttons;
the reminder's "submit now"; cancelling."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.core import buttons, steps
from bot.core.i18n import t
from bot.core.model import Callback, Contact, Keyboard
from bot.core.usecases import exporting, reaching, web
from bot.core.usecases.context import Context, Request
from bot.core.usecases.submission import accept_file, accept_text, receipt_to

log = logging.getLogger(__name__)


async def cancel(ctx: Context, request: Request) -> None:
    """Drop the person's pending step, if any."""
    dropped = await ctx.repo.drop_pending(platform=request.platform, user_id=request.user_id)
    await request.out.send(request.chat, t("cancel-done" if dropped else "cancel-nothing"))


async def offer(ctx: Context, *, platform: str, user_id: str, keyboard: Keyboard) -> None:
    """Keep buttons sent from outside the use cases (a reminder's) as the person's numbered
    choices, on a platform without buttons: the numbers answer the latest list shown."""
    kind, payload = steps.encode(steps.Offer(tuple(b.data for b in buttons.flat(keyboard))))
    await ctx.repo.save_pending(
        platform=platform, user_id=user_id, kind=kind, payload=payload, now=ctx.now()
    )


async def number(ctx: Context, request: Request, picked: int) -> None:
    """A number answering the numbered choices: the same as pressing that button."""
    saved = await ctx.peek_step(request)
    picks = saved.step.choices if saved is not None and saved.step is not None else ()
    if saved is None or not picks:
        await request.out.send(request.chat, ctx.words(request.out, "choice-nothing-offered"))
        return
    if not 1 <= picked <= len(picks):
        await request.out.send(
            request.chat, t("choice-not-offered", number=picked, count=len(picks))
        )
        return
    pick = picks[picked - 1]
    data = pick if isinstance(saved.step, steps.Offer) else buttons.choice(saved.token, pick)
    press = Callback(callback_id=f"number:{request.incoming.source_ref}", data=data, message=None)
    await press_button(
        ctx, replace(request, incoming=replace(request.incoming, text=None, callback=press))
    )


async def press_button(ctx: Context, request: Request) -> None:
    """A pressed button: the step it belongs to goes on, once, for the person it was made for."""
    callback = request.incoming.callback
    assert callback is not None
    out = request.out
    pressed = buttons.decode(callback.data)
    if pressed is None:
        await out.answer(callback.callback_id, t("button-invalid"))
        return
    if isinstance(pressed, buttons.Choice) and await exporting.pressed(ctx, request, pressed):
        return
    if isinstance(pressed, buttons.Choice) and await reaching.pressed(ctx, request, pressed):
        return
    contact = await ctx.repo.contact(platform=request.platform, user_id=request.user_id)
    if contact is None:
        await out.answer(callback.callback_id, t("button-not-yours"))
        return
    request = replace(request, contact=contact)
    if isinstance(pressed, buttons.SubmitNow):
        await _submit_now(ctx, request, contact, pressed.instance_id)
        return
    # The person is part of the key: someone else sending the same data finds nothing.
    source_ref = f"button:{request.platform}:{request.user_id}:{pressed.token}"
    saved = await ctx.take_step(request, pressed.token)
    if saved is None:
        earlier = await ctx.repo.receipt_for(source_ref=source_ref)
        if earlier is not None:  # the same press delivered again after a restart
            await out.answer(callback.callback_id)
            await receipt_to(ctx, out, request.chat, earlier)
        else:
            await out.answer(callback.callback_id, ctx.words(out, "button-stale"))
        return
    await out.answer(callback.callback_id)
    if pressed.cancelled:
        await _close_prompt(request, t("submit-cancelled"))
        return
    step = saved.step
    # A step stored by an older version, or damaged, is treated as one that has expired.
    if not isinstance(step, steps.TextChoice | steps.FileChoice) or pressed.position >= len(
        step.instances
    ):
        await _close_prompt(request, ctx.words(out, "button-stale"))
        return
    if step.unit != contact.unit_key:
        await _close_prompt(
            request, t("submit-unit-changed", started=step.unit_name, unit=contact.unit_name)
        )
        return
    open_now = await ctx.candidates(contact, ctx.now())
    wanted = step.instances[pressed.position]
    instance = next((i for i in open_now if i.instance_id == wanted), None)
    if instance is None:
        await _close_prompt(request, t("submit-closed"))
        return
    await _close_prompt(request, t("submit-chosen", name=instance.report_name))
    if isinstance(step, steps.TextChoice):
        await accept_text(ctx, request, contact, instance, step.text, source_ref=source_ref)
    else:
        await accept_file(
            ctx, request, contact, instance, step.attachment, note=step.note, source_ref=source_ref
        )


async def _submit_now(ctx: Context, request: Request, contact: Contact, instance_id: int) -> None:
    """The "submit now" button under a reminder: what the person sends next goes there."""
    callback = request.incoming.callback
    assert callback is not None
    instances = await ctx.candidates(contact, ctx.now())
    instance = next((i for i in instances if i.instance_id == instance_id), None)
    if instance is None:
        await request.out.answer(callback.callback_id, t("reminder-report-closed"))
        return
    await ctx.save_step(request, steps.SubmitTo(instance_id, contact.unit_key))
    await request.out.answer(callback.callback_id)
    text = ctx.words(request.out, "reminder-submit-how", name=instance.report_name)
    if ctx.web is not None:  # a file too big for chat goes on the portal: the way there, too
        text += "\n\n" + await web.link_line(ctx, request, contact, key="web-upload-instead")
    await request.out.send(request.chat, text)


async def _close_prompt(request: Request, text: str) -> None:
    """Replace the question and its buttons by what happened, so no button is left to press."""
    callback = request.incoming.callback
    message = callback.message if callback else None
    if message is not None:
        try:
            await request.out.edit(message, text)
            return
        except Exception:
            # The question may be deleted or refused: the step goes on, told anew.
            log.warning("could not replace the question; sending the outcome", exc_info=True)
    await request.out.send(request.chat, text)
