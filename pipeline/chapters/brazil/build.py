"""Brazil (SISDEPEN): people in prison, under electronic monitoring, in home detention and under Patronato
supervision, and drug-law offence incidences, by sex and semester, into the long table (source 'sisdepen',
country 'BRA').

    python -m pipeline.chapters.brazil      # the DVC stage `brazil`: tab-20 to tab-27, data/interim/brazil/

Who is "held in cells" is a definition (params.yaml `brazil`): states report people under electronic
monitoring, in home detention and under a Patronato's open-regime supervision as pseudo-establishments,
recognised (as SENAPPEN does) by their names. By default all three are kept apart from the people held in
cells, which reproduces SENAPPEN's own count (data/published/figures.csv). Offence incidences are checked
against the state reports and by general plausibility rules (plausibility.py beside this module); the treatment
chosen in params.yaml is written into every definition.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pandas as pd

from pipeline import export, i18n, io, longtable, params, paths
from pipeline.chapters import interim
from pipeline.chapters.brazil import claim, plausibility
from pipeline.chapters.brazil.reconcile import check_incidences_against_reports, reconciliation
from pipeline.errors import PipelineError, cli
from pipeline.rounding import half_away, half_away_columns
from pipeline.settings import Brazil
from pipeline.sources import published, sisdepen

CHAPTER = "brazil"  # its interim tables, long-table part (data/interim/indicators/brazil.csv) and stage
SOURCE = "sisdepen"
COUNTRY = "BRA"
MONTHS = {"06": "June", "12": "December"}  # SISDEPEN's cycles

# Unit classes, recognised from unit names (classify_units).
MONITORING, DOMICILIARY, PATRONATO, CELLS = "electronic_monitoring", "domiciliary", "patronato", "cells"

# Legal situations of block 4.1 -> indicator suffix (both security measures make one group).
LEGAL_GROUPS = {"pre_trial": "pre_trial", "closed": "closed", "semi_open": "semi_open", "open": "open",
                "security_internment": "security_measure", "security_outpatient": "security_measure"}

# Drug-law offence items of block 5.14 (Lei 6.368/76 and Lei 11.343/06, the drug laws) -> our offence code.
_DRUG_GROUP = "GRUPO: LEGISLAÇÃO ESPECÍFICA | Grupo: Drogas (Lei 6.368/76 e Lei 11.343/06) | "
DRUG_OFFENCES = {
    _DRUG_GROUP + "Tráfico de drogas (Art. 12 da Lei 6.368/76 e Art. 33 da Lei 11.343/06)":
        "drug_trafficking",  # trafficking, art. 33
    _DRUG_GROUP + "Associação para o tráfico (Art. 14 da Lei 6.368/76 e Art. 35 da Lei 11.343/06)":
        "drug_association",  # association for trafficking, art. 35
    _DRUG_GROUP + "Tráfico internacional de drogas (Art. 18 da Lei 6.368/76 e Art. 33 e 40, inciso I da Lei "
                  "11.343/06)": "drug_international_trafficking",  # international trafficking, art. 33 + 40 I
}
OFFENCE_ITEM_PREFIX = "GRUPO:"  # the 52 offence items; other 5.14 columns count people, not incidences
INCIDENCE_MEASURES = ("all_offence_incidences", "drug_law_incidences", *DRUG_OFFENCES.values())


# The parameters of the rules on units' people (tab-22 states them beside its findings).
UNIT_RULE_PARAMETERS = ("follow_renamed_units", "unit_jump_ratio", "unit_jump_min_change", "unit_copy_min_people",
                        "unit_repeat_min_people", "unit_sex_copy_min_women", "unit_count_gap_ratio",
                        "unit_count_gap_min_people", "unit_absent_min_people", "unit_offence_repeat_min_incidences")
PATTERNS = ("monitoring_pattern", "domiciliary_pattern", "patronato_pattern", "monitoring_in_cell_pattern")
# The long-table measure of each unit class's people (population_by_state).
CLASS_MEASURES = {CELLS: "people_in_cells", MONITORING: "people_electronic_monitoring",
                  DOMICILIARY: "people_domiciliary", PATRONATO: "people_patronato"}


@dataclass
class Outputs:
    indicators: pd.DataFrame  # long table
    units: pd.DataFrame  # every unit and period with its recognised class
    state_values: pd.DataFrame  # state x period x measure x sex, after treatment
    quality: pd.DataFrame  # plausibility findings and known errors, with the treatment applied
    reconciliation: pd.DataFrame  # computed vs published
    patronato: pd.DataFrame  # units whose name marks a Patronato, people by sex, and the class applied
    monitoring_coverage: pd.DataFrame  # per semester, the states whose monitoring units report people
    monitoring_same_states: pd.DataFrame  # growth from the base semester in the states reporting at both ends
    monitoring_claim: pd.DataFrame  # the claimed monitoring growth against the published 2022 total
    claims: pd.DataFrame  # the chapter's verdicts, read by the claims check (tab-26)
    renamed_units: pd.DataFrame  # units followed across a new name by the rules on units (tab-28)
    moved_out_of_cells: pd.DataFrame  # people of units relabelled out of cells, beside the fall in people in cells


def build(tidy: pd.DataFrame, reports: pd.DataFrame, figures: pd.DataFrame, settings: Brazil) -> Outputs:
    """Every Brazil measure from the tidy establishment table, the state reports and the published figures."""
    check_settings(settings, sorted(tidy["period"].unique()))
    tidy, text = _texts_as_categories(tidy)
    # Recognise pseudo-units first: from 2020 they would otherwise inflate the people held in cells.
    units = classify_units(unit_list(tidy), settings)
    # Follow each unit across semesters, through a new name where one is found (the files have no unit code).
    renamed = plausibility.renamed_units(units) if settings.follow_renamed_units else \
        pd.DataFrame(columns=plausibility.RENAME_COLUMNS)
    units = units.assign(unit=plausibility.unit_keys(units, renamed))
    tidy = tidy.merge(units[["period", "unit_row", "kind", "unit"]], on=["period", "unit_row"], validate="m:1")
    # The two blocks most of the chapter reads, each taken from the 735,000 rows once.
    population, offences = tidy[tidy["block"] == "population"], offence_incidences(tidy)
    # Block 5.14 must add up to what SENAPPEN printed per state before anything is built on it.
    incidence_checks = check_incidences_against_reports(state_system_incidences(offences), reports)
    # Sum establishments to states; state totals are where entry errors show.
    counted_offences = counted_units(offences, settings)
    incidences = incidences_by_state(counted_offences)
    raw_states = pd.concat([population_by_state(population, settings), incidences], ignore_index=True)
    # Known errors (data/corrections/sisdepen.yaml), each checked against the value as published. One in a unit's
    # people is corrected in that unit before its state's and the nation's counts are summed.
    units_people = unit_people(tidy)
    known = plausibility.load_corrections(raw_states, units_people)
    in_units = plausibility.unit_entries(known)
    replaced_by = plausibility.unit_sources(units_people, in_units)
    corrected = pd.concat([population_by_state(plausibility.correct_units(population, in_units, replaced_by),
                                               settings), incidences], ignore_index=True)
    unit_effects = plausibility.unit_effects(in_units, replaced_by, units_people, raw_states, corrected)
    # Find implausible state-semesters by general rules (on the values as published), and treat them as chosen.
    people = corrected[corrected["measure"].isin(CLASS_MEASURES.values())] \
        .groupby(["measure", "period", "sex"])["value"].sum()
    quality, treated, treated_offences, out_of_cells = _quality(population, counted_offences, units_people,
                                                                raw_states, known, unit_effects, settings, people)
    if treated_offences is not counted_offences:  # a unit's incidences treated by their own rule: summed again
        corrected = pd.concat([corrected[~corrected["measure"].isin(INCIDENCE_MEASURES)],
                               incidences_by_state(treated_offences)], ignore_index=True)
    states = plausibility.apply_treatment(corrected, treated, INCIDENCE_MEASURES)
    indicators = national_indicators(states, settings, unit_corrections_note(in_units, replaced_by))
    # Which states the monitoring count covers: a state without a monitoring unit in a file is not in its count.
    periods = sorted(tidy["period"].unique())
    coverage = monitoring_coverage(states, periods)
    same_states = growth_in_same_states(states, settings.monitoring_base_period)
    indicators = pd.concat([indicators, monitoring_coverage_rows(coverage, same_states,
                                                                 settings.monitoring_base_period)], ignore_index=True)
    # The monitoring-growth claim, tested against the published 2022 total.
    monitored = indicators[indicators["indicator"] == "people_electronic_monitoring"] \
        .pivot_table(index="period", columns="sex", values="value").reset_index()
    totals = claim.published_totals(figures, settings.claimed_end_period)
    checked = claim.claim_table(monitored, settings.claimed_monitoring_growth_pct, settings.claimed_base_periods,
                                totals)
    claim_rows = claim.long_rows(checked, settings.claimed_monitoring_growth_pct, settings.claimed_end_period)
    indicators = longtable.frame(pd.concat([indicators, longtable.frame(claim_rows)], ignore_index=True))
    recon = pd.concat([reconciliation(indicators, _texts_as(state_system_population(population), text), reports, units,
                                      figures),
                       incidence_checks], ignore_index=True)
    verdicts = claim.chapter_claims(checked, settings.claimed_monitoring_growth_pct, settings.claimed_end_period,
                                    claim.coverage_of_growth(coverage, same_states,
                                                             growth_from(monitored, settings.monitoring_base_period)))
    outputs = Outputs(indicators, units, states, quality, recon, patronato_units(population, settings), coverage,
                      same_states, checked, verdicts, renamed, out_of_cells)
    return dataclasses.replace(outputs, **{field.name: _texts_as(getattr(outputs, field.name), text)
                                           for field in dataclasses.fields(outputs)})


def _texts_as_categories(tidy: pd.DataFrame) -> tuple[pd.DataFrame, object]:
    """The tidy table with its text columns as categories, and their type as read. Each boolean filter or merge of
    the 735,000 rows then copies small integer codes instead of strings, and each groupby reads the codes instead of
    hashing the strings: `build()` on the real files took 3.6-4.8 CPU-seconds against 4.5-6.2 (2026-12-06).
    `_texts_as` gives every output its texts back in the type read, so the outputs are those the strings give."""
    text = [column for column in tidy.columns if isinstance(tidy[column].dtype, pd.StringDtype)]
    return tidy.astype(dict.fromkeys(text, "category")), (tidy[text[0]].dtype if text else "str")


def _texts_as(frame: pd.DataFrame, text) -> pd.DataFrame:
    """`frame` with its category columns (texts of the tidy table) as texts of type `text`. Before a concatenation
    with a table of texts too: categories concatenated with texts become Python objects."""
    categories = [column for column in frame.columns if isinstance(frame[column].dtype, pd.CategoricalDtype)]
    return frame.astype(dict.fromkeys(categories, text)) if categories else frame


def check_settings(settings: Brazil, periods: list[str]) -> None:
    """Parameters checked against the data: regexes compile, semesters exist, rates and shares make sense."""
    for key in PATTERNS:
        value = getattr(settings, key)
        try:
            re.compile(value)
        except re.error as error:
            raise PipelineError(f"'brazil.{key}' is {value!r}, not a valid regular expression ({error})",
                                file=paths.PARAMS, fix="write a Python regular expression, e.g. '(?i)monitora|"
                                                       "tornozel'; escape ( ) [ ] with a backslash") from None
    named_periods = [("monitoring_base_period", settings.monitoring_base_period),
                     *(("claimed_base_periods", p) for p in settings.claimed_base_periods)]
    for key, value in named_periods:
        if value not in periods:
            raise PipelineError(f"'brazil.{key}' is '{value}', which is not a semester of the SISDEPEN files",
                                file=paths.PARAMS, fix=f"use one of: {', '.join(periods)}")
    if sorted(settings.claimed_monitoring_growth_pct) != ["female", "male"]:
        raise PipelineError(f"'brazil.claimed_monitoring_growth_pct' has keys "
                            f"{sorted(settings.claimed_monitoring_growth_pct)}", file=paths.PARAMS,
                            fix="give exactly the keys: female, male")
    bounds = {"outlier_ratio": (1, None), "per_capita_max_ratio": (1, None), "outlier_min_change": (0, None),
              "patronato_min_people": (0, None), "incidence_coverage_min_pct": (0, 100)}
    for key, (low, high) in bounds.items():
        value = getattr(settings, key)
        if value < low or (high is not None and value > high):
            allowed = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise PipelineError(f"'brazil.{key}' is {value}, outside the allowed values ({allowed})",
                                file=paths.PARAMS, fix=f"give '{key}' a value {allowed}")


def unit_list(tidy: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and period, with the people it reports (block 4.1, all parts)."""
    population = tidy[tidy["block"] == "population"]
    people = population.groupby(["period", "unit_row"])["value"].sum().rename("people")
    units = tidy[["period", "unit_row", "state", "municipality", "unit_name"]].drop_duplicates(["period", "unit_row"])
    return units.join(people, on=["period", "unit_row"]).fillna({"people": 0}).reset_index(drop=True)


def state_system_population(population: pd.DataFrame) -> pd.DataFrame:
    """People per state held by the state's own system (Âmbito Estadual) and by federal units, by sex.
    `population`: the tidy rows of block 4.1."""
    by_sex = population.pivot_table(index=["state", "period", "sex"], columns="jurisdiction", values="value",
                                    aggfunc="sum", fill_value=0).reset_index()
    total = by_sex.groupby(["state", "period"], as_index=False).sum(numeric_only=True).assign(sex="total")
    both = pd.concat([by_sex, total], ignore_index=True)
    federal = both["Federal"] if "Federal" in both else 0
    return both.assign(value=both["Estadual"], federal_people=federal)[
        ["state", "period", "sex", "value", "federal_people"]]


def state_system_incidences(offences: pd.DataFrame) -> pd.DataFrame:
    """Offence incidences per state held by the state's own system (Âmbito Estadual, every unit class), by
    sex: all offences and the drug law, as the state reports print them. `offences`: offence_incidences' rows."""
    columns = ["state", "period", "item", "sex", "value"]  # the rows taken with these only
    incidences = offences.loc[offences["jurisdiction"] == "Estadual", columns]
    drug = incidences[incidences["item"].isin(_drug_items(incidences))]
    parts = pd.concat([incidences.assign(measure="all_offence_incidences"),
                       drug.assign(measure="drug_law_incidences")], ignore_index=True)
    return parts.groupby(["state", "period", "measure", "sex"], as_index=False)["value"].sum()


def classify_units(units: pd.DataFrame, settings: Brazil) -> pd.DataFrame:
    """Each unit's class: electronic monitoring, home detention (without anklet), Patronato supervision of
    the open regime, or cells. The first class whose name pattern matches wins, in that order; a Patronato
    needs `patronato_min_people` people too (smaller units so named lodge people, like any prison). A monitoring
    unit whose name marks a physical cell too is in cells if `monitoring_in_cell_treatment` says so."""
    names = units["unit_name"].astype(str)
    monitoring = names.str.contains(re.compile(settings.monitoring_pattern), regex=True)
    if settings.monitoring_in_cell_treatment == "in_cells":
        monitoring &= ~names.str.contains(re.compile(settings.monitoring_in_cell_pattern), regex=True)
    domiciliary = names.str.contains(re.compile(settings.domiciliary_pattern), regex=True) & ~monitoring
    patronato = (names.str.contains(re.compile(settings.patronato_pattern), regex=True) & ~monitoring
                 & ~domiciliary & (units["people"] >= settings.patronato_min_people))
    kind = pd.Series(CELLS, index=units.index, dtype="string")
    kind[patronato] = PATRONATO
    kind[domiciliary] = DOMICILIARY
    kind[monitoring] = MONITORING
    return units.assign(kind=kind)


def kinds_in_cells(settings: Brazil) -> list[str]:
    """The unit classes whose people count as held in cells."""
    return [CELLS, PATRONATO] if settings.patronato_in_cells else [CELLS]


def population_by_state(population: pd.DataFrame, settings: Brazil) -> pd.DataFrame:
    """People by state, semester, unit class, legal-situation group and sex. `population`: the tidy rows of block
    4.1, with each unit's class (`kind`)."""
    legal = population["item"].map(LEGAL_GROUPS)
    in_cells = population["kind"].isin(kinds_in_cells(settings))
    by_kind = population[population["kind"] != CELLS].assign(measure="people_" + population["kind"])
    cells = population[in_cells].assign(measure="people_in_cells")
    by_legal = population[in_cells].assign(measure="people_in_cells_" + legal)
    both = pd.concat([by_kind, cells, by_legal], ignore_index=True)
    return both.groupby(["state", "period", "measure", "sex"], as_index=False)["value"].sum()


def counted_units(tidy: pd.DataFrame, settings: Brazil) -> pd.DataFrame:
    """Rows of the units whose offence incidences are counted: in cells, or every unit if chosen so."""
    return tidy if settings.incidences_in_pseudo_units else tidy[tidy["kind"].isin(kinds_in_cells(settings))]


def offence_incidences(tidy: pd.DataFrame) -> pd.DataFrame:
    """The offence items of block 5.14 (incidences, not the people counts that block also holds)."""
    return tidy[(tidy["block"] == "incidences") & tidy["item"].str.startswith(OFFENCE_ITEM_PREFIX)]


def incidences_by_state(incidences: pd.DataFrame) -> pd.DataFrame:
    """Offence incidences by state, semester and sex: all offences, the drug law, and its three items.
    `incidences`: offence_incidences' rows of the units counted (counted_units)."""
    drug = incidences[incidences["item"].isin(_drug_items(incidences))]
    parts = [incidences.assign(measure="all_offence_incidences"),
             drug.assign(measure="drug_law_incidences"),
             drug.assign(measure=drug["item"].map(DRUG_OFFENCES))]
    summed = pd.concat(parts, ignore_index=True)
    return summed.groupby(["state", "period", "measure", "sex"], as_index=False)["value"].sum()


def _drug_items(incidences: pd.DataFrame) -> list[str]:
    """The drug-law items, after checking that every semester has all of them (`incidences`: offence rows)."""
    present = incidences[["period", "item"]].drop_duplicates()  # each item once per semester
    for period, items in present.groupby("period", observed=True)["item"]:
        missing = set(DRUG_OFFENCES) - set(items)
        if missing:
            raise PipelineError(f"{period}: drug-law item '{sorted(missing)[0]}' not found in block 5.14",
                                fix="the offence wording changed: update DRUG_OFFENCES in "
                                    "pipeline/chapters/brazil/build.py")
    return list(DRUG_OFFENCES)


def _quality(population: pd.DataFrame, counted_offences: pd.DataFrame, units: pd.DataFrame, states: pd.DataFrame,
             corrections: pd.DataFrame, unit_effects: dict[str, str], settings: Brazil,
             people: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The data-quality table (findings of every rule, known errors, treatment, effect), the state-semesters
    whose incidences are treated, `counted_offences` with the units treated by the rule on a unit's incidences, and
    the people of units relabelled out of cells (plausibility.moved_out_of_cells). `population`: the tidy rows of
    block 4.1; `counted_offences`: the offence rows of block 5.14 of the units counted (counted_units); `units`:
    people per unit (unit_people); `unit_effects`: what each correction of a unit's people did, by entry id;
    `people`: the national people of each class's measure by period and sex, as the chapter counts them."""
    in_cells = None if people is None else people.xs(CLASS_MEASURES[CELLS], level="measure")
    checked = states[states["measure"].isin(["all_offence_incidences", "drug_law_incidences", "people_in_cells"])]
    outliers = plausibility.detect_outliers(checked, settings.outlier_ratio, settings.outlier_min_change)
    rates = plausibility.incidence_rates(counted_units(population, settings), counted_offences)
    findings = pd.concat([plausibility.spike_findings(outliers),
                          plausibility.per_capita_findings(rates, settings.per_capita_max_ratio),
                          plausibility.coverage_findings(rates, settings.incidence_coverage_min_pct)],
                         ignore_index=True)
    forms = plausibility.unit_forms(population)  # each unit's form of block 4.1, for the two rules that compare them
    copies = plausibility.unit_copy_findings(population, units, settings.unit_copy_min_people, CLASS_MEASURES, CELLS,
                                             forms)
    repeats = plausibility.unit_repeat_findings(population, units, settings.unit_repeat_min_people, CLASS_MEASURES,
                                                forms)
    sexes = plausibility.unit_sex_copy_findings(population, units, settings.unit_sex_copy_min_women, CLASS_MEASURES)
    absent = plausibility.unit_absent_findings(units, settings.unit_absent_min_people, CLASS_MEASURES, people)
    offence_repeats = plausibility.unit_offence_repeat_findings(counted_offences,
                                                                settings.unit_offence_repeat_min_incidences)
    on_units, out_of_cells = monitoring_findings(units, settings, in_cells)
    findings = pd.concat([findings, *on_units, copies, repeats, sexes, absent, offence_repeats], ignore_index=True)
    treatable = (*INCIDENCE_MEASURES, plausibility.RATE_MEASURE)
    quality = plausibility.quality_table(findings, corrections, settings.outlier_treatment, treatable, unit_effects)
    treated = plausibility.treated_state_periods(quality)
    # A unit's incidences far above its own semesters and the states' rates, outside the state-semesters treated.
    by_unit = unit_incidences(population, counted_offences, settings)
    jumps = plausibility.incidence_jumps(by_unit, rates, settings.outlier_ratio, settings.outlier_min_change,
                                         settings.per_capita_max_ratio)
    in_units = plausibility.incidence_jump_findings(jumps, treated, settings.outlier_treatment)
    # A unit's offences of a sex it holds none of, while it holds the other.
    unheld = plausibility.incidences_of_sex_not_held(by_unit, settings.incidences_of_sex_not_held_min)
    moved = plausibility.incidence_sex_findings(unheld, treated, settings.incidences_of_sex_not_held)
    own = corrections.iloc[:0]  # these rules state their own treatment
    quality = pd.concat([quality, plausibility.quality_table(in_units, own, "keep", ()),
                         plausibility.quality_table(moved, own, "keep", ())], ignore_index=True) \
        .sort_values(["rule", "state", "period", "measure", "sex"], kind="stable")
    sources = plausibility.replacement_periods(states, treated)
    offences = plausibility.move_incidences(plausibility.treat_unit_incidences(counted_offences, jumps, in_units),
                                            unheld, moved)
    return plausibility.describe_effects(quality.reset_index(drop=True), sources), treated, offences, out_of_cells


def unit_incidences(population: pd.DataFrame, counted_offences: pd.DataFrame, settings: Brazil) -> pd.DataFrame:
    """Per counted unit, semester and sex: its people (block 4.1) and offence incidences (the block 5.14 items of
    `counted_offences`), 0 where it has none (plausibility.UNIT_INCIDENCE_COLUMNS)."""
    key = ["period", "unit_row", "sex"]  # a unit's row number is unique in its semester
    counted = counted_units(population, settings)
    people = counted.groupby(key, observed=True)["value"].sum().rename("people")
    incidences = counted_offences.groupby(key, observed=True)["value"].sum().rename("incidences")
    both = pd.concat([people, incidences], axis=1).fillna(0).reset_index()
    names = pd.concat([counted, counted_offences])[["period", "unit_row", "state", "unit", "unit_name"]] \
        .drop_duplicates(["period", "unit_row"])
    return both.merge(names, on=["period", "unit_row"], validate="m:1")[plausibility.UNIT_INCIDENCE_COLUMNS]


def unit_people(tidy: pd.DataFrame) -> pd.DataFrame:
    """People per unit, semester and sex, with the unit's class, its places for that sex as the unit reported them
    (block 1.3) and its people of that sex as its age groups count them (block 5.1), each missing where the unit left
    it blank (plausibility.UNIT_COLUMNS)."""
    population = tidy[tidy["block"] == "population"]
    key = ["period", "unit_row", "state", "municipality", "unit_name", "unit", "kind", "sex"]
    people = population.groupby(key, as_index=False, observed=True)["value"].sum().rename(columns={"value": "people"})
    for block, column in (("capacity", "places"), ("people_by_age", "people_by_age")):
        totals = tidy.loc[tidy["block"] == block, ["period", "unit_row", "sex", "value"]]
        people = people.merge(totals.rename(columns={"value": column}), on=["period", "unit_row", "sex"], how="left",
                              validate="1:1")
    return people[plausibility.UNIT_COLUMNS]


def monitoring_findings(units: pd.DataFrame, settings: Brazil, in_cells: pd.Series | None = None
                        ) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """The findings of the rules on units (`units`: people per unit, unit_people): named both monitoring and a
    physical cell, reclassified to or from monitoring or home detention between two semesters (`in_cells`: the national
    people in cells by period and sex, which a move out of cells lowers), a unit's count far from its
    neighbouring semesters, and a unit's two counts of one form far apart in one semester (listed: a unit's count is
    corrected only by a known error naming it). Also the people that units relabelled out of cells held in them
    (plausibility.moved_out_of_cells)."""
    in_cell = plausibility.monitoring_in_cell_findings(units, settings.monitoring_pattern,
                                                        settings.monitoring_in_cell_pattern, MONITORING,
                                                        CLASS_MEASURES[MONITORING], settings.monitoring_in_cell_treatment)
    markers = [settings.monitoring_pattern, settings.domiciliary_pattern, settings.monitoring_in_cell_pattern]
    moves = plausibility.reclassified_units(units, markers, MONITORING, (DOMICILIARY,))
    national = units[units["kind"] == MONITORING].groupby(["period", "sex"])["people"].sum()
    growth = {"base_period": settings.monitoring_base_period, "claimed_pct": settings.claimed_monitoring_growth_pct,
              "end_period": settings.claimed_end_period}
    jumps = plausibility.unit_jump_findings(units, settings.unit_jump_ratio, settings.unit_jump_min_change,
                                            CLASS_MEASURES)
    gaps = plausibility.unit_count_gap_findings(units, settings.unit_count_gap_ratio,
                                                settings.unit_count_gap_min_people, CLASS_MEASURES)
    reclassified = plausibility.reclassification_findings(moves, national, CLASS_MEASURES, growth, in_cells, CELLS)
    return [in_cell, reclassified, jumps, gaps], plausibility.moved_out_of_cells(moves, in_cells, CELLS)


def patronato_units(population: pd.DataFrame, settings: Brazil) -> pd.DataFrame:
    """Every unit whose name matches `patronato_pattern`, per semester: people by sex and the class applied.
    `population`: the tidy rows of block 4.1, with each unit's class (`kind`)."""
    named = population[population["unit_name"].str.contains(re.compile(settings.patronato_pattern), regex=True)]
    table = named.pivot_table(index=["period", "state", "unit_name", "kind"], columns="sex", values="value",
                                   aggfunc="sum", fill_value=0).reset_index().rename_axis(columns=None)
    table = table.reindex(columns=["period", "state", "unit_name", "kind", "female", "male"], fill_value=0)
    table["total"] = table["female"] + table["male"]
    in_cells = table["kind"].isin(kinds_in_cells(settings))
    table["counted_in_cells"] = in_cells
    return table.rename(columns={"kind": "unit_class"})


def national_indicators(states: pd.DataFrame, settings: Brazil, corrected_units: dict[str, str] | None = None
                        ) -> pd.DataFrame:
    """National sums by sex (with a total), plus the drug-law share of incidences, as long-table rows.
    `corrected_units`: what the definition of a count of people adds about the units corrected in it, by measure
    (unit_corrections_note)."""
    national = states.groupby(["measure", "period", "sex"], as_index=False)["value"].sum()
    total = national.groupby(["measure", "period"], as_index=False)["value"].sum().assign(sex="total")
    national = pd.concat([national, total], ignore_index=True)
    wide = national.pivot_table(index=["period", "sex"], columns="measure", values="value").reset_index()
    share = wide.assign(measure="drug_law_share_of_incidences",
                        value=(100 * wide["drug_law_incidences"] / wide["all_offence_incidences"]).round(4))
    rows = pd.concat([national, share[["measure", "period", "sex", "value"]]], ignore_index=True)
    rows = rows.assign(country=COUNTRY, source=SOURCE, indicator=rows["measure"],
                       unit=rows["measure"].map(_unit),
                       definition=rows["measure"].map(lambda m: definition(m, settings)
                                                      + _corrected_in(m, corrected_units or {})))
    return longtable.frame(rows)


# ------------------------------------------------------- Which states the monitoring count covers ---

def _monitored_by_state(states: pd.DataFrame) -> pd.DataFrame:
    """People under electronic monitoring by semester and state (female, male, total), for the states whose monitoring
    units report anyone that semester. `states`: people by state (state_values)."""
    rows = states[states["measure"] == CLASS_MEASURES[MONITORING]]
    wide = rows.pivot_table(index=["period", "state"], columns="sex", values="value", aggfunc="sum", fill_value=0) \
        .reindex(columns=["female", "male"], fill_value=0).rename_axis(columns=None).reset_index()
    wide["total"] = wide["female"] + wide["male"]
    return wide[wide["total"] > 0].reset_index(drop=True)


def monitoring_coverage(states: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per semester, the states whose monitoring units report people, those without, and the people monitored by sex.
    SENAPPEN's count of people monitored is the sum of these units (data/published/figures.csv): a state without
    one in a semester's file is not in that semester's count, so the count grows when a state enters it."""
    monitored = _monitored_by_state(states)
    rows = []
    for period in periods:
        present = monitored[monitored["period"] == period]
        codes = set(present["state"])
        rows.append({"period": period, "states_reporting": len(codes),
                     "states_with_monitoring": ", ".join(sorted(codes)),
                     "states_without_monitoring": ", ".join(s for s in sisdepen.STATES if s not in codes),
                     **{sex: float(present[sex].sum()) for sex in ("female", "male", "total")}})
    return pd.DataFrame(rows)


def growth_in_same_states(states: pd.DataFrame, base_period: str) -> pd.DataFrame:
    """For the base and every later semester, the states whose monitoring units report people in both, and the
    growth (%, four decimals) of their people monitored by sex: the count's growth without the states that entered or
    left it."""
    monitored = _monitored_by_state(states)
    base = monitored[monitored["period"] == base_period].set_index("state")
    rows = []
    for period, now in monitored[monitored["period"] >= base_period].groupby("period"):
        both = sorted(set(base.index) & set(now["state"]))
        now = now.set_index("state").loc[both]
        growth = {f"{sex}_growth_same_states_pct": round(100 * (now[sex].sum() / base.loc[both, sex].sum() - 1), 4)
                  for sex in ("female", "male", "total")}
        rows.append({"period": period, "states_in_both": len(both), **growth})
    return pd.DataFrame(rows)


SAME_STATES_GROWTH = "people_electronic_monitoring_same_states_growth"


def monitoring_coverage_rows(coverage: pd.DataFrame, same_states: pd.DataFrame, base_period: str) -> pd.DataFrame:
    """Long-table rows: how many states the monitoring count covers each semester (`coverage`), and, for every
    semester after `base_period`, the growth of people monitored in the states counted both then and in the base
    (`same_states`: growth_in_same_states), by sex. A new semester adds rows and changes none."""
    covered = (f"number of Brazil's {len(sisdepen.STATES)} states (26 and the Federal District) whose units named as "
               "electronic monitoring (params.yaml brazil.monitoring_pattern) report at least one person in SISDEPEN "
               "block 4.1: the count of people under electronic monitoring covers these states only "
               "(table 27 of the briefing names them)")
    rows = [{"indicator": "states_reporting_electronic_monitoring", "sex": "total", "period": row.period,
             "value": float(row.states_reporting), "unit": "states", "definition": covered}
            for row in coverage.itertuples()]
    growth = (f"change of people under electronic monitoring from {base_period} (params.yaml "
              "brazil.monitoring_base_period) to the row's semester in percent, over the states whose monitoring units "
              "report people in both: the count's growth without the states that entered or left it (table 20 of "
              "the briefing gives their number, table 27 names each semester's states)")
    rows += [{"indicator": SAME_STATES_GROWTH, "sex": sex, "period": row.period, "unit": "percent",
              "value": getattr(row, f"{sex}_growth_same_states_pct"), "definition": growth}
             for row in same_states[same_states["period"] > base_period].itertuples()
             for sex in ("female", "male", "total")]
    return longtable.frame(pd.DataFrame(rows).assign(country=COUNTRY, source=SOURCE))


def unit_corrections_note(entries: pd.DataFrame, replaced_by: pd.DataFrame) -> dict[str, str]:
    """By measure, the known errors of single units corrected in it (data/corrections/sisdepen.yaml), in words:
    '; corrected units (data/corrections/sisdepen.yaml): pe-2016-12-pjallb-male-people (PE 2016-12 men: the unit's
    2017-06 counts)'."""
    source = replaced_by.set_index("id")["source_period"]
    notes: dict[str, list[str]] = {}
    for entry in entries.sort_values(["state", "period", "sex"]).itertuples():
        who = {"female": "women", "male": "men"}[entry.sex]
        done = f"the unit's {source[entry.id]} counts" if entry.action == "replace" else "the unit left out"
        notes.setdefault(entry.measure, []).append(f"{entry.id} ({entry.state} {entry.period} {who}: {done})")
    return {measure: f"; corrected units ({paths.relative(plausibility.CORRECTIONS)}): {', '.join(parts)}"
            for measure, parts in notes.items()}


def _corrected_in(measure: str, notes: dict[str, str]) -> str:
    """The note of the units corrected in `measure`, or in the count it breaks down (people_in_cells_closed)."""
    return "".join(note for corrected, note in notes.items() if measure == corrected
                   or measure.startswith(corrected + "_"))


def _unit(measure: str) -> str:
    if measure.endswith("_share_of_incidences"):
        return "percent"
    return "incidences" if measure.endswith("incidences") or measure in DRUG_OFFENCES.values() else "persons"


def cells_definition(settings: Brazil) -> str:
    """What 'held in cells' includes and leaves out, with the parameters that decide it."""
    patronato = (f"Patronato units (name matches patronato_pattern {settings.patronato_pattern!r}, at least "
                 f"{settings.patronato_min_people:,} people)")
    if settings.patronato_in_cells:
        text = (f"SISDEPEN block 4.1, sum of parts (court x sex); in: prison units and {patronato} "
                "(patronato_in_cells: true); out: units whose name marks electronic monitoring "
                "(monitoring_pattern) or home detention (domiciliary_pattern)")
    else:
        text = (f"SISDEPEN block 4.1, sum of parts (court x sex); in: prison units (jails, penitentiaries, "
                f"semi-open and open-regime houses); out: units whose name marks electronic monitoring "
                f"(monitoring_pattern), home detention (domiciliary_pattern) and {patronato}, as SENAPPEN "
                "counts people held without monitoring")
    return text + _in_cell_units(settings, "in: ")


def _in_cell_units(settings: Brazil, side: str) -> str:
    """What a definition adds when monitoring units named a physical cell are counted in cells ('' otherwise)."""
    if settings.monitoring_in_cell_treatment != "in_cells":
        return ""
    return (f"; {side}units whose name marks electronic monitoring and a physical cell (monitoring_in_cell_pattern "
            f"{settings.monitoring_in_cell_pattern!r}) are counted in cells (monitoring_in_cell_treatment: in_cells)")


def definition(measure: str, settings: Brazil) -> str:
    """The definition written beside every long-table row of `measure`."""
    if measure.startswith("people_in_cells"):
        # Block 4.1's security measures are internment and outpatient treatment (outpatients: at most a few dozen
        # women and some hundreds of men a semester in the files): both are counted, as SENAPPEN's total counts them;
        # a reviewer asked which.
        legal = {"people_in_cells": "; every legal situation, outpatient security measures included",
                 "people_in_cells_security_measure": "; security measures of internment and of outpatient treatment "
                                                     "together"}.get(measure, "")
        return cells_definition(settings) + legal
    if measure == "people_patronato":
        where = "counted in" if settings.patronato_in_cells else "counted apart from"
        return (f"SISDEPEN block 4.1 in units whose name marks a Patronato (patronato_pattern "
                f"{settings.patronato_pattern!r}) holding at least {settings.patronato_min_people:,} people: "
                f"open-regime supervision outside any cell; {where} people in cells (params.yaml "
                "brazil.patronato_in_cells)")
    if measure.startswith("people_"):
        out = _in_cell_units(settings, "out: ") if measure == CLASS_MEASURES[MONITORING] else ""
        return (f"SISDEPEN block 4.1 in units whose name marks {measure[7:].replace('_', ' ')} "
                f"(params.yaml brazil patterns){out}")
    units = ("of every unit, pseudo-units included" if settings.incidences_in_pseudo_units
             else "of the units counted in cells")
    return (f"SISDEPEN block 5.14 offence items (incidences, not people) {units}; "
            f"state-semesters flagged by the spike or per-capita rule or listed as known errors, and units' "
            f"incidences alone where unit_incidence_jump flags them: {settings.outlier_treatment} (params.yaml "
            f"brazil.outlier_treatment; per-capita limit {settings.per_capita_max_ratio:g} times the national median)")


# ------------------------------------------------------------------------ The chapter's tables ---

def by_sex(indicators: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One indicator as period x (female, male, total) columns."""
    rows = indicators[indicators["indicator"] == indicator]
    if rows.empty:
        raise PipelineError(f"indicator '{indicator}' has no rows",
                            fix="the SISDEPEN files have no unit of this class: check the patterns in params.yaml")
    return rows.pivot_table(index="period", columns="sex", values="value").reset_index() \
               .rename_axis(columns=None)


def growth_from(table: pd.DataFrame, base_period: str) -> pd.DataFrame:
    """Counts by sex and their growth (%) over `base_period`, for the base and every later semester."""
    base = table.set_index("period").loc[base_period]
    later = table[table["period"] >= base_period].copy()
    for sex in ("female", "male", "total"):
        later[f"{sex}_growth_pct"] = half_away(100 * (later[sex] / base[sex] - 1), 1)
    return later.reset_index(drop=True)


def monitoring_growth(monitored: pd.DataFrame, same_states: pd.DataFrame, base_period: str) -> pd.DataFrame:
    """tab-20: people monitored by sex and their growth from `base_period`, then the states the count covers and the
    growth in the states counted both in the base and in the row's semester (growth_in_same_states)."""
    growth = growth_from(monitored.drop(columns="states_reporting"), base_period)
    return growth.merge(monitored[["period", "states_reporting"]], on="period", validate="1:1") \
        .merge(half_away_columns(same_states, 1, [c for c in same_states.columns if c.endswith("_pct")]),
               on="period", validate="1:1")


def treated_state_semesters(quality: pd.DataFrame) -> str:
    """The state-semesters whose incidences were excluded or replaced, e.g. 'MA 2019-12, RS 2018-06' ('none')."""
    treated = plausibility.treated_state_periods(quality)
    return ", ".join(f"{t.state} {t.period}" for t in treated.itertuples()) or "none"


def treated_unit_semesters(quality: pd.DataFrame) -> str:
    """The state-semesters in which units' incidences alone were excluded or replaced (unit_incidence_jump; tab-22
    names the units), e.g. 'PE 2018-12' ('none')."""
    found = quality[(quality["rule"] == plausibility.UNIT_INCIDENCE_JUMP_RULE)
                    & quality["treatment"].isin(plausibility.TREATMENTS[1:])]
    return ", ".join(dict.fromkeys(f"{row.state} {row.period}" for row in found.itertuples())) or "none"


def corrected_units(quality: pd.DataFrame) -> list[str] | str:
    """The known errors of single units corrected in the counts of people (their entry ids), or 'none'."""
    people = quality[quality["measure"].str.startswith(plausibility.PEOPLE_PREFIX)
                     & (quality["correction_id"].fillna("") != "") & (quality["treatment"] != "keep")]
    return sorted(people["correction_id"].unique()) or "none"


def semester_words(period: str) -> str:
    """A SISDEPEN semester in words, as the source line says it: 2016-12 -> December 2016."""
    year, _, month = period.partition("-")
    return f"{MONTHS[month]} {year}"


def chapter_tables(outputs: Outputs, settings: Brazil, files: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table the chapter publishes, draws or narrates: the build's outputs, the SISDEPEN files used, the
    series by sex of the figures, monitoring growth, the drug-law shares as published (one decimal)."""
    indicators = outputs.indicators
    monitored = by_sex(indicators, "people_electronic_monitoring").merge(
        outputs.monitoring_coverage[["period", "states_reporting"]], on="period", validate="1:1")
    drug_share = by_sex(indicators, "drug_law_share_of_incidences")
    legal = indicators[indicators["indicator"].str.startswith("people_in_cells_") & (indicators["sex"] != "total")]
    return {
        "indicators": indicators, "units": outputs.units, "state_values": outputs.state_values,
        "quality": outputs.quality.fillna({"correction_id": ""}), "reconciliation": outputs.reconciliation,
        "patronato": outputs.patronato, "monitoring_claim": outputs.monitoring_claim, "claims": outputs.claims,
        "files": files, "in_cells": by_sex(indicators, "people_in_cells"),
        "in_cells_by_legal_situation": legal.reset_index(drop=True), "monitored": monitored,
        "monitoring_growth": monitoring_growth(monitored, outputs.monitoring_same_states,
                                               settings.monitoring_base_period),
        "monitoring_coverage": outputs.monitoring_coverage, "renamed_units": outputs.renamed_units,
        "moved_out_of_cells": outputs.moved_out_of_cells,
        "domiciliary": by_sex(indicators, "people_domiciliary"),
        "drug_share": drug_share, "drug_share_table": half_away_columns(drug_share, 1),
    }


def values(tables: dict[str, pd.DataFrame], settings: Brazil, periods: list[str]) -> dict:
    """The texts' parameters and the definitions the chapter's figures and tables state."""
    units = {"monitoring_pattern": settings.monitoring_pattern, "domiciliary_pattern": settings.domiciliary_pattern,
             "patronato_pattern": settings.patronato_pattern, "patronato_min_people": settings.patronato_min_people,
             "patronato_in_cells": settings.patronato_in_cells,
             "monitoring_in_cell_pattern": settings.monitoring_in_cell_pattern,
             "monitoring_in_cell_treatment": settings.monitoring_in_cell_treatment,
             "corrected_units": corrected_units(tables["quality"])}
    incidences = {**units, "incidences_in_pseudo_units": settings.incidences_in_pseudo_units,
                  "incidences_of_sex_not_held": settings.incidences_of_sex_not_held,
                  "incidences_of_sex_not_held_min": settings.incidences_of_sex_not_held_min,
                  "outlier_ratio": settings.outlier_ratio, "outlier_min_change": settings.outlier_min_change,
                  "per_capita_max_ratio": settings.per_capita_max_ratio,
                  "incidence_coverage_min_pct": settings.incidence_coverage_min_pct,
                  "outlier_treatment": settings.outlier_treatment,
                  "treated_state_semesters": treated_state_semesters(tables["quality"]),
                  "treated_unit_semesters": treated_unit_semesters(tables["quality"])}
    claims = {"claimed_monitoring_growth_pct": settings.claimed_monitoring_growth_pct,
              "claimed_base_periods": settings.claimed_base_periods, "claimed_end_period": settings.claimed_end_period}
    unit_rules = {key: getattr(settings, key) for key in UNIT_RULE_PARAMETERS}
    # tab-28: how a rename is found, and the classes a renamed unit must keep
    renames = {key: getattr(settings, key) for key in ("follow_renamed_units", *PATTERNS, "patronato_min_people")}
    quality = {**incidences, **unit_rules, "monitoring_base_period": settings.monitoring_base_period,
               "claimed_monitoring_growth_pct": settings.claimed_monitoring_growth_pct,
               "claimed_end_period": settings.claimed_end_period}
    in_cells, monitored = tables["in_cells"], tables["monitored"]
    covered = tables["monitoring_coverage"].set_index("period")["states_reporting"]
    return {"text": {"first_semester": semester_words(min(periods)), "last_semester": semester_words(max(periods)),
                     "patronato_in_cells": settings.patronato_in_cells,
                     "first_period": in_cells["period"].min(), "last_period": in_cells["period"].max(),
                     "first_monitored_period": monitored["period"].min(),
                     "last_monitored_period": monitored["period"].max(),
                     # how many states the monitoring count covers at its ends (fig-21's caption)
                     "monitored_states_first": f"{covered[monitored['period'].min()]:,}",
                     "monitored_states_last": f"{covered[monitored['period'].max()]:,}",
                     "brazil_states": f"{len(sisdepen.STATES)}",
                     # what became of the flagged state-semesters, in words (fig-22's caption, tab-21's title)
                     "flagged_state_semesters": i18n.Translator("en")(
                         f"brazil.flagged_treatment.{settings.outlier_treatment}"),
                     "monitoring_base_period": settings.monitoring_base_period,
                     "claimed_end_period": settings.claimed_end_period,
                     **ends_in_words(in_cells, "in_cells"), **ends_in_words(monitored, "monitored")},
            "definitions": {"units": units, "incidences": incidences, "quality": quality, "renames": renames,
                            "claim_check": {**claims, "monitoring_pattern": settings.monitoring_pattern},
                            "claims": claims}}


def ends_in_words(table: pd.DataFrame, name: str) -> dict[str, str]:
    """The women and men of the first and the last semester of a wide table (period, female, male), written as
    the alt texts state them (fig-20, fig-21): `<name>_women_first`, `<name>_women_last`, `<name>_men_first`,
    `<name>_men_last`."""
    ordered = table.sort_values("period")
    return {f"{name}_{who}_{end}": f"{int(ordered[sex].iloc[at]):,}"
            for who, sex in (("women", "female"), ("men", "male")) for end, at in (("first", 0), ("last", -1))}


@cli
def main() -> None:
    # Load inputs.
    settings = params.read(Brazil)
    tidy = pd.read_parquet(paths.interim_parquet(SOURCE))
    reports = pd.read_parquet(paths.interim_parquet("sisdepen_reports"))
    files = pd.read_csv(paths.SISDEPEN_FILES, dtype={"period": str})
    # Process data.
    outputs = build(tidy, reports, published.load(), settings)
    tables = chapter_tables(outputs, settings, files)
    texts = values(tables, settings, sorted(tidy["period"].unique()))
    # Save outputs, all together or none.
    with io.transaction(replace=(paths.chapter_dir(CHAPTER),)):
        interim.write(CHAPTER, tables, texts)
        export.save_registered(CHAPTER, tables, texts)
        longtable.save(outputs.indicators, paths.indicator_part(CHAPTER))
    print(f"brazil: {len(tables)} tables -> {paths.relative(paths.chapter_dir(CHAPTER))}, "
          f"{len(outputs.indicators)} long rows")


if __name__ == "__main__":
    main()
