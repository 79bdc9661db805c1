"""Asking which report a text or file is for: the candidates, the question and its buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.core import buttons, steps
from bot.core import formatting as fmt
from bot.core.cleaning import shorten
from bot.core.i18n import t
from bot.core.model import Button, Contact, Keyboard, OpenInstance
from bot.core.usecases.context import Context, Request, is_correction

BUTTON_LABEL = 60  # characters on a button, so that a phone shows them whole enough


async def choose(
    ctx: Context,
    request: Request,
    contact: Contact,
    step: steps.Choosing,
    question: Callable[[list[OpenInstance]], str],
) -> list[OpenInstance] | None:
    """Find where a submission goes; ask with buttons unless it is obvious and a file.

    The one report to take a file at once; [] when a question was asked (the answer comes
    as a press or a number); None when nothing is open, which the person has been told.
    """
    now = ctx.now()
    instances = await ctx.candidates(contact, now)
    if not instances:
        lines = [t("submit-nothing-open", unit=contact.unit_name)]
        lines.extend(await ctx.upcoming_lines(contact.unit_key, now))
        await request.out.send(request.chat, "\n\n".join(lines))
        return None
    saved = await ctx.peek_step(request)
    target = saved.step if saved is not None else None
    if isinstance(target, steps.SubmitTo) and target.unit == contact.unit_key:
        chosen = [i for i in instances if i.instance_id == target.instance]
        instances = chosen or instances
        if chosen and isinstance(step, steps.FileChoice):
            await ctx.repo.drop_pending(platform=request.platform, user_id=request.user_id)
    file = isinstance(step, steps.FileChoice)
    if file and len(instances) == 1 and not is_correction(instances[0], now):
        return instances
    # The step belongs to the unit it was started for, whatever happens to the person.
    step = replace(
        step,
        instances=tuple(i.instance_id for i in instances),
        unit=contact.unit_key,
        unit_name=contact.unit_name,
    )
    token = await ctx.save_step(request, step)
    keyboard = _keyboard(token, step, instances, ctx)
    await ctx.say(request.out, request.chat, question(instances), keyboard)
    return []


def _keyboard(
    token: str, step: steps.Choosing, instances: list[OpenInstance], ctx: Context
) -> Keyboard:
    """The question's buttons, carrying the step's choices in order: what a number also picks."""
    picks = step.choices
    if isinstance(step, steps.TextChoice) and len(instances) == 1:
        labels = [t("button-submit"), t("button-cancel")]
        return (
            tuple(
                Button(label, buttons.choice(token, pick))
                for label, pick in zip(labels, picks, strict=True)
            ),
        )
    now = ctx.now()
    labels = [*(_label(i, now) for i in instances), t("button-cancel")]
    return tuple(
        (Button(label, buttons.choice(token, pick)),)
        for label, pick in zip(labels, picks, strict=True)
    )


def _label(instance: OpenInstance, now: datetime) -> str:
    """The report's name; for a correction, also its deadline, which tells periods apart."""
    if not is_correction(instance, now):
        return shorten(t("button-report", name=instance.report_name), BUTTON_LABEL)
    deadline = fmt.deadline(instance.deadline)
    room = BUTTON_LABEL - len(t("button-correct", name="", deadline=deadline))
    name = shorten(instance.report_name, max(room, 12))
    return shorten(t("button-correct", name=name, deadline=deadline), BUTTON_LABEL)
