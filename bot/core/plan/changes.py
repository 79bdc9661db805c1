"""What applying a plan changed, and the plan applied last: what the Office is told."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class KeyChanges:
    """Keys of one kind of row that the apply added, updated, archived or restored."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    archived: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.archived or self.restored)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "added": list(self.added),
            "updated": list(self.updated),
            "archived": list(self.archived),
            "restored": list(self.restored),
        }


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What `apply_plan` changed. Instance keys are "report-key/instance-key"."""

    units: KeyChanges = field(default_factory=KeyChanges)
    reports: KeyChanges = field(default_factory=KeyChanges)
    instances: KeyChanges = field(default_factory=KeyChanges)
    organisation_changed: bool = False

    @property
    def changed(self) -> bool:
        return (
            self.organisation_changed
            or self.units.changed
            or self.reports.changed
            or self.instances.changed
        )


@dataclass(frozen=True, slots=True)
class AppliedPlan:
    """The plan applied last: its file's text and path, and its content as JSON."""

    source: str
    path: str
    data: str
