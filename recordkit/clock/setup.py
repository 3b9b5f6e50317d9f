"""The working folder's procedure setup: its profile and calendar, and the case books
with the profile's checks plugged in (extension limits, links of other records)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recordkit.cases import schema
from recordkit.cases.compliance import capa_link_check
from recordkit.cases.records import IncidentRules, link_check
from recordkit.cases.store import CaseBook, Library
from recordkit.clock.calendar import WorkCalendar
from recordkit.clock.profiles import Profile, load_profile
from recordkit.clock.status import (
    extension_problems,
    form_deadlines,
    register_extras,
    required_problems,
)
from recordkit.config import Config


@dataclass
class ClockSetup:
    """The procedure profile and working-day calendar a working folder configures."""

    profile: Profile
    calendar: WorkCalendar

    @property
    def profile_signature(self) -> str:
        """Changes whenever the profile's rules could change a case's validation result."""
        return hashlib.sha256(repr(self.profile).encode("utf-8")).hexdigest()

    def extension_check(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        prefix = "extension.days (延长天数): "
        found = [
            ("extension.days", m.removeprefix(prefix))
            for m in extension_problems(data, self.profile)
        ]
        return found + required_problems(data, self.profile)

    def deadlines(self, data: dict[str, Any]) -> dict[str, str]:
        return form_deadlines(data, self.profile, self.calendar)

    def row_extras(self, data: dict[str, Any]) -> dict[str, Any]:
        return register_extras(data, self.profile, self.calendar, datetime.now())


def clock_for(config: Config) -> ClockSetup:
    override = str(config.section("procedure").get("calendar_override", "") or "")
    calendar = WorkCalendar(config.root / override if override else None)
    return ClockSetup(load_profile(config.profile, config.root), calendar)


def open_casebook(config: Config, clock: ClockSetup | None = None) -> CaseBook:
    """The case book with the profile's checks (e.g. extension limits) plugged in."""
    clock = clock or clock_for(config)
    return CaseBook(
        config,
        extra_checks=[clock.extension_check],
        check_context=clock.profile_signature,
        live_checks=[capa_link_check(config)],
    )  # the CAPA a case names must exist


def open_book(
    config: Config, rtype: schema.RecordType, clock: ClockSetup | None = None
) -> CaseBook:
    """The book of one record type, with its checks: a record's ``source_case`` must exist,
    an incident's grade must fit the loss thresholds of recordkit.toml."""
    if rtype is schema.CASE:
        return open_casebook(config, clock)
    checks, context = [], ""
    if rtype is schema.INCIDENT:
        rules = IncidentRules.from_config(config)
        checks, context = [rules.check], rules.signature
    return CaseBook(
        config,
        extra_checks=checks,
        check_context=context,
        rtype=rtype,
        live_checks=[link_check(CaseBook(config))],
    )


def open_library(config: Config, clock: ClockSetup | None = None) -> Library:
    """Cases and every other record type of the working folder, each with its checks."""
    clock = clock or clock_for(config)
    return Library(
        config, {t.name: open_book(config, t, clock) for t in schema.RECORD_TYPES.values()}
    )
