"""A person's pending step, one type per kind, and the codec to and from its stored form.

Storage keeps a step as a kind and a JSON payload (`model.Pending`); the use cases only see
these types. `decode` never raises: a payload it cannot read, from an older version or
damaged, is no step at all, which the use cases treat as one that has expired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeGuard

from bot.core import buttons
from bot.core.model import Attachment, AttachmentKind


@dataclass(frozen=True, slots=True)
class TextChoice:
    """A text report waiting for the person to pick its report (or confirm the only one)."""

    text: str
    instances: tuple[int, ...]  # the reports offered, in the buttons' order
    unit: str  # the unit the step was started for: a move to another unit ends it
    unit_name: str

    @property
    def choices(self) -> tuple[str, ...]:
        # One report is confirmed or cancelled; several are picked by position.
        if len(self.instances) == 1:
            return ("0", buttons.CANCEL)
        return positions(len(self.instances))


@dataclass(frozen=True, slots=True)
class FileChoice:
    """A file waiting for the person to pick its report."""

    attachment: Attachment
    note: str | None
    instances: tuple[int, ...]
    unit: str
    unit_name: str

    @property
    def choices(self) -> tuple[str, ...]:
        return positions(len(self.instances))


@dataclass(frozen=True, slots=True)
class SubmitTo:
    """The "submit now" button under a reminder was pressed: what comes next goes there."""

    instance: int
    unit: str

    @property
    def choices(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Offer:
    """Buttons sent from outside the use cases (a reminder's), kept as numbered choices on a
    platform without buttons: each choice is the data of the button with that number."""

    choices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """The Office was asked which report instance to export (several are open)."""

    instances: tuple[int, ...]  # the instances offered, in the buttons' order

    @property
    def choices(self) -> tuple[str, ...]:
        return positions(len(self.instances))


@dataclass(frozen=True, slots=True)
class ReachChoice:
    """A person with accounts on several platforms was asked which one reminders reach."""

    contacts: tuple[int, ...]  # their accounts offered, in the buttons' order

    @property
    def choices(self) -> tuple[str, ...]:
        return positions(len(self.contacts))


Step = TextChoice | FileChoice | SubmitTo | Offer | ExportChoice | ReachChoice
Choosing = TextChoice | FileChoice  # the steps that ask which report


def positions(count: int) -> tuple[str, ...]:
    """The picks of a question listing `count` reports: each by position, then cancel."""
    return (*(str(position) for position in range(count)), buttons.CANCEL)


# The kinds as stored: rows written before steps were typed use the same names.
TEXT, FILE, TARGET, OFFER = "text", "file", "target", "offer"
EXPORT = "export"
REACH = "reach"


def encode(step: Step) -> tuple[str, dict[str, object]]:
    """The kind and payload storage keeps for `step`; `choices` goes along so that what a
    number means can be read without knowing the kind."""
    if isinstance(step, TextChoice):
        return TEXT, {"text": step.text, **_choosing(step)}
    if isinstance(step, FileChoice):
        attachment = step.attachment
        return FILE, {
            "attachment": {
                "kind": attachment.kind.value,
                "file_ref": attachment.file_ref,
                "file_name": attachment.file_name,
                "mime_type": attachment.mime_type,
                "size": attachment.size,
            },
            "note": step.note,
            **_choosing(step),
        }
    if isinstance(step, SubmitTo):
        return TARGET, {"instance": step.instance, "unit": step.unit}
    if isinstance(step, ExportChoice):
        return EXPORT, {"instances": list(step.instances), "choices": list(step.choices)}
    if isinstance(step, ReachChoice):
        return REACH, {"contacts": list(step.contacts), "choices": list(step.choices)}
    return OFFER, {"choices": list(step.choices)}


def _choosing(step: Choosing) -> dict[str, object]:
    return {
        "instances": list(step.instances),
        "unit": step.unit,
        "unit_name": step.unit_name,
        "choices": list(step.choices),
    }


def decode(kind: str, payload: Mapping[str, object]) -> Step | None:
    """The step stored as `kind` and `payload`; None for a kind or payload it cannot read."""
    if kind == OFFER:
        choices = _strings(payload.get("choices"))
        return Offer(choices) if choices else None
    if kind == TARGET:
        instance, unit = payload.get("instance"), payload.get("unit")
        if _is_int(instance) and isinstance(unit, str):
            return SubmitTo(instance, unit)
        return None
    if kind == REACH:
        contacts = payload.get("contacts")
        if isinstance(contacts, list) and contacts and all(_is_int(i) for i in contacts):
            return ReachChoice(tuple(contacts))
        return None
    if kind == EXPORT:
        offered = payload.get("instances")
        if isinstance(offered, list) and offered and all(_is_int(i) for i in offered):
            return ExportChoice(tuple(offered))
        return None
    if kind not in (TEXT, FILE):
        return None
    instances = payload.get("instances")
    unit = payload.get("unit")  # missing in steps saved before steps knew their unit
    unit_name = payload.get("unit_name")
    if (
        not isinstance(instances, list)
        or not instances
        or not all(_is_int(i) for i in instances)
        or not isinstance(unit, str)
    ):
        return None
    ids = tuple(instances)
    name = unit_name if isinstance(unit_name, str) and unit_name else unit
    if kind == TEXT:
        text = payload.get("text")
        return TextChoice(text, ids, unit, name) if isinstance(text, str) else None
    attachment = _attachment(payload.get("attachment"))
    if attachment is None:
        return None
    note = payload.get("note")
    return FileChoice(attachment, note if isinstance(note, str) else None, ids, unit, name)


def _attachment(data: object) -> Attachment | None:
    if not isinstance(data, dict):
        return None
    kind, ref = data.get("kind"), data.get("file_ref")
    name, mime, size = data.get("file_name"), data.get("mime_type"), data.get("size")
    if (
        not isinstance(kind, str)
        or kind not in _ATTACHMENT_KINDS
        or not isinstance(ref, str)
        or not (name is None or isinstance(name, str))
        or not (mime is None or isinstance(mime, str))
        or not (size is None or _is_int(size))
    ):
        return None
    return Attachment(AttachmentKind(kind), ref, name, mime, size)


_ATTACHMENT_KINDS = frozenset(kind.value for kind in AttachmentKind)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return ()
    return tuple(value)
