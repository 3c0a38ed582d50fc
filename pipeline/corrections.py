"""Known errors in the sources, as data: `data/corrections/<source>.yaml`, one entry per error.

Each entry says where the error is, the value as published, what the pipeline does about it, why, where it was
found, and its status with the publisher:

    status: {state: open}                                          # nobody has told the publisher yet
    status: {state: reported, date: "2026-11-21", channel: "e-mail to the data team"}
    status: {state: acknowledged, date: "...", channel: "..."}     # the publisher confirmed it
    status: {state: fixed_upstream, date: "...", channel: "..."}   # a later release corrects it

A source module applies the entries that are not fixed upstream and checks each against the value as published:
when the value has changed, the build stops and says the publisher may have fixed it — review the entry and,
if so, set its status to fixed_upstream (the entry then stays as history and is no longer applied). The files
are read strictly: a YAML error, a repeated or misspelt key, or a missing field is one message naming the file,
the entry and the key.
"""

from __future__ import annotations

import datetime
import difflib
from pathlib import Path
from typing import Literal, TypeVar

import pydantic

from pipeline import params, paths
from pipeline.errors import PipelineError
from pipeline.settings import Strict

UNODC_PRISONS = paths.UNODC_PRISONS_CORRECTIONS
SISDEPEN = paths.SISDEPEN_CORRECTIONS
STATES = ("open", "reported", "acknowledged", "fixed_upstream")


class Status(Strict):
    state: Literal["open", "reported", "acknowledged", "fixed_upstream"]
    date: datetime.date | None = None  # when it was reported, acknowledged or fixed
    channel: str | None = None  # how: e-mail, the portal's form, an issue tracker, a published erratum

    @pydantic.model_validator(mode="after")
    def _dated(self):
        if self.state != "open" and (self.date is None or not self.channel):
            raise ValueError(f"a status '{self.state}' needs its date (YYYY-MM-DD) and channel")
        return self

    def text(self) -> str:
        if self.state == "open":
            return "open (not yet reported to the publisher)"
        return f"{self.state.replace('_', ' ')} {self.date.isoformat()} ({self.channel})"


class Correction(Strict):
    model_config = pydantic.ConfigDict(extra="forbid", strict=False, frozen=True)  # YAML dates, numbers as given

    id: str
    published: float  # the value as the publisher prints it: the guard compares the file with it
    reason: str
    found_in: str  # where the error was found (a report, the mirror's notes, a plausibility rule)
    status: Status

    @property
    def applies(self) -> bool:
        """False once the publisher has fixed the error: the entry is kept as history, not applied."""
        return self.status.state != "fixed_upstream"


class UnodcPrisonsCorrection(Correction):
    where: dict[str, str | int]  # column -> value of the tidy UNODC table (iso3, indicator, ..., year, unit)
    action: Literal["drop"]


class SisdepenCorrection(Correction):
    state: str  # two-letter state code
    period: str  # YYYY-06 or YYYY-12
    measure: str
    sex: Literal["female", "male"]
    action: Literal["outlier_treatment", "keep", "exclude", "replace"]
    # A unit's name as published: the entry is then an error in that unit's people (block 4.1, `measure` its class's
    # count, `published` its people of `sex`), corrected in that unit alone; without it, in the state's incidences.
    unit: str | None = None

    @pydantic.model_validator(mode="after")
    def _unit_entry(self):
        if self.unit is None:
            return self
        if not self.measure.startswith("people_"):
            raise ValueError(f"a unit's entry corrects its people: 'measure' must be a count of people "
                             f"(people_in_cells, people_electronic_monitoring, ...), not '{self.measure}'")
        if self.action == "outlier_treatment":
            raise ValueError("a unit's entry states its own action: keep | exclude (the unit left out that "
                             "semester) | replace (by the unit's nearest semester)")
        return self


Entry = TypeVar("Entry", bound=Correction)


def load(path: Path, model: type[Entry]) -> list[Entry]:
    """Every entry of a corrections file, validated; any problem is one message naming the file and entry."""
    entries = params.read_yaml(path, "the corrections file") or []
    if not isinstance(entries, list):
        raise PipelineError("expected a list of entries (each starting with '- id:')", file=path,
                            fix="see the comment at the top of the file for the shape of an entry")
    loaded, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        name = entry.get("id", f"#{number}") if isinstance(entry, dict) else f"#{number}"
        try:
            correction = model.model_validate(entry)
        except pydantic.ValidationError as error:
            raise PipelineError(f"entry '{name}': {_problem(error, model)}", file=path,
                                fix=f"the keys of an entry are: {', '.join(model.model_fields)}; status is "
                                    f"{{state: {' | '.join(STATES)}, date, channel}}") from None
        if correction.id in seen:
            raise PipelineError(f"entry id '{correction.id}' is used twice", file=path,
                                fix="give each known error its own id")
        seen.add(correction.id)
        loaded.append(correction)
    return loaded


def changed_message(correction: Correction, found) -> str:
    """The guard's message when the file no longer holds the value an entry was written for (`found`: the
    values the file has there, or words)."""
    if isinstance(found, list):
        found = "no such row" if not found else " and ".join(f"{value:,.10g}" for value in found)
    return (f"correction '{correction.id}' (status: {correction.status.text()}) was written for the published value "
            f"{correction.published:,.10g}, but the file now has {found}: the publisher may have fixed or revised it")


def changed_fix(publisher: str) -> str:
    return (f"compare with {publisher}'s current release; if they fixed it, set the entry's status to "
            "{state: fixed_upstream, date, channel} (it is then kept as history and no longer applied); "
            "otherwise update 'published' and the reason")


def _problem(error: pydantic.ValidationError, model) -> str:
    first = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    where = ".".join(map(str, first["loc"]))
    if first["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(first["loc"][-1]), list(model.model_fields), n=1)
        return f"unknown key '{where}'" + (f" (did you mean '{close[0]}'?)" if close else "")
    if first["type"] == "missing":
        return f"key '{where}' is missing"
    message = first["msg"].removeprefix("Value error, ")
    return f"'{where}': {message.lower()}" if where else message  # no key: a check of the whole entry
