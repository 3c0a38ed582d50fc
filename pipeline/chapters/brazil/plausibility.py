"""Data quality of SISDEPEN state totals: plausibility rules, known errors, and the treatment applied.

Every rule is general and writes findings (rule, state, period, measure, sex, value, evidence) to one table:

- `spike`: a state's semester `ratio` times above (or below) BOTH neighbouring semesters, and at least
  `min_change` away from each: a one-semester spike, not a level shift.
- `per_capita`: a state's offence incidences per person held in the units that report incidences, above
  `max_ratio` times the median of all states for the same sex and semester. A level that stays wrong is
  flagged for every semester it lasts, which the spike rule cannot see.
- `coverage`: the units that report any incidence hold less than `min_pct` percent of a state's people in
  cells (of one sex): the national incidences and shares then cover that state only in part.
- `unit_incidence_jump`: the spike and per-capita rules applied to one unit, outside the state-semesters they
  treat: its offence incidences of one sex `ratio` times above both semesters around it in which it recorded any,
  `min_change` above the higher, and more per person than the per-capita limit for a state. Treated as
  `brazil.outlier_treatment` says in that unit alone (both sexes), before its state's incidences are summed again.
- `unit_incidence_sex`: a unit that records offence incidences of a sex it holds none of, while it holds the
  other sex (one sex's offences typed into the other's columns). Counted as the sex it holds, or as recorded, as
  `brazil.incidences_of_sex_not_held` says.
- `known_error`: an entry of `data/corrections/sisdepen.yaml` no rule found. Each entry is checked against
  the value as published, so a fix by SENAPPEN makes the pipeline fail until the entry is reviewed.

Two rules on the units counted as electronic monitoring (listed, never treated):

- `monitoring_in_cell`: units whose name marks electronic monitoring AND a physical cell (params.yaml
  `brazil.monitoring_in_cell_pattern`, e.g. São Paulo's "… – MONITORAMENTO ELETRÔNICO – CELA FÍSICA"): their
  people may be held in a cell. Counted as `brazil.monitoring_in_cell_treatment` says (monitored, as their name
  says, or in cells); listed per state, semester and sex with what that does to the national count monitored.
- `unit_reclassified`: a unit counted as electronic monitoring or home detention in one semester and in another
  class in the previous one (or the reverse). The files have no unit code, so a unit is followed by its state,
  municipality and name without the class markers (the segments between dashes that the monitoring, domiciliary or
  in-cell pattern matches: "COMPAJ - SEMIABERTO MASCULINO - Capital" and "COMPAJ - SEMIABERTO MASCULINO - Capital -
  MONITORAMENTO ELETRÔNICO" are one unit; a name with no dash loses the marking word: "NÚCLEO DA CASA DO ALBERGADO
  DOMICILIAR"; punctuation is ignored: "SEAPAC", "SEAP/AC"); it is reclassified when its class in one semester is
  gone in the next and monitoring or home detention appears (or the reverse). A monitoring unit opened beside a unit
  that goes on holding people is not. Listed with its people before and after. A move to or from monitoring: their
  share of that semester's national count monitored and of the monitoring growth from `monitoring_base_period`
  (observed, and implied by the claimed growth). A move between cells and home detention: their part of the change
  in the national count of people in cells between the two semesters (in 2020-12 such units make about half of the
  women's fall in cells).

Seven rules on every unit's people, all listed: `unit_jump`, a unit's count far from its neighbouring semesters;
`unit_copy`, two units of one semester whose people are the same in every count of block 4.1 (one form's counts
written twice); `unit_repeat`, a unit whose people are the same in every count of block 4.1 as in the semester it
reported before (the previous form's counts sent again); `unit_repeat_moved`, a unit whose counts hold those
numbers, court by court and sex by sex, with some under another legal situation; `unit_sex_copy`, a unit whose
women are its men in every count of block 4.1 (one sex's counts typed into the other's columns); `unit_count_gap`, a
unit's people by legal situation (block 4.1) far above the same form's count by age group (block 5.1) in one
semester, while the two counts agree in the semesters around (one count mistyped); `unit_absent`, a unit with no row
in a semester's file between two semesters in which it holds people (its people are in no count that semester).
They follow a unit across
semesters by its state, municipality and name, and across a new name where `renamed_units` finds one (params.yaml
`brazil.follow_renamed_units`): the files have no unit code, and some states renamed most of their units at once
(Minas Gerais and Goiás in December 2020). One rule on a unit's offences, listed: `unit_offence_repeat`, a unit
whose offence incidences (block 5.14) are the same, item by item, as in the semester it reported before.

A finding of the spike or per-capita rule, or a known error, is treated as params.yaml
`brazil.outlier_treatment` says (keep, exclude, or replace by the state's last untreated semester), for the
whole state-semester: both sexes, every incidence measure. Coverage findings and the findings on people are
listed, never treated. A count of people changes only through a known error that names a unit (`unit` in the
corrections file): checked against that unit's count as published, and corrected in that unit alone as its own
action says (exclude it, or replace it by the unit's nearest semester), before states and the nation are summed.
The rules read every count as published.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

import numpy as np
import pandas as pd

from pipeline import corrections, paths
from pipeline.errors import PipelineError
from pipeline.rounding import fixed, half_away

CORRECTIONS = paths.SISDEPEN_CORRECTIONS
TREATMENTS = ("keep", "exclude", "replace")
RATE_MEASURE = "incidences_per_person_in_reporting_units"
COVERAGE_MEASURE = "people_in_cells_in_reporting_units_pct"
PEOPLE_PREFIX = "people_"  # the prefix of the counts of people: never treated by state-semester, only a unit's known error
FINDING_COLUMNS = ["rule", "state", "period", "measure", "sex", "value", "evidence"]
QUALITY_COLUMNS = [*FINDING_COLUMNS, "known_error", "correction_id", "treatment", "effect"]
# The units a unit rule's finding lists (a tuple of names in capitals, as its evidence writes them): a known error of
# one unit applies to the findings that list it, and their effect names the units it leaves as published. Not a column
# of the table; the findings of the state rules have none.
UNITS = "units"
_PEOPLE = {"female": "women", "male": "men"}
_PERSON = {"female": "woman", "male": "man"}
_OTHER_SEX = {"female": "male", "male": "female"}


# ------------------------------------------------------------------------------------------ Spikes ---

def detect_outliers(series: pd.DataFrame, ratio: float, min_change: float) -> pd.DataFrame:
    """Rows of `series` (state, period, measure, sex, value) that spike against both neighbouring semesters.

    Neighbours are the previous and next semester present for the same state, measure and sex. Both must
    be positive: a neighbour of zero (a state that reported nothing) is no basis for comparison, and the
    first and last semester of a state's series cannot be told apart from a level shift, so they are not
    tested (next to a spike they would otherwise be flagged themselves).
    """
    key = ["state", "measure", "sex"]
    ordered = series.sort_values([*key, "period"], kind="stable").reset_index(drop=True)
    grouped = ordered.groupby(key, sort=False)["value"]
    ordered["previous"] = grouped.shift(1)
    ordered["next"] = grouped.shift(-1)
    spikes = [_departs(ordered, side, ratio, min_change) for side in ("previous", "next")]
    usable = ordered["previous"].gt(0) & ordered["next"].gt(0)
    up = usable & spikes[0]["up"] & spikes[1]["up"]
    down = usable & spikes[0]["down"] & spikes[1]["down"]
    flagged = ordered[up | down].copy()
    flagged["direction"] = np.where(up[up | down], "spike", "drop")
    flagged["ratio_to_previous"] = half_away(flagged["value"] / flagged["previous"], 2)
    flagged["ratio_to_next"] = half_away(flagged["value"] / flagged["next"], 2)
    return flagged.reset_index(drop=True)


def _departs(table: pd.DataFrame, side: str, ratio: float, min_change: float) -> dict[str, pd.Series]:
    value, neighbour = table["value"], table[side]
    far = (value - neighbour).abs() >= min_change
    return {"up": far & (value >= ratio * neighbour), "down": far & (value * ratio <= neighbour)}


def spike_findings(outliers: pd.DataFrame) -> pd.DataFrame:
    """Outliers of `detect_outliers` as findings of the rule `spike`."""
    evidence = [f"{o.direction}: {o.ratio_to_previous:g} times the previous semester ({o.previous:,.0f}) and "
                f"{o.ratio_to_next:g} times the next ({o.next:,.0f})" for o in outliers.itertuples()]
    return outliers.assign(rule="spike", evidence=evidence).reindex(columns=FINDING_COLUMNS)


# -------------------------------------------------------------------------------- Per-capita rates ---

def incidence_rates(people: pd.DataFrame, incidences: pd.DataFrame) -> pd.DataFrame:
    """Per state, semester and sex: people in cells, the share of them in units that report incidences, and
    incidences per person in those units (numerator and denominator from the same units).

    `people` and `incidences` are unit-level (state, period, unit_row, sex, value) for the units whose
    incidences are counted; a unit reports incidences when it records at least one for that sex.
    """
    key = ["state", "period", "unit_row", "sex"]
    units = people.groupby(key)["value"].sum().rename("people").to_frame().join(
        incidences.groupby(key)["value"].sum().rename("incidences"), how="left").fillna({"incidences": 0})
    units["people_in_reporting_units"] = units["people"].where(units["incidences"] > 0, 0)
    rates = units.groupby(["state", "period", "sex"]).sum().reset_index()
    rates["coverage_pct"] = 100 * rates["people_in_reporting_units"] / rates["people"]
    reporting = rates["people_in_reporting_units"] > 0
    rates["rate"] = (rates["incidences"] / rates["people_in_reporting_units"]).where(reporting)
    rates["national_median"] = rates.groupby(["period", "sex"])["rate"].transform("median")
    rates["states_in_median"] = rates.groupby(["period", "sex"])["rate"].transform("count")
    return rates


def per_capita_findings(rates: pd.DataFrame, max_ratio: float) -> pd.DataFrame:
    """State-semester-sex rates above `max_ratio` times the national median of the same sex and semester."""
    high = rates[rates["rate"] > max_ratio * rates["national_median"]]
    evidence = [f"{r.incidences:,.0f} incidences for {r.people_in_reporting_units:,.0f} {_PEOPLE[r.sex]} in the "
                f"units that report them ({fixed(r.coverage_pct, 1)}% of the state's {_PEOPLE[r.sex]} in cells): "
                f"{fixed(r.rate, 2)} per {_PERSON[r.sex]}, {fixed(r.rate / r.national_median, 1)} times the median of "
                f"{r.states_in_median} states ({fixed(r.national_median, 2)}); limit {max_ratio:g} times the median "
                f"({fixed(max_ratio * r.national_median, 2)})" for r in high.itertuples()]
    return high.assign(rule="per_capita", measure=RATE_MEASURE, value=half_away(high["rate"], 2),
                       evidence=evidence).reindex(columns=FINDING_COLUMNS)


def coverage_findings(rates: pd.DataFrame, min_pct: float) -> pd.DataFrame:
    """State-semester-sex where the units reporting incidences hold less than `min_pct`% of people in cells."""
    low = rates[(rates["people"] > 0) & (rates["coverage_pct"] < min_pct)]
    national = rates.groupby(["period", "sex"])["people"].sum()
    evidence = [f"incidences recorded: {r.incidences:,.0f}; the units that report any hold "
                f"{r.people_in_reporting_units:,.0f} of the state's {r.people:,.0f} {_PEOPLE[r.sex]} in cells; "
                f"the other {r.people - r.people_in_reporting_units:,.0f} are "
                f"{fixed(100 * (r.people - r.people_in_reporting_units) / national[(r.period, r.sex)], 1)}% of "
                f"{_PEOPLE[r.sex]} in cells nationally" for r in low.itertuples()]
    return low.assign(rule="coverage", measure=COVERAGE_MEASURE, value=half_away(low["coverage_pct"], 1),
                      evidence=evidence).reindex(columns=FINDING_COLUMNS)


# -------------------------------------------------------------------------------- Known errors ---

def load_corrections(state_values: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Known errors still open with the publisher, each checked against the value as published: in the state
    totals (`state_values`), or, for an entry naming a unit, in that unit's people (`units`, UNIT_COLUMNS). An entry
    fixed upstream is kept in the file as history and not applied."""
    entries = [entry for entry in corrections.load(CORRECTIONS, corrections.SisdepenCorrection) if entry.applies]
    table = pd.DataFrame([entry.model_dump(include=set(CORRECTION_COLUMNS)) for entry in entries],
                         columns=CORRECTION_COLUMNS)
    indexed = state_values.set_index(["state", "period", "measure", "sex"])["value"]
    people = units.groupby(["state", "period", "unit_name", "sex"], observed=True)["people"].sum()
    for entry in entries:
        if entry.unit is None:
            found = indexed.get((entry.state, entry.period, entry.measure, entry.sex))
        else:
            _named_once(units, entry)
            found = people.get((entry.state, entry.period, entry.unit, entry.sex))
        if found is None or float(found) != entry.published:
            raise PipelineError(corrections.changed_message(entry, "no such value" if found is None
                                                            else f"{float(found):,.0f}"),
                                file=CORRECTIONS, fix=corrections.changed_fix("SENAPPEN"))
    return table.astype({"period": str})


CORRECTION_COLUMNS = ["id", "state", "period", "measure", "sex", "published", "action", "reason", "found_in", "unit"]


def _named_once(units: pd.DataFrame, entry) -> None:
    """A unit's entry names one unit: the files have no unit code, so two units of one name in a state-semester
    (in different municipalities) cannot be told apart."""
    same = units[(units["state"] == entry.state) & (units["period"] == entry.period)
                 & (units["unit_name"] == entry.unit)]
    if same["municipality"].nunique() > 1:
        raise PipelineError(f"correction '{entry.id}': {entry.state} {entry.period} has "
                            f"{same['municipality'].nunique()} units named '{entry.unit}' (in "
                            f"{', '.join(sorted(same['municipality'].astype(str).unique()))})", file=CORRECTIONS,
                            fix="this entry cannot tell them apart: correct the state's count instead, or leave it")


# --------------------------------------------------------------------- Known errors in a unit's people ---

def unit_entries(corrections: pd.DataFrame) -> pd.DataFrame:
    """The known errors that correct a unit's people (they name a unit), except those kept as published."""
    if "unit" not in corrections:
        return corrections.iloc[0:0].assign(unit=pd.Series(dtype=object))
    return corrections[corrections["unit"].notna() & (corrections["action"] != "keep")].reset_index(drop=True)


def unit_sources(units: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """For each unit entry to replace, the semester whose counts replace it: the unit's last earlier semester with
    people of that sex that no entry corrects, or its first later one when it has no earlier one (the first
    semester of the files). `units` has UNIT_COLUMNS."""
    people = units.groupby(["state", "unit_name", "sex", "period"], observed=True)["people"].sum()
    corrected = set(zip(entries["state"], entries["unit"], entries["sex"], entries["period"]))
    rows = []
    for entry in entries[entries["action"] == "replace"].itertuples():
        series = people.get((entry.state, entry.unit, entry.sex))
        usable = [] if series is None else [period for period, value in series.items() if value > 0 and
                                            (entry.state, entry.unit, entry.sex, period) not in corrected]
        earlier = [period for period in usable if period < entry.period]
        later = [period for period in usable if period > entry.period]
        if not earlier and not later:
            raise PipelineError(f"correction '{entry.id}': the unit '{entry.unit}' ({entry.state}) has no other "
                                f"semester with {_PEOPLE[entry.sex]} to replace {entry.period} by",
                                file=CORRECTIONS, fix="give the entry the action exclude, or keep")
        rows.append({"id": entry.id, "source_period": earlier[-1] if earlier else later[0]})
    return pd.DataFrame(rows, columns=["id", "source_period"])


def correct_units(tidy: pd.DataFrame, entries: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The establishment rows with each corrected unit's people (block 4.1) of its semester and sex left out
    (exclude), or replaced by the unit's rows of its source semester (replace: every legal situation, court and
    jurisdiction as the unit reported them then). Other blocks, sexes and units are untouched."""
    if entries.empty:
        return tidy
    source = sources.set_index("id")["source_period"]
    population = tidy["block"] == "population"
    drop = pd.Series(False, index=tidy.index)
    copies = []
    for entry in entries.itertuples():
        unit = population & (tidy["state"] == entry.state) & (tidy["unit_name"] == entry.unit) \
            & (tidy["sex"] == entry.sex)
        drop |= unit & (tidy["period"] == entry.period)
        if entry.action == "replace":
            copies.append(tidy[unit & (tidy["period"] == source[entry.id])].assign(period=entry.period))
    kept = tidy[~drop]
    return pd.concat([kept, *copies], ignore_index=True).astype(tidy.dtypes.to_dict()) if copies else kept


def unit_effects(entries: pd.DataFrame, sources: pd.DataFrame, units: pd.DataFrame, published: pd.DataFrame,
                 corrected: pd.DataFrame) -> dict[str, str]:
    """Per unit entry (by id), what its correction did: the unit's people as published and as counted, and the
    state's and national count of its measure as published (`published`: state values as published) and with this
    correction alone. Where other entries correct the same measure, sex and semester, the national count with all of
    them (`corrected`, the value the chapter publishes) follows."""
    source = sources.set_index("id")["source_period"]
    people = units.groupby(["state", "unit_name", "sex", "period"], observed=True)["people"].sum()
    key = ["state", "period", "measure", "sex"]
    before, after = (table.groupby(key)["value"].sum() for table in (published, corrected))
    sharing = entries.groupby(["period", "measure", "sex"])["id"].transform("size") if len(entries) else []
    effects = {}
    for entry, shared in zip(entries.itertuples(), sharing):
        who, name = _PEOPLE[entry.sex], f"'{entry.unit.upper()}'"
        state_before = before.get((entry.state, entry.period, entry.measure, entry.sex), 0)
        national_before = before.xs((entry.period, entry.measure, entry.sex), level=[1, 2, 3]).sum()
        counted = people[(entry.state, entry.unit, entry.sex, source[entry.id])] if entry.action == "replace" else 0
        change = counted - entry.published
        counts = (f"the state's count: {state_before + change:,.0f} instead of {state_before:,.0f}; "
                  f"the national count: {national_before + change:,.0f} instead of {national_before:,.0f}")
        if shared > 1:
            national_after = after.xs((entry.period, entry.measure, entry.sex), level=[1, 2, 3]).sum()
            counts += f"; with all {shared} corrections of that semester: {national_after:,.0f}"
        if entry.action == "replace":
            effects[entry.id] = (f"replaced: {name}, {entry.published:,.0f} {who} in {entry.period} as published, "
                                 f"counted as its {counted:,.0f} of {source[entry.id]} (each legal situation as then); "
                                 f"{counts}")
        else:
            effects[entry.id] = (f"left out: {name}, {entry.published:,.0f} {who} in {entry.period} as published; "
                                 f"{counts}")
    return effects


# -------------------------------------------------------------------- Units counted as monitoring ---

# One row per unit and sex; `places`, the unit's places for that sex as it reported them (block 1.3), and
# `people_by_age`, its people of that sex as its age groups count them (block 5.1): both missing where blank.
UNIT_COLUMNS = ["period", "state", "municipality", "unit_name", "unit", "kind", "sex", "people", "places",
                "people_by_age"]
UNIT_KEY = ["state", "unit", "sex"]  # a unit across semesters, as the unit rules follow it (`unit`: unit_keys)
IN_CELL_RULE, RECLASSIFIED_RULE, UNIT_JUMP_RULE = "monitoring_in_cell", "unit_reclassified", "unit_jump"
UNIT_COPY_RULE, UNIT_COUNT_GAP_RULE, UNIT_REPEAT_RULE = "unit_copy", "unit_count_gap", "unit_repeat"
UNIT_SEX_COPY_RULE, UNIT_REPEAT_MOVED_RULE = "unit_sex_copy", "unit_repeat_moved"
UNIT_OFFENCE_REPEAT_RULE, UNIT_ABSENT_RULE = "unit_offence_repeat", "unit_absent"


def monitoring_in_cell_findings(units: pd.DataFrame, monitoring_pattern: str, in_cell_pattern: str,
                                monitoring_kind: str, measure: str, treatment: str) -> pd.DataFrame:
    """Per state, semester and sex, the people of units whose name marks electronic monitoring
    (`monitoring_pattern`) and a physical cell (`in_cell_pattern`), with the units and what `treatment` did:
    `monitored`, their share of the national count of people monitored (`monitoring_kind`); `in_cells`, how much
    lower that count is without them.

    `units` has UNIT_COLUMNS; the findings have FINDING_COLUMNS, their `treatment` and `effect`."""
    names = units["unit_name"].astype(str)
    in_cell = units[names.str.contains(re.compile(monitoring_pattern), regex=True)
                    & names.str.contains(re.compile(in_cell_pattern), regex=True) & (units["people"] > 0)]
    national = units[units["kind"] == monitoring_kind].groupby(["period", "sex"])["people"].sum()
    rows = []
    for (state, period, sex), group in in_cell.groupby(["state", "period", "sex"], sort=True):
        people, total, who = group["people"].sum(), national.get((period, sex), 0), _PEOPLE[sex]
        if treatment == "in_cells":
            effect = (f"counted in cells: {people:,.0f} {who} left out of the {who} monitored nationally in {period}, "
                      f"{total:,.0f} instead of {total + people:,.0f} "
                      f"({fixed(100 * people / (total + people), 2)}% fewer)")
        else:
            effect = (f"kept as monitored: {people:,.0f} of the {total:,.0f} {who} monitored nationally in {period} "
                      f"({fixed(100 * people / total, 2)}%)")
        rows.append({"rule": IN_CELL_RULE, "state": state, "period": period, "measure": measure, "sex": sex,
                     "value": float(people),
                     "evidence": f"{people:,.0f} {who} in units whose name marks both electronic monitoring and a "
                                 f"physical cell (monitoring_in_cell_pattern): {_unit_counts(group)}",
                     "treatment": "in_cells" if treatment == "in_cells" else "keep", "effect": effect,
                     UNITS: _listed(group["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", "effect", UNITS])


def unit_jump_findings(units: pd.DataFrame, ratio: float, min_change: float, measures: dict[str, str]) -> pd.DataFrame:
    """Per state, semester, measure and sex, the units whose people are `ratio` times above or below both semesters
    the unit reported before and after, or whose first or last semester is that far from the next one while that
    one agrees with the one after, or whose two semesters in a row agree with each other and are that far above or
    below both the semester before them and the one after; in each case at least `min_change` people away. Listed
    with each unit's places and people per place, in that semester and the two it was compared with (a unit that
    holds ten people per place in one semester and two in the others is more likely an entry error than one always
    crowded), with its people
    as its age groups count them on the same form (block 5.1: where it stays with the other semesters while the
    people of block 4.1 jump, one of the form's two counts is mistyped), with the same unit's people of the other
    sex in those semesters (where they move the other way by as many, people may be entered under the wrong sex), and
    with the state's people in all its units beside them (whether the state's count moved with the units'), never
    altered by the rule.

    `units` has UNIT_COLUMNS; the findings have FINDING_COLUMNS and their `treatment` (keep). Names are written in
    capitals and counts as 'period: number', so every language shows them as written (pipeline.i18n)."""
    def far(a: pd.Series, b: pd.Series) -> pd.Series:
        low, high = np.minimum(a, b), np.maximum(a, b)
        return ((a - b).abs() >= min_change) & ((low == 0) | (high >= ratio * low))

    series = _unit_semesters(units)
    by_unit = series.groupby(UNIT_KEY, sort=False, observed=True)
    position, size = by_unit.cumcount(), by_unit["people"].transform("size")
    people = series["people"]
    before, after = {}, {}
    for step in (1, 2):  # the semesters the unit reported before and after, one and two away
        before[step], after[step] = by_unit["people"].shift(step), by_unit["people"].shift(-step)
        for column in ("period", "places", "people_by_age"):
            before[f"{column}{step}"], after[f"{column}{step}"] = (by_unit[column].shift(step),
                                                                   by_unit[column].shift(-step))
    between = (position > 0) & (position < size - 1) & (
        (np.maximum(before[1], after[1]) < people) | (people < np.minimum(before[1], after[1])))
    between &= far(people, before[1]) & far(people, after[1])
    first = (position == 0) & (size >= 3) & far(people, after[1]) & ~far(after[1], after[2])
    last = (position == size - 1) & (size >= 3) & far(people, before[1]) & ~far(before[1], before[2])
    # Two semesters in a row that agree with each other, both that far from the semester before them and the one
    # after, on the same side of both (Mato Grosso do Sul's Gameleira: 1 man in December 2018 and June 2019, 665
    # before and 990 after): each is compared with the semesters around the two.
    def outside(here: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
        return far(here, low) & far(here, high) & (((here < low) & (here < high)) | ((here > low) & (here > high)))

    run_first = (position > 0) & (position < size - 2) & ~far(people, after[1]) \
        & outside(people, before[1], after[2]) & outside(after[1], before[1], after[2])
    run_second = (position > 1) & (position < size - 1) & ~far(people, before[1]) \
        & outside(people, before[2], after[1]) & outside(before[1], before[2], after[1])

    def counts(periods: list[pd.Series], values: list[pd.Series]) -> pd.Series:
        return pd.Series(["; ".join(f"{p}: {_count(v)}" for p, v in pairs) for pairs in
                          zip(*(zip(p, v) for p, v in zip(periods, values)))], index=periods[0].index, dtype=object)

    def per_place(here: pd.Series, here_places: pd.Series, periods: list[pd.Series], values: list[pd.Series],
                  places: list[pd.Series]) -> pd.Series:
        # '750 (10.0; 2021-06: 1.6; 2021-12: 1.0)': the semester's places, then people per place in it and in the
        # two it was compared with ('–' where no places were reported)
        ratio = lambda v, p: f"{fixed(v / p, 1, grouped=True)}" if p > 0 else "–"
        return pd.Series([f"{_count(n_here)} ({ratio(v_here, n_here)}; "
                          + "; ".join(f"{p}: {ratio(v, n)}" for p, v, n in others) + ")"
                          for v_here, n_here, *others in
                          zip(here, here_places, *(zip(p, v, n) for p, v, n in zip(periods, values, places)))],
                         index=here.index, dtype=object)

    beside = pd.Series("", index=series.index, dtype=object)
    crowding = pd.Series("", index=series.index, dtype=object)
    by_age = pd.Series("", index=series.index, dtype=object)
    # The unit's people of the other sex in the same semesters: one sex falling while the other rises by as many in
    # the same unit may be people entered under the wrong sex (a reviewer saw Curitiba's Patronato lose 2,957 women
    # from June to December 2021 while Paraná's men rose).
    of_sex = series.set_index(["state", "unit", "sex", "period"])["people"]
    other_sex = pd.Series("", index=series.index, dtype=object)

    def other(periods: list[pd.Series], rows: pd.Series) -> pd.Series:
        found = series[rows]
        keys = list(zip(found["state"], found["unit"], found["sex"].map(_OTHER_SEX)))
        here = [of_sex.get((*key, period)) for key, period in zip(keys, found["period"])]
        around = [[(period, of_sex.get((*key, period))) for period in pair] for key, pair in zip(keys, zip(*periods))]
        return pd.Series([f"{_count(value)} (" + "; ".join(f"{p}: {_count(v)}" for p, v in pairs) + ")"
                          for value, pairs in zip(here, around)], index=found.index, dtype=object)
    # The two semesters each kind of finding was compared with: (before or after, how many semesters away). Only the
    # rows found are written out (formatting every unit-semester took most of the rule's time).
    for rows, ((one, i), (two, j)) in ((between, ((before, 1), (after, 1))), (first, ((after, 1), (after, 2))),
                                       (last, ((before, 2), (before, 1))), (run_first, ((before, 1), (after, 2))),
                                       (run_second, ((before, 2), (after, 1)))):
        if not rows.any():
            continue
        periods, values = [one[f"period{i}"][rows], two[f"period{j}"][rows]], [one[i][rows], two[j][rows]]
        beside[rows] = counts(periods, values)
        crowding[rows] = per_place(people[rows], series["places"][rows], periods, values,
                                   [one[f"places{i}"][rows], two[f"places{j}"][rows]])
        by_age[rows] = (series["people_by_age"][rows].map(_count) + " ("
                        + counts(periods, [one[f"people_by_age{i}"][rows], two[f"people_by_age{j}"][rows]]) + ")")
        other_sex[rows] = other(periods, rows)
    far_rows = between | first | last | run_first | run_second
    found = series[far_rows]
    hits = found.assign(measure=found["kind"].map(measures), beside=beside[far_rows], crowding=crowding[far_rows],
                        by_age=by_age[far_rows], other_sex=other_sex[far_rows])
    hits = hits[["state", "period", "measure", "sex", "unit_name", "people", "beside", "crowding", "by_age",
                 "other_sex"]]
    state_people = units.groupby(["state", "sex", "period"])["people"].sum()
    rows = []
    for (state, period, measure, sex), group in hits.groupby(["state", "period", "measure", "sex"], sort=True):
        who, series = _PEOPLE[sex], state_people.loc[(state, sex)]
        around = _state_around(series, period)
        listed = ", ".join(f"'{name.upper()}' {count:,.0f} ({beside})"
                           for name, count, beside in zip(group["unit_name"], group["people"], group["beside"]))
        crowded = ", ".join(f"'{name.upper()}' {text}" for name, text in zip(group["unit_name"], group["crowding"]))
        aged = ", ".join(f"'{name.upper()}' {text}" for name, text in zip(group["unit_name"], group["by_age"]))
        opposite = ", ".join(f"'{name.upper()}' {text}" for name, text in zip(group["unit_name"], group["other_sex"]))
        rows.append({"rule": UNIT_JUMP_RULE, "state": state, "period": period, "measure": measure, "sex": sex,
                     "value": float(group["people"].sum()),
                     "evidence": f"{who} in {_units(len(group))} far from their neighbouring semesters, "
                                 f"{group['people'].sum():,.0f} in all: {listed}; places for {who} and {who} per "
                                 f"place (that semester; the semesters compared): {crowded}; {who} counted by age on "
                                 f"the same form (that semester; the semesters compared): {aged}; the same unit's "
                                 f"{_PEOPLE[_OTHER_SEX[sex]]} (that semester; the semesters compared): {opposite}; "
                                 f"the state's {who} in all its units in {period}: {series[period]:,.0f} ({around})",
                     "treatment": "keep", UNITS: _listed(group["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", UNITS])


def unit_absent_findings(units: pd.DataFrame, min_people: float, measures: dict[str, str],
                         national: pd.Series | None = None) -> pd.DataFrame:
    """Per state, semester, measure and sex, the units with no row in that semester's file that report at least
    `min_people` people of that sex in the last semester before it and in the first after it: their people are in
    neither the state's count nor the nation's that semester (a unit that reports zero people, or people of the other
    sex only, has a row: it is not absent). A gap of several semesters gives a finding in each. Listed with each unit's
    people in the two semesters around the gap and the state's people in all its units, and with the nation's of the
    same measure that semester and the one before (`national`, by measure, period and sex, as the chapter counts
    them; without it, the units' people as published), never altered: the file does not say whether the unit held
    no one, moved its people or sent no form. The measure is that of the unit's class in the semester before the gap.

    `units` has UNIT_COLUMNS; the findings have FINDING_COLUMNS, their `treatment` (keep) and `effect`. Names in
    capitals, so every language shows them as written (pipeline.i18n)."""
    periods = sorted(units["period"].astype(str).unique())
    at = {period: i for i, period in enumerate(periods)}
    series = _unit_semesters(units)
    series["period"] = series["period"].astype(str)
    by_unit = series.groupby(UNIT_KEY, sort=False, observed=True)
    series["after"], series["people_after"] = by_unit["period"].shift(-1), by_unit["people"].shift(-1)
    around = series[series["after"].notna() & (series["people"] >= min_people) & (series["people_after"] >= min_people)]
    # A unit listed that semester with people of the other sex only has a row: its blank count of this sex is not an
    # absence (Rio Grande do Sul's Jaguarão, June 2018: 9 women, the men's counts left empty; an independent recount
    # from the raw files told the two apart).
    listed = set(zip(units["state"], units["unit"], units["period"].astype(str)))
    gaps = [(row, missing) for row in around.itertuples()
            for missing in periods[at[row.period] + 1:at[row.after]] if (row.state, row.unit, missing) not in listed]
    absent = pd.DataFrame([{"state": row.state, "period": missing, "measure": measures[row.kind], "sex": row.sex,
                            "unit_name": row.unit_name, "before": row.period, "people": row.people,
                            "after": row.after, "people_after": row.people_after} for row, missing in gaps],
                          columns=["state", "period", "measure", "sex", "unit_name", "before", "people", "after",
                                   "people_after"])
    state_people = units.groupby(["state", "sex", "period"], observed=True)["people"].sum()
    state_people.index = state_people.index.set_levels(state_people.index.levels[2].astype(str), level=2)
    if national is None:
        national = units.assign(measure=units["kind"].map(measures), period=units["period"].astype(str)) \
            .groupby(["measure", "period", "sex"], observed=True)["people"].sum()
    rows = []
    for (state, period, measure, sex), group in absent.groupby(["state", "period", "measure", "sex"], sort=True):
        # every semester, a state with no unit in one included (0)
        who, totals = _PEOPLE[sex], state_people.loc[(state, sex)].reindex(periods, fill_value=0)
        nation = lambda semester: national.get((measure, semester, sex), 0)  # noqa: E731
        listed = ", ".join(f"'{str(row.unit_name).upper()}' ({row.before}: {row.people:,.0f}; "
                           f"{row.after}: {row.people_after:,.0f})" for row in group.itertuples())
        rows.append({"rule": UNIT_ABSENT_RULE, "state": state, "period": period, "measure": measure, "sex": sex,
                     "value": float(group["people"].sum()),
                     "evidence": f"{group['people'].sum():,.0f} {who} in {_units(len(group))} with no row in this "
                                 f"semester's file, listed before and after it (the {who} each reported in the "
                                 f"semester before; in the semester after): {listed}; the state's {who} in all its "
                                 f"units in {period}: {totals[period]:,.0f} ({_state_around(totals, period)})",
                     "treatment": "keep",
                     "effect": f"missing from the count, nothing estimated: the file has no row for these units in "
                               f"{period}; the nation's {who} "
                               f"in this measure that semester: {nation(period):,.0f} (the semester before: "
                               f"{nation(periods[at[period] - 1]):,.0f})",
                     UNITS: _listed(group["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", "effect", UNITS])


def unit_copy_findings(population: pd.DataFrame, units: pd.DataFrame, min_people: float, measures: dict[str, str],
                       cells_kind: str, forms: tuple[pd.DataFrame, pd.Series] | None = None) -> pd.DataFrame:
    """Per state, semester, measure and sex, the units whose people (block 4.1: every legal situation, court and sex)
    are the same, count by count, as another unit's of the same semester, with at least `min_people` people in at
    least two non-zero counts: one form's counts written twice (a row copied onto another unit's, or a domiciliary
    pseudo-unit given its prison's counts), not a coincidence. Listed with each unit's people in the semesters
    before and after (the copy is the one unlike its own other semesters), never altered by the rule. The measure is
    that of the group's unit of another class than `cells_kind`, if any (a pseudo-unit copying its prison), else
    that of `cells_kind`; the value is the people of that sex written twice.

    `population`: tidy block 4.1 rows with each unit's `kind`; `units` has UNIT_COLUMNS; `forms`: unit_forms of
    `population`, where the caller has them (the chapter makes them once for this rule and unit_repeat's). Names in
    capitals, so every language shows them as written (pipeline.i18n)."""
    key = ["period", "unit_row"]
    forms, by_sex = forms if forms is not None else unit_forms(population)
    forms = forms[(forms["people"] >= min_people) & (forms["cells"] >= 2)].reset_index()
    copies = forms[forms.duplicated(["period", "counts"], keep=False)]
    series = _unit_semesters(units)
    grouped = series.groupby(UNIT_KEY, sort=False, observed=True)
    series["before"], series["after"] = grouped["period"].shift(1), grouped["period"].shift(-1)
    series["people_before"], series["people_after"] = grouped["people"].shift(1), grouped["people"].shift(-1)
    around = series.set_index([*UNIT_KEY, "period"])
    rows = []
    for (period, _), group in copies.groupby(["period", "counts"], sort=True):
        group = group.sort_values("unit_name")
        others = [kind for kind in group["kind"] if kind != cells_kind]
        measure = measures[others[0] if others else cells_kind]
        for sex in ("female", "male"):
            copied = by_sex.get((period, group["unit_row"].iloc[0], sex), 0)
            if copied:
                rows.append({"state": group["state"].iloc[0], "period": period, "measure": measure, "sex": sex,
                             "people": copied, "cells": int(group["cells"].iloc[0]),
                             "names": [name.upper() for name in group["unit_name"]],
                             "keys": [((s, u, sex, period), n) for s, u, n in
                                      zip(group["state"], group["unit"], group["unit_name"])]})
    findings = []
    for (state, period, measure, sex), found in pd.DataFrame(rows).groupby(
            ["state", "period", "measure", "sex"], sort=True) if rows else []:
        who = _PEOPLE[sex]
        listed = ", ".join(" = ".join(f"'{name}'" for name in r.names) + f" ({r.people:,.0f}; {r.cells})"
                           for r in found.itertuples())

        def neighbours(k) -> str:
            here = around.loc[k]
            return "; ".join(f"{p}: {v:,.0f}" for p, v in ((here["before"], here["people_before"]),
                                                            (here["after"], here["people_after"])) if pd.notna(p))
        beside = ", ".join(f"'{name.upper()}' ({neighbours(k) or '–'})" for r in found.itertuples()
                           for k, name in r.keys)
        findings.append({"rule": UNIT_COPY_RULE, "state": state, "period": period, "measure": measure, "sex": sex,
                         "value": float(found["people"].sum()),
                         "evidence": f"{who} written twice, count by count, by "
                                     f"{_how_many(len(found), 'group', 'groups')} of units, "
                                     f"{found['people'].sum():,.0f} in all (the {who} each reports, and how many "
                                     f"counts of block 4.1 are alike): {listed}; each unit's {who} in the semesters "
                                     f"before and after: {beside}",
                         "treatment": "keep", UNITS: _listed(name for names in found["names"] for name in names)})
    return pd.DataFrame(findings, columns=[*FINDING_COLUMNS, "treatment", UNITS])


_CELL = re.compile(r"[^|]+\|[^|]+\|[^|=]+=\d+")  # one count of a form's `counts`: 'closed|state|male=716'


def unit_forms(population: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Each unit's form (period, unit_row): its non-zero counts of block 4.1 (every legal situation, court and sex) as
    one text (`counts`), how many (`cells`), the same numbers by court and sex without their legal situations
    (`numbers`), its people, state, municipality, name and class; and its people by sex. `population`: tidy block 4.1
    rows with each unit's `kind`."""
    counts = population[population["value"] > 0]
    key = ["period", "unit_row"]
    values = "|" + counts["court"].astype(str) + "|" + counts["sex"].astype(str) + "=" + \
        counts["value"].map("{:.0f}".format)
    cells = counts.assign(cell=counts["item"].astype(str) + values, number=values).sort_values([*key, "cell"])
    forms = cells.groupby(key, sort=True).agg(cells=("cell", "size"), people=("value", "sum"),
                                              state=("state", "first"), municipality=("municipality", "first"),
                                              unit_name=("unit_name", "first"), unit=("unit", "first"),
                                              kind=("kind", "first"))
    # Each unit's cells in one text, joined here (`.agg("|".join)` makes a Series per unit: 0.4 s). `cells` is
    # sorted by unit, so each unit's cells are a run of it, in the order of `forms`.
    ends, sizes = forms["cells"].cumsum().to_numpy(), forms["cells"].to_numpy()
    texts, numbers = cells["cell"].tolist(), cells["number"].tolist()
    forms["counts"] = ["|".join(texts[end - size:end]) for end, size in zip(ends, sizes)]
    forms["numbers"] = ["".join(sorted(numbers[end - size:end])) for end, size in zip(ends, sizes)]
    return forms, counts.groupby([*key, "sex"])["value"].sum()


def unit_repeat_findings(population: pd.DataFrame, units: pd.DataFrame, min_people: float,
                         measures: dict[str, str], forms: tuple[pd.DataFrame, pd.Series] | None = None
                         ) -> pd.DataFrame:
    """Per state, semester, measure and sex, the units whose people (block 4.1: every legal situation, court and sex)
    are the same, count by count, as in the semester the unit reported before, with at least `min_people` people:
    the previous form's counts sent again, not a prison whose people stayed the same to the person in every count for
    six months. A unit whose people are all in one count is found too (most such repeats come in the same semesters
    and states as those of several counts: December 2018, June 2020); the evidence says how many counts are alike.
    Listed with the units' people and the state's people of that sex in all its units that semester and the ones
    around, never altered by the rule.

    Listed apart (`unit_repeat_moved`): a unit whose counts are the same numbers, court by court and sex by sex, as in
    the semester it reported before, but some under another legal situation (Tocantins's monitoring centre: 334 men
    and 34 women in the open regime in December 2017 and June 2018, the same in the semi-open regime in December
    2018). The previous form's numbers typed again into other columns, or a unit relabelled with its old count; the
    evidence says how many of its counts moved.

    A unit is followed across semesters by its state and `unit` (UNIT_KEY: its municipality and name, across the
    names renamed_units finds); a name given to two units of one semester is not followed. `population`: tidy
    block 4.1 rows with each unit's `kind`; `units` has UNIT_COLUMNS; `forms`: unit_forms of `population`, where the
    caller has them. Names in capitals, so every language shows them as written (pipeline.i18n)."""
    forms, by_sex = forms if forms is not None else unit_forms(population)
    forms = forms.reset_index()
    same = ["state", "unit"]
    forms = forms[~forms.duplicated(["period", *same], keep=False)].sort_values([*same, "period"])
    before = forms.groupby(same, sort=False)[["period", "counts", "numbers"]].shift(1)
    enough = forms["people"] >= min_people
    alike = forms["counts"] == before["counts"]
    repeat = alike & enough
    relabelled = ~alike & (forms["numbers"] == before["numbers"]) & enough
    # The semester before taken for the rows kept only: a Series assigned to an empty frame would give it its rows.
    repeated = forms[repeat].assign(before=before.loc[repeat, "period"])
    moved = forms[relabelled].assign(before=before.loc[relabelled, "period"], moved=[
        len(set(_CELL.findall(now)) - set(_CELL.findall(then)))
        for now, then in zip(forms.loc[relabelled, "counts"], before.loc[relabelled, "counts"])])
    state_people = units.groupby(["state", "sex", "period"])["people"].sum()
    places = units.groupby(["period", "state", "municipality", "unit_name", "sex"])["places"].sum(min_count=1)
    return pd.DataFrame(_repeat_rows(UNIT_REPEAT_RULE, repeated, by_sex, state_people, measures, places)
                        + _repeat_rows(UNIT_REPEAT_MOVED_RULE, moved, by_sex, state_people, measures, places),
                        columns=[*FINDING_COLUMNS, "treatment", UNITS])


def _repeat_rows(rule: str, repeated: pd.DataFrame, by_sex: pd.Series, state_people: pd.Series,
                 measures: dict[str, str], places: pd.Series) -> list[dict]:
    """unit_repeat_findings' rows of one rule: per state, semester, measure and sex, the units of `repeated`, each
    with its `places` for that sex ('–' where it left them blank): a unit held at its places, such as a prison run
    with a private partner and paid by the place occupied, may report the same people for a good reason.

    Built from plain records, not per-group frames (a few hundred units, where pandas' per-group indexing cost 1 s of
    the Brazil build)."""
    if repeated.empty:
        return []
    people_of, places_of = by_sex.to_dict(), places.to_dict()
    columns = ["state", "period", "unit_row", "unit_name", "municipality", "kind", "cells", "before"]
    units = repeated[columns + (["moved"] if rule == UNIT_REPEAT_MOVED_RULE else [])].astype(object)
    units = sorted(units.to_dict("records"), key=lambda unit: (unit["state"], unit["period"]))
    rows = []
    for (state, period), group in itertools.groupby(units, key=lambda unit: (unit["state"], unit["period"])):
        group = list(group)
        for sex in ("female", "male"):
            who, totals = _PEOPLE[sex], None
            found = [{**unit, "people": people_of.get((period, unit["unit_row"], sex), 0)} for unit in group
                     if unit["kind"] in measures]
            found = sorted((unit for unit in found if unit["people"] > 0),
                           key=lambda unit: (measures[unit["kind"]], unit["unit_name"]))
            for measure, units_ in itertools.groupby(found, key=lambda unit: measures[unit["kind"]]):
                units_ = list(units_)
                totals = state_people.loc[(state, sex)] if totals is None else totals
                people = sum(unit["people"] for unit in units_)
                held = [f"{unit['people']:,.0f}; {_count(places_of.get(place, np.nan))}" for unit, place in
                        ((unit, (period, state, unit["municipality"], unit["unit_name"], sex)) for unit in units_)]
                if rule == UNIT_REPEAT_RULE:
                    listed = ", ".join(f"'{unit['unit_name'].upper()}' ({count}; {unit['cells']}; {unit['before']})"
                                       for unit, count in zip(units_, held))
                    how = ("are those of the semester the unit reported before, count by count (the "
                           f"{who} each reports, its places for {who}, how many counts are alike, and that semester)")
                else:
                    listed = ", ".join(f"'{unit['unit_name'].upper()}' ({count}; {unit['cells']}; {unit['moved']}; "
                                       f"{unit['before']})" for unit, count in zip(units_, held))
                    how = ("hold the numbers of the semester the unit reported before, court by court and sex by "
                           f"sex, some under another legal situation (the {who} each reports, its places for "
                           f"{who}, how many counts, how many of them moved, and that semester)")
                rows.append({"rule": rule, "state": state, "period": period, "measure": measure,
                             "sex": sex, "value": float(people),
                             "evidence": f"{people:,.0f} {who} in {_units(len(units_))} whose counts "
                                         f"of block 4.1 {how}: {listed}; the state's {who} in all its units in "
                                         f"{period}: {totals[period]:,.0f} ({_state_around(totals, period)})",
                             "treatment": "keep", UNITS: _listed(unit["unit_name"] for unit in units_)})
    return rows


def unit_offence_repeat_findings(offences: pd.DataFrame, min_incidences: float) -> pd.DataFrame:
    """Per state, semester and sex, the units whose offence incidences (block 5.14: every item, both sexes) are the
    same, item by item, as in the semester the unit reported before, with at least `min_incidences` of them: the
    previous form's block sent again, as `unit_repeat` finds for a unit's people (which looks at block 4.1 only).
    Pernambuco's Presídio Frei Damião de Bozano records 6,076 offences of men in June and again in December 2018,
    while its men rose from 1,362 to 1,447. Listed with each unit's incidences of that sex and the semester repeated,
    never altered by the rule: which semester the block describes is unknown.

    `offences`: the offence rows of the units counted (counted_units of offence_incidences), with `unit` (UNIT_KEY's
    name, across renames). A name given to two units of one semester is not followed. Names in capitals, so every
    language shows them as written (pipeline.i18n)."""
    recorded = offences[offences["value"] > 0]
    key = ["state", "unit", "period"]
    # Each form's block as a sum of its cells' hashes (item, sex, value; 56 bits each, so a block's 104 cells at most
    # cannot overflow): one pass over the 422,000 offence rows, where joining each form's cells as text took 1.3 s of
    # the chapter's 7.5 s build. Equal sums are then compared cell by cell.
    hashed = pd.util.hash_pandas_object(recorded[["item", "sex", "value"]], index=False).to_numpy() >> np.uint64(8)
    forms = recorded.assign(hashed=hashed).groupby(key, observed=True, sort=True).agg(
        rows=("unit_row", "nunique"), cells=("hashed", "size"), block=("hashed", "sum"), incidences=("value", "sum"),
        unit_name=("unit_name", "first")).reset_index()
    forms = forms[forms["rows"] == 1]
    before = forms.groupby(["state", "unit"], sort=False, observed=True)[["period", "cells", "block"]].shift(1)
    alike = (forms["block"] == before["block"]) & (forms["cells"] == before["cells"]) \
        & (forms["incidences"] >= min_incidences)
    # The semester before taken for the rows kept only: a Series assigned to an empty frame would give it its rows.
    candidates = forms[alike].assign(before=before.loc[alike, "period"])
    wanted = pd.concat([candidates[key], candidates[["state", "unit", "before"]].set_axis(key, axis=1)]) \
        .astype(str).drop_duplicates()
    rows = recorded[key + ["item", "sex", "value"]].astype({column: str for column in key}).merge(wanted, on=key)
    block = {form: sorted(zip(group["item"].astype(str), group["sex"].astype(str), group["value"]))
             for form, group in rows.groupby(key, sort=False)}
    repeated = candidates[np.array([block[(str(c.state), str(c.unit), str(c.period))]
                                    == block[(str(c.state), str(c.unit), str(c.before))]
                                    for c in candidates.itertuples()], dtype=bool)]
    by_sex = recorded.groupby([*key, "sex"], observed=True)["value"].sum()
    rows = []
    for (state, period), group in repeated.groupby(["state", "period"], sort=True):
        for sex in ("female", "male"):
            counts = pd.Series([by_sex.get((state, unit, period, sex), 0) for unit in group["unit"]],
                               index=group.index)
            found = group[counts > 0].assign(count=counts[counts > 0]).sort_values("unit_name")
            if found.empty:
                continue
            who = _PEOPLE[sex]
            listed = ", ".join(f"'{row.unit_name.upper()}' ({row.count:,.0f}; {row.before})"
                               for row in found.itertuples())
            rows.append({"rule": UNIT_OFFENCE_REPEAT_RULE, "state": state, "period": period,
                         "measure": "all_offence_incidences", "sex": sex, "value": float(found["count"].sum()),
                         "evidence": f"{found['count'].sum():,.0f} offence incidences of {who} in {_units(len(found))} "
                                     "whose block 5.14 is that of the semester the unit reported before, item by item "
                                     f"(the incidences of {who} each records, and that semester): {listed}",
                         "treatment": "keep", "effect": "kept: counted as reported",
                         UNITS: _listed(found["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", "effect", UNITS])


def unit_sex_copy_findings(population: pd.DataFrame, units: pd.DataFrame, min_women: float,
                           measures: dict[str, str]) -> pd.DataFrame:
    """Per state, semester and measure, the units whose women (block 4.1) are their men, count by count in every legal
    situation and court, with at least `min_women` women: one sex's counts typed into the other's columns, not a unit
    that holds as many women as men in every count. Listed (under the women, the count in doubt where a unit holds
    mostly men) with each unit's women and men in the semesters before and after, never altered by the rule.

    `population`: tidy block 4.1 rows with each unit's `kind`; `units` has UNIT_COLUMNS. Names in capitals, so every
    language shows them as written (pipeline.i18n)."""
    key = ["period", "unit_row"]
    cells = population.pivot_table(index=[*key, "item", "court"], columns="sex", values="value", aggfunc="sum",
                                   fill_value=0).reindex(columns=["female", "male"], fill_value=0)
    alike = (cells["female"] == cells["male"]).groupby(level=key).all()
    women = cells["female"].groupby(level=key).sum()
    counts = (cells["female"] > 0).groupby(level=key).sum()
    found = alike[alike & (women >= min_women)].index
    about = population.drop_duplicates(key).set_index(key)[["state", "unit", "unit_name", "kind"]]
    series = _unit_semesters(units).set_index([*UNIT_KEY, "period"])["people"]
    rows = []
    for (period, unit_row) in found:
        unit = about.loc[(period, unit_row)]

        def around(sex: str) -> dict[str, float]:
            own = series.loc[(unit["state"], unit["unit"], sex)]
            at = list(own.index).index(period) if period in own.index else 0
            return {p: v for p, v in own.iloc[max(at - 1, 0):at + 2].items() if p != period}

        women_around, men_around = around("female"), around("male")
        beside = "; ".join(f"{p}: {women_around.get(p, 0):,.0f} / {men_around.get(p, 0):,.0f}"
                           for p in sorted(set(women_around) | set(men_around))) or "–"
        rows.append({"rule": UNIT_SEX_COPY_RULE, "state": unit["state"], "period": period,
                     "measure": measures[unit["kind"]], "sex": "female", "value": float(women[(period, unit_row)]),
                     "evidence": f"{women[(period, unit_row)]:,.0f} women in a unit whose count of women repeats its "
                                 f"count of men, count by count in every legal situation and court "
                                 f"({_how_many(counts[(period, unit_row)], 'count', 'counts')}): "
                                 f"'{unit['unit_name'].upper()}'; the unit's women / men in the semesters before and "
                                 f"after: {beside}",
                     "treatment": "keep", UNITS: _listed([unit["unit_name"]])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", UNITS])


def unit_count_gap_findings(units: pd.DataFrame, ratio: float, min_people: float,
                            measures: dict[str, str]) -> pd.DataFrame:
    """Per state, semester, measure and sex, the units whose people by legal situation (block 4.1, the count every
    sum of the chapter uses) are at least `ratio` times and `min_people` above the same form's count by age group
    (block 5.1), and `ratio` times above the unit's people in each semester it reported before and after, where its
    two counts agree (by legal situation below `ratio` times by age group): one count of the form mistyped in one
    semester, the age groups still at the unit's level. A unit's first or last semester is compared with the one
    neighbour it has. Listed with each unit's two counts in that semester and in the semesters around, its places,
    and the state's people in all its units beside them; never altered by the rule (a unit's known error is an entry
    of data/corrections/sisdepen.yaml).

    Block 5.1 counts fewer people than block 4.1 in about one unit-semester in seven (an age block left partly
    filled) and more in almost none, so an age count far below block 4.1 is evidence only where the block 4.1 count
    jumps away from the unit's own other semesters too.

    `units` has UNIT_COLUMNS; the findings have FINDING_COLUMNS and their `treatment` (keep). Names in capitals and
    counts as 'period: number / number', so every language shows them as written (pipeline.i18n)."""
    series = _unit_semesters(units)
    by_unit = series.groupby(UNIT_KEY, sort=False, observed=True)
    people, by_age = series["people"], series["people_by_age"]
    found = by_age.notna() & (people - by_age >= min_people) & (people >= ratio * by_age)
    neighbours = []
    for step in (1, -1):  # the semester the unit reported before, and the one after
        near = pd.DataFrame({column: by_unit[column].shift(step) for column in ("period", "people", "people_by_age")})
        agree = near["people_by_age"].notna() & (near["people"] < ratio * near["people_by_age"])
        found &= near["period"].isna() | (agree & (people >= ratio * near["people"]))
        neighbours.append(near)
    found &= neighbours[0]["period"].notna() | neighbours[1]["period"].notna()

    state_people = units.groupby(["state", "sex", "period"])["people"].sum()
    rows = []
    for (state, period, sex), group in series[found].groupby(["state", "period", "sex"], sort=True):
        for measure, units_ in group.groupby(group["kind"].map(measures), sort=True):
            who, totals = _PEOPLE[sex], state_people.loc[(state, sex)]
            listed = ", ".join(
                f"'{row.unit_name.upper()}' {_count(row.people)} / {_count(row.people_by_age)} ("
                + "; ".join(f"{near.at[row.Index, 'period']}: {_count(near.at[row.Index, 'people'])} / "
                            f"{_count(near.at[row.Index, 'people_by_age'])}"
                            for near in neighbours if pd.notna(near.at[row.Index, "period"])) + ")"
                for row in units_.itertuples())
            places = ", ".join(f"'{row.unit_name.upper()}' {_count(row.places)}" for row in units_.itertuples())
            rows.append({"rule": UNIT_COUNT_GAP_RULE, "state": state, "period": period, "measure": measure,
                         "sex": sex, "value": float(units_["people"].sum()),
                         "evidence": f"{units_['people'].sum():,.0f} {who} in {_units(len(units_))} whose count by "
                                     "legal situation (block 4.1) is far above the same form's count by age group "
                                     "(block 5.1), while the two counts agree in the semesters around (by legal "
                                     f"situation / by age group, that semester; the semesters around): {listed}; "
                                     f"places for {who} that semester: {places}; the state's {who} in all its "
                                     f"units in {period}: {totals[period]:,.0f} ({_state_around(totals, period)})",
                         "treatment": "keep", UNITS: _listed(units_["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", UNITS])


# ------------------------------------------------------------------------- A unit's incidences ---

UNIT_INCIDENCE_JUMP_RULE = "unit_incidence_jump"
# One row per counted unit, semester and sex: its people (block 4.1) and offence incidences (block 5.14 items).
UNIT_INCIDENCE_COLUMNS = ["period", "state", "unit_row", "unit", "unit_name", "sex", "people", "incidences"]


def incidence_jumps(units: pd.DataFrame, rates: pd.DataFrame, ratio: float, min_change: float,
                    max_ratio: float) -> pd.DataFrame:
    """The unit-semesters whose offence incidences of one sex are `ratio` times above both the semester before and
    the one after in which the unit recorded any of that sex, at least `min_change` above the higher, and more per
    person than `max_ratio` times the median of the states' rates (`rates`: incidence_rates; the per-capita rule's
    limit for a state). The spike and per-capita rules of a state, applied to one unit: Pernambuco's Centro de
    Ressocialização do Agreste records 15,917 offences for 1,392 men in December 2018, 14,774 of them qualified
    robbery and none under the drug law, against 2,543 and 2,836 in the semesters around it. A unit whose
    neighbouring semesters record too few, and this one a plausible number per person, is not listed.

    `units` has UNIT_INCIDENCE_COLUMNS; each row found, with the semesters compared (`before_period`, `before`,
    `after_period`, `after`), its incidences per person (`rate`) and the limit (`limit`)."""
    recorded = units[units["incidences"] > 0].sort_values(["state", "unit", "sex", "period"], kind="stable")
    by_unit = recorded.groupby(["state", "unit", "sex"], sort=False, observed=True)
    around = {"before": by_unit["incidences"].shift(1), "before_period": by_unit["period"].shift(1),
              "after": by_unit["incidences"].shift(-1), "after_period": by_unit["period"].shift(-1)}
    recorded = recorded.assign(**around)
    limit = rates.groupby(["period", "sex"])["national_median"].first().rename("limit") * max_ratio
    recorded = recorded.join(limit, on=["period", "sex"])
    recorded["rate"] = (recorded["incidences"] / recorded["people"]).where(recorded["people"] > 0)
    higher = np.maximum(recorded["before"], recorded["after"])
    found = (recorded["incidences"] >= ratio * higher) & (recorded["incidences"] - higher >= min_change) \
        & ((recorded["people"] == 0) | (recorded["rate"] > recorded["limit"]))
    return recorded[found.fillna(False)].reset_index(drop=True)


def incidence_jump_findings(jumps: pd.DataFrame, treated_states: pd.DataFrame, treatment: str) -> pd.DataFrame:
    """Per state, semester and sex, the units of `jumps` (incidence_jumps) outside the state-semesters treated as a
    whole (`treated_states`: treated_state_periods; their row covers their units), with what `treatment` does to
    them: keep, exclude (the unit's incidences of that semester, both sexes, left out of the national sums and
    shares) or replace (by the unit's incidences of the semester before it compared, both sexes).

    The findings have FINDING_COLUMNS, their `treatment`, `effect` and UNITS."""
    jumps = _outside(jumps, treated_states)
    rows = []
    for (state, period, sex), group in jumps.groupby(["state", "period", "sex"], sort=True):
        who = _PEOPLE[sex]
        # "'NAME' 15,917 / 1,392 (2018-06: 2,543; 2019-06: 2,836)": names in capitals and counts, so every language
        # shows them as written (pipeline.i18n)
        listed = ", ".join(f"'{u.unit_name.upper()}' {u.incidences:,.0f} / {u.people:,.0f} ({u.before_period}: "
                           f"{u.before:,.0f}; {u.after_period}: {u.after:,.0f})" for u in group.itertuples())
        names = ", ".join(f"'{name.upper()}'" for name in group["unit_name"])
        if treatment == "exclude":
            effect = (f"left out: the offence incidences of {names} in {period} (both sexes), from the national sums "
                      "and drug-law shares")
        elif treatment == "replace":
            effect = (f"replaced: the offence incidences of {names} in {period} (both sexes), by those of the semester "
                      f"before it compared ({', '.join(group['before_period'])})")
        else:
            effect = "kept: counted as reported"
        rows.append({"rule": UNIT_INCIDENCE_JUMP_RULE, "state": state, "period": period,
                     "measure": "all_offence_incidences", "sex": sex, "value": float(group["incidences"].sum()),
                     "evidence": f"{group['incidences'].sum():,.0f} offence incidences of {who} in "
                                 f"{_units(len(group))}, each far above the semesters before and after in which it "
                                 f"recorded any and above {fixed(group['limit'].iloc[0], 2)} per {_PERSON[sex]} (the "
                                 f"per-capita rule's limit for a state): {listed} (each unit: its incidences / its "
                                 f"{who} (the incidences of the semesters compared))",
                     "treatment": treatment, "effect": effect, UNITS: _listed(group["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", "effect", UNITS])


def _outside(units: pd.DataFrame, treated_states: pd.DataFrame) -> pd.DataFrame:
    """The rows of `units` outside the state-semesters treated as a whole (`treated_states`: treated_state_periods),
    whose row covers their units."""
    whole = set(zip(treated_states["state"], treated_states["period"]))
    return units[pd.Series([(state, period) not in whole for state, period in zip(units["state"], units["period"])],
                           index=units.index, dtype=bool)]


UNIT_INCIDENCE_SEX_RULE = "unit_incidence_sex"


def incidences_of_sex_not_held(units: pd.DataFrame, min_incidences: float) -> pd.DataFrame:
    """The unit-semesters that record at least `min_incidences` offence incidences of a sex they hold none of, while
    they hold the other sex: Maranhão's women's unit of the Pedrinhas complex records 321 offences of men in December
    2018 (317 under the drug law), where it holds no man and 277 women, and its 518 offences are June 2018's, then
    all women's, 317 of them under the drug law: one sex's offences typed into the other's columns.

    `units` has UNIT_INCIDENCE_COLUMNS; one row per unit-semester found, with the sex it holds (`held`) and that sex's
    people and incidences (`held_people`, `held_incidences`)."""
    # Each row beside the other sex's row of its unit and semester (its sex relabelled as this one's).
    other = units.assign(sex=units["sex"].map(_OTHER_SEX))[["period", "unit_row", "sex", "people", "incidences"]]
    both = units.merge(other.rename(columns={"people": "held_people", "incidences": "held_incidences"}),
                       on=["period", "unit_row", "sex"], how="left").assign(held=lambda t: t["sex"].map(_OTHER_SEX))
    found = (both["people"] == 0) & (both["incidences"] >= min_incidences) & (both["held_people"] > 0)
    return both[found.fillna(False)].reset_index(drop=True)


def incidence_sex_findings(found: pd.DataFrame, treated_states: pd.DataFrame, treatment: str) -> pd.DataFrame:
    """Per state, semester and sex, the units of `found` (incidences_of_sex_not_held) outside the state-semesters
    treated as a whole, with what `treatment` does to their incidences of the sex they do not hold: move (counted as
    the sex they hold) or keep. The findings have FINDING_COLUMNS, their `treatment`, `effect` and UNITS."""
    found = _outside(found, treated_states)
    rows = []
    for (state, period, sex), group in found.groupby(["state", "period", "sex"], sort=True):
        who, held = _PEOPLE[sex], _PEOPLE[_OTHER_SEX[sex]]
        listed = ", ".join(f"'{u.unit_name.upper()}' {u.incidences:,.0f} ({u.held_people:,.0f} / "
                           f"{u.held_incidences:,.0f})" for u in group.itertuples())
        effect = (f"moved: counted as offences of {held}, whom the unit holds" if treatment == "move"
                  else "kept: counted as reported")
        hold = "holds" if len(group) == 1 else "hold"
        rows.append({"rule": UNIT_INCIDENCE_SEX_RULE, "state": state, "period": period,
                     "measure": "all_offence_incidences", "sex": sex, "value": float(group["incidences"].sum()),
                     "evidence": f"{group['incidences'].sum():,.0f} offence incidences of {who} in "
                                 f"{_units(len(group))} that {hold} no {who} and {hold} {held}: {listed} (each unit: "
                                 f"its incidences of {who} (its {held} / their incidences))",
                     "treatment": treatment, "effect": effect, UNITS: _listed(group["unit_name"])})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "treatment", "effect", UNITS])


def move_incidences(offences: pd.DataFrame, found: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """The offence rows with the incidences of the units of `findings` (incidence_sex_findings) whose treatment is
    `move` counted as the sex the unit holds."""
    moved = found.merge(findings.loc[findings["treatment"] == "move", ["state", "period", "sex"]],
                        on=["state", "period", "sex"])
    if moved.empty:
        return offences
    sex = offences["sex"].copy()
    for unit in moved.itertuples():  # a handful of units, each found by its semester's row number
        sex[(offences["period"] == unit.period) & (offences["unit_row"] == unit.unit_row)
            & (offences["sex"] == unit.sex)] = unit.held
    return offences.assign(sex=sex)


def treat_unit_incidences(offences: pd.DataFrame, jumps: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """The offence rows (offence_incidences, with each unit's `unit` key) with the units of `findings`
    (incidence_jump_findings) treated as their `treatment` says, both sexes: counted as 0 (excluded), or replaced by
    the unit's rows of the semester before it compared (relabelled with the semester treated)."""
    treated = findings[findings["treatment"].isin(TREATMENTS[1:])]
    if treated.empty:
        return offences
    units = jumps.merge(treated[["state", "period", "sex", "treatment"]], on=["state", "period", "sex"])
    units = units.drop_duplicates(["state", "unit", "period"])
    treated_rows = pd.Series(False, index=offences.index)
    for unit in units.itertuples():  # a handful of units, each found by its semester's row number
        treated_rows |= (offences["period"] == unit.period) & (offences["unit_row"] == unit.unit_row)
    sources = [offences[(offences["period"] == unit.before_period) & (offences["state"] == unit.state)
                        & (offences["unit"] == unit.unit)].assign(period=unit.period, unit_row=unit.unit_row)
               for unit in units[units["treatment"] == "replace"].itertuples()]
    # Counted as 0 rather than dropped: taking the other 470,000 rows would copy them (0.7 s).
    return pd.concat([offences.assign(value=offences["value"].where(~treated_rows, 0)), *sources],
                     ignore_index=True)


def _how_many(count: int, one: str, many: str) -> str:
    """A count with its noun in the number the count takes ('1 unit', '3 units'): data/translations.csv has a row
    for each form of each finding's text."""
    return f"1 {one}" if count == 1 else f"{count:,} {many}"


def _units(count: int) -> str:
    return _how_many(count, "unit", "units")


def _listed(names) -> tuple[str, ...]:
    """A finding's UNITS: each name once, in capitals, in the order the finding lists them."""
    return tuple(dict.fromkeys(str(name).upper() for name in names))


def _count(value: float) -> str:
    """A unit's count as the evidence writes it: '1,234', or '–' where the form left it blank."""
    return f"{value:,.0f}" if pd.notna(value) else "–"


def _unit_semesters(units: pd.DataFrame) -> pd.DataFrame:
    """Per unit (UNIT_KEY) and semester, in the order of both: its name and municipality that semester, its people,
    class (`kind`), places and people counted by age group, the last two blank where every row of the unit left
    them blank."""
    grouped = units.groupby([*UNIT_KEY, "period"], sort=True, observed=True)
    return grouped.agg(unit_name=("unit_name", "first"), municipality=("municipality", "first"),
                       people=("people", "sum"), kind=("kind", "last")).join(
        grouped[["places", "people_by_age"]].sum(min_count=1)).reset_index()


def _state_around(totals: pd.Series, period: str) -> str:
    """'2020-12: 1,234; 2021-12: 1,300': a state's count (`totals`, by period) in the semesters before and after."""
    at = list(totals.index).index(period)
    return "; ".join(f"{p}: {totals[p]:,.0f}" for p in totals.index[max(at - 1, 0):at + 2] if p != period)


def _unit_counts(units: pd.DataFrame) -> str:
    """"'NAME' (94), 'OTHER NAME' (60)": units by people, most first; names in capitals (so every language keeps
    them as written: pipeline.i18n)."""
    people = units.groupby("unit_name")["people"].sum().sort_index()
    people = people.iloc[np.argsort(-people.to_numpy(), kind="stable")]
    return ", ".join(f"'{name.upper()}' ({count:,.0f})" for name, count in people.items())


# ------------------------------------------------------------------ Units followed across a new name ---

RENAME_COLUMNS = ["period", "state", "municipality", "unit_name", "period_before", "municipality_before",
                  "unit_name_before", "unit_class", "words_left_out", "words_added", "people_before", "people"]
_FILLER_WORDS = frozenset({"DE", "DA", "DO", "DAS", "DOS", "E"})  # words a name may gain or lose (Portuguese)
_NAME_KEY = ["state", "municipality", "unit_name"]  # a unit of one semester, as the files name it


def _words(name: str) -> frozenset[str]:
    """The words of a unit's name, accents, case, punctuation and filler words aside."""
    return frozenset(word for word in re.split(r"[^A-Z0-9]+", _plain(name)) if word and word not in _FILLER_WORDS)


def _same_name(before: str, after: str) -> bool:
    """Whether two names may be one unit's: every word of one is a word of the other, or they are the same letters
    and digits ('SEAPCN' and 'SEAP/CN'; accents and case aside)."""
    words_before, words_after = _words(before), _words(after)
    return (words_before <= words_after or words_after <= words_before
            or re.sub(r"[^A-Z0-9]", "", _plain(before)) == re.sub(r"[^A-Z0-9]", "", _plain(after)))


def renamed_units(units: pd.DataFrame) -> pd.DataFrame:
    """Units that go on reporting under a new name. The files have no unit code, so a unit is followed by its state,
    municipality and name; a name the files use for the last time in one semester and a name they use for the first
    time in the next are taken as one unit renamed when both are of the same state, municipality (accents and case
    aside) and class, the words of one name are all words of the other (accents, case, punctuation and the words
    de, da, do, das, dos, e aside) or both are the same letters and digits (Rio de Janeiro's 'SEAPCN' and 'SEAP/CN'),
    and neither has another such partner: Minas Gerais's 'PRESIDIO DE CAETE' becomes 'Presídio de Caeté I' in December
    2020, and Goiás's 'Unidade Prisional de Uruaçu' 'Unidade Prisional Regional de Uruaçu'. Two new names for one old
    name, a unit that changes class (a prison's name gaining 'DOMICILIAR': unit_reclassified's) and names that share
    only some words are not followed.

    `units`: one row per unit and semester (period, state, municipality, unit_name, kind, people); a name two units
    of one semester share is not followed. One row per rename (RENAME_COLUMNS), with the words the new name left out
    and added, and the unit's people (both sexes) in the two semesters."""
    table = units[~units.duplicated(["period", *_NAME_KEY], keep=False)].sort_values([*_NAME_KEY, "period"])
    periods = sorted(units["period"].unique())
    following = dict(zip(periods, periods[1:]))
    by_name = table.groupby(_NAME_KEY, sort=False, observed=True)
    last = table[by_name.cumcount(ascending=False) == 0]
    first = table[by_name.cumcount() == 0]
    gone = last[last["period"] != periods[-1]].assign(next=lambda t: t["period"].map(following))
    new = first[first["period"] != periods[0]]
    place = lambda t: t.assign(place=t["municipality"].astype(str).map(_plain))  # noqa: E731
    pairs = place(gone).merge(place(new), left_on=["state", "place", "kind", "next"],
                              right_on=["state", "place", "kind", "period"], suffixes=("_before", ""))
    pairs = pairs[np.array([_same_name(before, after) for before, after in
                            zip(pairs["unit_name_before"].astype(str), pairs["unit_name"].astype(str))], dtype=bool)]
    once = ~pairs.duplicated(["state", "municipality_before", "unit_name_before"], keep=False) & \
        ~pairs.duplicated(["state", "municipality", "unit_name"], keep=False)
    pairs = pairs[once]
    words = [(_words(before), _words(after)) for before, after in
             zip(pairs["unit_name_before"].astype(str), pairs["unit_name"].astype(str))]
    return pd.DataFrame({
        "state": pairs["state"], "period_before": pairs["period_before"],
        "municipality_before": pairs["municipality_before"], "unit_name_before": pairs["unit_name_before"],
        "period": pairs["period"], "municipality": pairs["municipality"], "unit_name": pairs["unit_name"],
        "unit_class": pairs["kind"],
        "words_left_out": [" ".join(sorted(before - after)) for before, after in words],
        "words_added": [" ".join(sorted(after - before)) for before, after in words],
        "people_before": pairs["people_before"].astype(float), "people": pairs["people"].astype(float)},
        columns=RENAME_COLUMNS).sort_values(["period", "state", "municipality", "unit_name"]).reset_index(drop=True)


def unit_keys(units: pd.DataFrame, renamed: pd.DataFrame | None = None) -> pd.Series:
    """Each row's unit across semesters (`unit`, which UNIT_KEY follows): 'municipality | name' as the files first
    name the unit, followed across the names of `renamed` (renamed_units) where given. `units` has state,
    municipality and unit_name."""
    earlier: dict[tuple, tuple] = {}
    if renamed is not None:
        earlier = {(row.state, row.municipality, row.unit_name): (row.state, row.municipality_before,
                                                                   row.unit_name_before)
                   for row in renamed.itertuples()}

    def first(key: tuple) -> str:
        while key in earlier:  # each new name has one earlier name, each earlier name one new name: a chain
            key = earlier[key]
        return f"{key[1]} | {key[2]}"

    keys = list(zip(units["state"].astype(str), units["municipality"].astype(str), units["unit_name"].astype(str)))
    names = {key: first(key) for key in dict.fromkeys(keys)}
    return pd.Series([names[key] for key in keys], index=units.index, dtype=object)


def unit_identity(units: pd.DataFrame, class_patterns: list[str]) -> pd.Series:
    """A unit's key across semesters, which the files lack (no unit code): state, municipality and the name without
    its class markers (the dash-separated segments a pattern of `class_patterns` matches), accents, case, spaces and
    punctuation normalised ("SEAPAC" and "SEAP/AC" are one). A name whose every segment is a class marker loses the
    words the patterns match instead ("NÚCLEO DA CASA DO ALBERGADO DOMICILIAR" is "NÚCLEO DA CASA DO ALBERGADO"),
    and is kept whole where nothing else is left."""
    compiled = [re.compile(pattern) for pattern in class_patterns]

    def base(name: str) -> str:
        segments = [segment for segment in re.split(r"\s*[-–—]\s*", name) if segment.strip()]
        kept = [segment for segment in segments if not any(p.search(segment) for p in compiled)]
        if not kept:
            kept = [" ".join(word for word in name.split() if not any(p.search(word) for p in compiled))]
        plain = _plain(re.sub(r"[^\w\s]", "", " - ".join(kept)).replace("_", " "))
        return plain or _plain(name)

    # Each (state, municipality, name) once: the rows repeat them by semester, sex and class.
    keys = list(zip(units["state"].astype(str), units["municipality"].astype(str), units["unit_name"].astype(str)))
    identities = {key: f"{key[0]} | {_plain(key[1])} | {base(key[2])}" for key in dict.fromkeys(keys)}
    return pd.Series([identities[key] for key in keys], index=units.index, dtype=object)


def _plain(text: str) -> str:
    without_accents = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", without_accents).strip().upper()


def reclassified_units(units: pd.DataFrame, class_patterns: list[str], monitoring_kind: str,
                       other_kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """Units followed from one semester to the next (unit_identity) whose class changes to or from monitoring (or
    one of `other_kinds`: home detention): a class they held people in is gone and monitoring appears, or the reverse.
    One row per unit move and sex: state, identity, period_before, period, classes before and after, people before
    (in the classes left) and after (in the classes entered), and the unit names on each side."""
    watched = {monitoring_kind, *other_kinds}
    table = units.assign(identity=unit_identity(units, class_patterns))
    people = table.groupby(["state", "identity", "period", "kind"])["people"].sum()
    held = people[people > 0].index  # sorted by state, identity, period: so is `classes`
    classes: dict[tuple, frozenset] = {}
    for state, identity, period, kind in held:  # (a dict, not `.agg(frozenset)`: one Series per unit, 0.7 s)
        classes[state, identity, period] = classes.get((state, identity, period), frozenset()) | {kind}
    periods = sorted(table["period"].unique())
    following = dict(zip(periods, periods[1:]))
    moves = []
    for (state, identity, period), before in classes.items():
        after = classes.get((state, identity, following.get(period)))
        if after is None:
            continue
        left, entered = before - after, after - before
        if left and entered and (left | entered) & watched:
            moves.append({"state": state, "identity": identity, "period_before": period,
                          "period": following[period], "classes_before": left, "classes_after": entered})
    moved = {(move["state"], move["identity"]) for move in moves}
    table = table[table["identity"].isin({identity for _, identity in moved})]
    by_unit = {key: unit for key, unit in table.groupby(["state", "identity"], sort=False, observed=True)
               if key in moved}
    rows = []
    for move in moves:
        unit = by_unit[move["state"], move["identity"]]
        old = unit[(unit["period"] == move["period_before"]) & unit["kind"].isin(move["classes_before"])]
        new = unit[(unit["period"] == move["period"]) & unit["kind"].isin(move["classes_after"])]
        for sex in sorted(set(old["sex"]) | set(new["sex"])):
            before, after = old[old["sex"] == sex], new[new["sex"] == sex]
            if before["people"].sum() + after["people"].sum() == 0:
                continue
            rows.append({**move, "into_monitoring": monitoring_kind in move["classes_after"],
                         "monitoring": monitoring_kind in move["classes_before"] | move["classes_after"], "sex": sex,
                         "people_before": float(before["people"].sum()), "people": float(after["people"].sum()),
                         "names_before": sorted(set(old["unit_name"])), "names": sorted(set(new["unit_name"]))})
    return pd.DataFrame(rows, columns=["state", "identity", "period_before", "period", "classes_before",
                                       "classes_after", "into_monitoring", "monitoring", "sex", "people_before",
                                       "people", "names_before", "names"])


def reclassification_findings(moves: pd.DataFrame, national: pd.Series, measures: dict[str, str],
                              growth: dict, in_cells: pd.Series | None = None, cells_kind: str = "cells"
                              ) -> pd.DataFrame:
    """The moves of `reclassified_units` per state, semester, direction and sex, with their effect. A move to or
    from monitoring: on the national count of people monitored (`national`, by period and sex) that semester and,
    after `growth['base_period']`, on the growth from it, observed in the files and implied by
    `growth['claimed_pct']` (by sex) to `growth['end_period']`. A move between cells and home detention: on the
    national count of people in cells (`in_cells`, by period and sex, as the chapter counts them), whose change
    between the two semesters it makes in part (fig-20's series)."""
    rows = []
    moves = moves.assign(measure_before=moves["classes_before"].map(lambda c: _measures(c, measures)),
                         measure=moves["classes_after"].map(lambda c: _measures(c, measures)))
    for (state, period, measure, sex), group in moves.groupby(["state", "period", "measure", "sex"], sort=True):
        before_measure = ";".join(sorted(set(";".join(group["measure_before"]).split(";"))))
        before_period = group["period_before"].iloc[0]
        people, people_before = group["people"].sum(), group["people_before"].sum()
        units_moved = ", ".join(f"{_names(m.names_before)} ({m.people_before:,.0f}) -> {_names(m.names)} "
                                f"({m.people:,.0f})" for m in group.itertuples())
        evidence = (f"{people:,.0f} {_PEOPLE[sex]} in units counted under {before_measure} in {before_period} and "
                    f"under {measure} in {period}, renamed (same state, municipality and name apart from the class "
                    f"markers): {units_moved}")
        into = bool(group["into_monitoring"].iloc[0])
        if group["monitoring"].iloc[0]:
            effect = _reclassification_effect(people if into else people_before, sex, period, before_period, into,
                                              national, growth)
        else:
            left, entered = frozenset().union(*group["classes_before"]), frozenset().union(*group["classes_after"])
            effect = _cells_effect(people, people_before, sex, period, before_period, before_measure, measure,
                                   cells_kind in left, cells_kind in entered, in_cells)
        rows.append({"rule": RECLASSIFIED_RULE, "state": state, "period": period, "measure": measure, "sex": sex,
                     "value": float(people), "evidence": evidence, "effect": effect,
                     UNITS: _listed(name for m in group.itertuples() for name in (*m.names_before, *m.names))})
    return pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "effect", UNITS])


def moved_out_of_cells(moves: pd.DataFrame, in_cells: pd.Series | None, cells_kind: str) -> pd.DataFrame:
    """Per semester and sex, the people that units relabelled out of cells (reclassified_units: `cells_kind` among
    the classes a unit left, not among those it entered) held in those classes the semester before, beside the
    national count of people in cells (`in_cells`, by period and sex) in both semesters: how much of a fall in that
    count is relabelling, not people leaving (a reviewer's question on fig-20's fall of December 2020)."""
    columns = ["period_before", "period", "sex", "units", "people_moved", "in_cells_before", "in_cells"]
    if moves.empty or in_cells is None:
        return pd.DataFrame(columns=columns)
    out = moves[moves["classes_before"].map(lambda kinds: cells_kind in kinds)
                & ~moves["classes_after"].map(lambda kinds: cells_kind in kinds)]
    table = out.groupby(["period_before", "period", "sex"], as_index=False, sort=True) \
        .agg(units=("identity", "nunique"), people_moved=("people_before", "sum"))
    table["in_cells_before"] = [in_cells.get((period, sex), np.nan)
                                for period, sex in zip(table["period_before"], table["sex"])]
    table["in_cells"] = [in_cells.get((period, sex), np.nan) for period, sex in zip(table["period"], table["sex"])]
    return table[columns]


def _measures(classes, measures: dict[str, str]) -> str:
    return ";".join(sorted(measures[kind] for kind in classes))


def _names(names: list[str]) -> str:
    return " + ".join(f"'{name.upper()}'" for name in names)


def _reclassification_effect(people: float, sex: str, period: str, before_period: str, into: bool,
                             national: pd.Series, growth: dict) -> str:
    """What the move does to the national count of people monitored and to its growth (kept as reported)."""
    who = _PEOPLE[sex]
    if not into:
        return (f"kept as reported: the {people:,.0f} {who} these units held in {before_period} under electronic "
                f"monitoring are not among the {national.get((period, sex), 0):,.0f} {who} monitored nationally "
                f"in {period}")
    total = national[(period, sex)]
    effect = (f"kept as reported: {people:,.0f} of the {total:,.0f} {who} monitored nationally in {period} "
              f"({fixed(100 * people / total, 1)}%)")
    base_period = growth["base_period"]
    base = national.get((base_period, sex), 0)
    rise = total - base
    if period <= base_period or rise <= 0 or base <= 0:
        return effect
    pct = growth["claimed_pct"][sex]
    claimed_rise = base * pct / 100
    return (f"{effect}; {fixed(100 * people / rise, 1)}% of the rise of {rise:,.0f} from {base_period} to {period}, "
            f"and {fixed(100 * people / claimed_rise, 1)}% of the rise of {claimed_rise:,.0f} that the claimed "
            f"{pct:g}% growth implies from {base_period} to {growth['end_period']}")


def _cells_effect(people: float, people_before: float, sex: str, period: str, before_period: str,
                  before_measure: str, measure: str, out_of_cells: bool, into_cells: bool,
                  in_cells: pd.Series | None) -> str:
    """What a move between cells and home detention does to the national count of people in cells (kept as
    reported): out of cells, the people the units held in cells before, and their part of the count's fall between
    the two semesters (where it fell); into cells, their part of the count in cells after. A move with cells on
    neither side (a Patronato's people now under home detention) leaves that count as it was."""
    who = _PEOPLE[sex]
    if not (out_of_cells or into_cells):
        return f"kept as reported: counted outside cells in {before_period} and in {period}"
    if in_cells is None:  # no national count to measure the move against
        return "kept: counted as reported"
    if out_of_cells:
        fall = in_cells.get((before_period, sex), 0) - in_cells.get((period, sex), 0)
        moved = (f"kept as reported: the {people_before:,.0f} {who} these units held in cells in {before_period} are "
                 f"counted under {measure} in {period}")
        if fall > 0:
            return (f"{moved}: {fixed(100 * people_before / fall, 1)}% of the fall of {fall:,.0f} in the {who} in "
                    f"cells nationally from {before_period} to {period}")
        return f"{moved}, out of the {in_cells.get((before_period, sex), 0):,.0f} {who} in cells nationally"
    total = in_cells.get((period, sex), 0)
    return (f"kept as reported: {people:,.0f} of the {total:,.0f} {who} in cells nationally in {period} "
            f"({fixed(100 * people / total, 1) if total else '-'}%) are in units counted under {before_measure} in "
            f"{before_period}")


# ---------------------------------------------------------------------------- Table and treatment ---

def quality_table(findings: pd.DataFrame, corrections: pd.DataFrame, treatment: str,
                  treatable: tuple[str, ...], unit_effects: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per finding (and per known error no rule found), with the treatment that applies to it.

    A known error matches the findings of the same state, period, measure and sex (one that names a unit, only
    the findings that list that unit: UNITS), and its own action applies to them. Findings on measures outside
    `treatable` (population counts, coverage) are kept, unless their rule states its own treatment (a `treatment`
    column: the monitoring rules), which is only listed here. A known error of a unit writes its effect from
    `unit_effects` (by entry id: `unit_effects()`), followed by the units the finding lists that no known error
    corrects, which are counted as published.
    """
    key = ["state", "period", "measure", "sex"]
    known = corrections.reindex(columns=[*CORRECTION_COLUMNS]).rename(columns={"id": "correction_id"})[
        [*key, "correction_id", "action", "reason", "published", "unit"]]
    table = findings.merge(known[[*key, "correction_id", "action", "unit"]], on=key, how="left")
    listed = table[UNITS] if UNITS in table else pd.Series(pd.NA, index=table.index, dtype=object)
    listed = listed.map(lambda units: units if isinstance(units, tuple) else ())
    elsewhere = table["unit"].notna() & ~pd.Series(
        [str(unit).upper() in units for unit, units in zip(table["unit"], listed)], index=table.index, dtype=bool)
    table.loc[elsewhere, ["correction_id", "action", "unit"]] = np.nan
    unfound = known[~known["correction_id"].isin(table["correction_id"].dropna())]
    table = pd.concat([table, unfound.assign(rule="known_error", value=unfound["published"],
                                             evidence=unfound["reason"])], ignore_index=True)
    table["known_error"] = table["correction_id"].notna()
    own = table.pop("treatment") if "treatment" in table else pd.Series(pd.NA, index=table.index, dtype=object)
    action = table["action"].fillna("outlier_treatment")
    table["treatment"] = action.where(action != "outlier_treatment", treatment)
    table.loc[~table["measure"].isin(treatable), "treatment"] = "keep"
    table["treatment"] = own.where(own.notna(), table["treatment"])  # a rule may state its own (never treatable)
    in_unit = table["unit"].notna()  # a known error in a unit's people: its entry's own action
    table.loc[in_unit, "treatment"] = table.loc[in_unit, "action"]
    table["effect"] = table["effect"].fillna("") if "effect" in table else ""  # ... and write its own effect
    corrected = known.dropna(subset=["unit"]).groupby(key)["unit"].agg(lambda units: {u.upper() for u in units})
    for row in table[in_unit].itertuples():
        uncorrected = ", ".join(f"'{unit}'" for unit in listed.get(row.Index, ())
                                if unit not in corrected[tuple(getattr(row, k) for k in key)])
        table.at[row.Index, "effect"] = (unit_effects or {}).get(row.correction_id, row.effect) + (
            f"; not corrected, counted as published: {uncorrected}" if uncorrected else "")
    table = table.astype({"value": float}).reindex(columns=QUALITY_COLUMNS)
    return table.sort_values(["rule", *key], kind="stable").reset_index(drop=True)


def treated_state_periods(quality: pd.DataFrame) -> pd.DataFrame:
    """(state, period, treatment) to apply to every sex and every incidence measure; keep rows dropped.

    A flag on one sex treats the whole state-period, so that women's and men's figures (and shares
    computed from them) stay comparable.
    """
    relevant = quality[quality["treatment"].isin(TREATMENTS[1:])  # exclude, replace (other rules list only)
                       & ~quality["measure"].str.startswith(PEOPLE_PREFIX)  # people: a unit's known error, in that unit
                       & (quality["rule"] != UNIT_INCIDENCE_JUMP_RULE)]  # a unit's incidences: in that unit
    treated = relevant[["state", "period", "treatment"]].drop_duplicates()
    conflicting = treated[treated.duplicated(["state", "period"], keep=False)]
    if len(conflicting):
        first = conflicting.iloc[0]
        raise PipelineError(f"state {first['state']} {first['period']} has two treatments",
                            file=CORRECTIONS, fix="give the corrections for one state-period the same action")
    return treated.sort_values(["state", "period"]).reset_index(drop=True)


def replacement_periods(state_values: pd.DataFrame, treated: pd.DataFrame) -> pd.DataFrame:
    """For each replaced state-period, the state's last earlier semester that is not treated itself.

    A level error that lasts several semesters is replaced throughout by the last plausible semester, not
    by a neighbour that is wrong too.
    """
    replaced = treated[treated["treatment"] == "replace"][["state", "period"]]
    periods = state_values.groupby("state")["period"].unique()
    treated_keys = set(zip(treated["state"], treated["period"]))
    sources = []
    for state, period in replaced.itertuples(index=False):
        earlier = [p for p in sorted(periods[state]) if p < period and (state, p) not in treated_keys]
        if not earlier:
            raise PipelineError(f"cannot replace {state} {period}: the state has no earlier untreated semester",
                                file=paths.PARAMS, fix="use brazil.outlier_treatment: exclude")
        sources.append({"state": state, "period": period, "source_period": earlier[-1]})
    return pd.DataFrame(sources, columns=["state", "period", "source_period"])


def apply_treatment(state_values: pd.DataFrame, treated: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    """State values with treated state-periods of `measures` excluded, or replaced by the state's last
    untreated semester."""
    marked = state_values.merge(treated, on=["state", "period"], how="left")
    marked.loc[~marked["measure"].isin(measures), "treatment"] = pd.NA
    kept = marked[marked["treatment"].isna()]
    wanted = marked[marked["treatment"] == "replace"][["state", "period", "measure", "sex"]]
    wanted = wanted.merge(replacement_periods(state_values, treated), on=["state", "period"])
    source = state_values.rename(columns={"period": "source_period"})
    previous = wanted.merge(source, on=["state", "source_period", "measure", "sex"], how="left") \
                     .drop(columns="source_period").fillna({"value": 0})
    return pd.concat([kept, previous], ignore_index=True).drop(columns="treatment")


def describe_effects(quality: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The quality table with its `effect` column: what the treatment did to the national figures."""
    source = sources.set_index(["state", "period"])["source_period"]
    effects = []
    for row in quality.itertuples():
        if row.effect:  # written by its rule (the monitoring rules: their share of the national counts)
            effects.append(row.effect)
        elif row.rule == "coverage":
            effects.append("kept: national incidences and shares cover the reporting units only")
        elif row.treatment == "keep":
            effects.append("kept: counted as reported")
        elif row.treatment == "exclude":
            effects.append(f"the state's offence incidences of {row.period} (both sexes) are left out of the "
                           "national sums and drug-law shares")
        else:
            effects.append(f"the state's offence incidences of {row.period} (both sexes) are replaced by its "
                           f"values of {source[(row.state, row.period)]}")
    return quality.assign(effect=effects)


def largest_findings(quality: pd.DataFrame, evidence_chars: int = 500) -> pd.DataFrame:
    """One finding of each rule, its largest by `value`, with its evidence (cut at `evidence_chars`, '…' marking the
    cut; tab-22 has it whole): what each rule catches in the data as they are, for the notebook's reader. Coverage
    findings aside: their value is the share of people the reporting units hold, where less is worse."""
    findings = quality[quality["rule"] != "coverage"].sort_values(["rule", "value"], kind="stable")
    largest = findings.groupby("rule", sort=True).tail(1)
    cut = largest["evidence"].str.len() > evidence_chars
    return largest.assign(evidence=largest["evidence"].where(~cut, largest["evidence"].str[:evidence_chars] + " …"))[
        ["rule", "state", "period", "sex", "value", "evidence"]].reset_index(drop=True)
