"""A season of the seed plan in under a minute: the real runtime, dispatcher and storage, with
the console's many-person stage as the platform and a clock that the script moves forward.

Nothing here writes a message of the bot's: every line the transcript shows from the bot comes
from the core or the dispatcher, as it would on Telegram. The script only plays the people
(they redeem invites, send a DOCX, a text, a new version, a late report) and moves time on an
hour at a time, ticking the dispatcher after each step.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import SEED_PLAN, Settings
from bot.core.i18n import t
from bot.core.plan.model import InstanceSpec, Plan, ReportSpec, Role, UnitType
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.reminders import calendar_of
from bot.core.usecases import ReportBot
from handlers.console.stage import Actor, StagePlatform, Transcript

# The plan the demo plays: the seed shipped beside the code, wherever baocao is run from.
SEED = Path(__file__).resolve().parents[1] / SEED_PLAN
# Time moves in half hours: the plan's moments (reminders at 08:00, the closing summary at
# 16:30) fall on them, as they would with the dispatcher ticking every few seconds.
STEP = timedelta(minutes=30)
# Seconds the transcript rests after each message at speed 1: time to read, and the whole
# season still ends well inside a minute.
READING_PAUSE = 0.3


@dataclass(frozen=True, slots=True)
class Moment:
    """Something a person does at a time of the season."""

    at: datetime
    act: Callable[[], Awaitable[None]]


class DemoStopped(Exception):
    """The person stopped the season (Ctrl-C); it ended between two steps."""


class FastClock:
    """The season's time: it moves only when the script moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def settings(folder: Path) -> Settings:
    """Settings of a bot of its own in `folder`: no token, no network, nothing read from .env
    or the environment, so that a demo never touches the Office's real database or bot."""
    return Settings.model_construct(
        data_dir=folder / "data",
        database_url=None,
        telegram_token=None,
        plan=SEED,
        reminders=True,
        web=False,  # a demo opens no port: it may run beside the Office's own baocao
    )


@dataclass
class Script:
    """Who plays, and when each thing happens, worked out from the plan's first report that
    units send to the Office."""

    plan: Plan
    report: ReportSpec
    instance: InstanceSpec
    calendar: WorkingCalendar
    units: list[str]  # the three units that play: on time, on time by text, late
    start: datetime
    end: datetime
    people: dict[str, Actor] = field(default_factory=dict)

    @classmethod
    def for_plan(cls, plan: Plan) -> Script:
        types = {unit.key: unit.type for unit in plan.units}
        report = next(
            r
            for r in plan.reports
            if len(r.submitters) >= 3
            and all(types[key] is UnitType.UNIT for key in r.submitters)
            and types[r.receiver] is UnitType.OFFICE
            and r.instances
            and r.instances[0].reminders
        )
        instance = report.instances[0]
        calendar = calendar_of(plan)
        tz = ZoneInfo(plan.organisation.timezone)
        first = instance.reminders[0].at.astimezone(tz).date()
        start = datetime.combine(first - timedelta(days=1), time(7, 30), tz)
        after = calendar.next_working_day(instance.last_day, inclusive=False)
        end = datetime.combine(after, time(17, 0), tz)
        return cls(plan, report, instance, calendar, list(report.submitters[:3]), start, end)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.plan.organisation.timezone)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz)

    def reminder_days(self) -> list[date]:
        return sorted({r.at.astimezone(self.tz).date() for r in self.instance.reminders})


def write_docx(path: Path, title: str, body: str) -> Path:
    """A small Word document, as a unit's head would send: a heading and the body's lines."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in body.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


async def prepare(config: Settings, plan: Plan, script: Script) -> list[str]:
    """Create the database and apply the plan at the season's start; what was done, in words."""
    from bot.services import apply_plan_file, upgrade_database

    await upgrade_database(config)
    return await apply_plan_file(
        config, plan, path=str(SEED_PLAN), archive=False, at=script.start, actor="demo"
    )


async def play(
    config: Settings,
    script: Script,
    *,
    speed: float = 1.0,
    stream: TextIO | None = None,
    colour: bool | None = None,
    note: Callable[[str], None] = print,
) -> Transcript:
    """Play the season on the real runtime; returns the transcript it was shown on."""
    from bot.app import Runtime
    from bot.services import create_invite

    plan = script.plan
    clock = FastClock(script.start)
    transcript = Transcript(clock, script.tz, stream, colour=colour)
    stages: list[StagePlatform] = []

    def stage_platform(core: ReportBot) -> StagePlatform:
        downloads = Path(config.data_dir).parent / "tep-nhan"
        stages.append(StagePlatform(core, transcript, clock, downloads))
        return stages[-1]

    # Ctrl-C (or SIGTERM) ends the season between two steps, so that nothing is cut off
    # half-way (a database thread calling back into a closed loop prints a traceback).
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stopped.set)
    runtime = Runtime(config, clock=clock, platforms=[stage_platform], ticking=False)
    await runtime.start()
    try:
        (stage,) = stages
        names = [name.strip() for name in t("demo-people").split(",")]
        office = next(u for u in plan.units if u.type is UnitType.OFFICE)
        leaders = next(u for u in plan.units if u.type is UnitType.LEADERSHIP)
        cast = [(key, Role.HEAD) for key in script.units]
        cast += [(office.key, Role.OFFICE), (leaders.key, Role.LEADER)]
        for (unit_key, role), name in zip(cast, names, strict=False):
            actor = Actor(f"{role.value}:{unit_key}", name)
            script.people[unit_key] = actor
            stage.cast(Actor(actor.user_id, f"{name} ({plan.unit(unit_key).short_name})"))
        group_title = t("demo-group-title", office=office.short_name)
        group = script.people[office.key].in_group(f"group:{office.key}", group_title)
        stage.cast(group)

        note(t("demo-step-invites"))
        for unit_key, role in cast:
            if stopped.is_set():
                break
            invite = await create_invite(
                config, unit_key=unit_key, role=role, ttl=timedelta(days=14), at=clock.now
            )
            await stage.says(script.people[unit_key], command="start", args=(invite.code,))
        await stage.says(group, command="nhom")
        note(t("demo-step-time"))

        files = Path(config.data_dir).parent / "tep-mau"
        files.mkdir(parents=True, exist_ok=True)
        on_time, by_text, late = script.units
        days = script.reminder_days()
        name = t("demo-docx-name", unit=plan.unit(on_time).short_name, report=script.report.name)

        async def send_docx(version: int) -> None:
            body = t("demo-docx-body", version=version)
            path = write_docx(files / name, script.report.name, body)
            shown = t("demo-sends-file", name=path.name)
            await stage.says(script.people[on_time], file=path, shown=shown)
            await stage.says(script.people[on_time], text="1")  # the report it is for

        async def send_text() -> None:
            await stage.says(script.people[by_text], text=t("demo-text-report"))
            await stage.says(script.people[by_text], text="1")

        async def send_late() -> None:
            path = write_docx(
                files / t("demo-docx-name", unit=plan.unit(late).short_name, report=""),
                script.report.name,
                t("demo-docx-body", version=1),
            )
            shown = t("demo-sends-file", name=path.name)
            await stage.says(script.people[late], file=path, shown=shown)
            await stage.says(script.people[late], text="1")

        async def leader_asks() -> None:
            await stage.says(script.people[leaders.key], command="tinhhinh")

        after = script.end.date()
        next_day = script.calendar.next_working_day
        second = days[min(1, len(days) - 1)]
        moments = [
            Moment(script.at(next_day(days[0], inclusive=False), 9, 30), lambda: send_docx(1)),
            Moment(script.at(second, 14), send_text),
            Moment(script.at(next_day(second, inclusive=False), 10), lambda: send_docx(2)),
            Moment(script.at(after, 14), send_late),
            Moment(script.at(after, 16), leader_asks),
        ]
        dispatcher = runtime.dispatcher
        assert dispatcher is not None
        shown = transcript.count
        while clock.now < script.end and not stopped.is_set():
            began = loop.time()
            local = clock.now.astimezone(script.tz)
            into = timedelta(minutes=local.minute % 30, seconds=local.second)
            step = min([clock.now - into + STEP, *(m.at for m in moments if m.at > clock.now)])
            clock.now = min(step, script.end)
            for moment in [m for m in moments if m.at == clock.now]:
                await moment.act()
            await dispatcher.tick()
            if transcript.count > shown:
                # The time the step took (a summary's chart is drawn in it) was reading time.
                rest = READING_PAUSE * (transcript.count - shown) / speed
                await asyncio.sleep(max(0.0, rest - (loop.time() - began)))
                shown = transcript.count
    finally:
        await runtime.stop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signal_number)
    if stopped.is_set():
        raise DemoStopped
    return transcript
