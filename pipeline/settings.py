"""The settings of the pipeline: one model per section of params.yaml, named after it.

A stage reads its section with `params.read(Model)` (strict: an unknown or misspelt key, a wrong type or a value
out of range is one message naming the key); a notebook builds the same model in one line from the parameters
papermill injected, `Model.from_notebook(globals())`. Checks that need the data (a semester must be in the files,
a country in the UNODC file) live with the code that has the data: the chapters' `check_settings`.

This module is the lowest of the settings: it imports nothing of the pipeline, so every layer (sources, chapters,
report) imports it downward. The fields of a model are in the order of params.yaml, which lists every key with
its explanation; `SECTIONS` is the order of the sections there.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import pydantic


class Strict(pydantic.BaseModel):
    """Base of every model read from a hand-kept file: unknown keys and wrong types are errors."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True, frozen=True)


class Section(Strict):
    """One section of params.yaml; `SECTION` is its name there."""

    SECTION: ClassVar[str]

    @classmethod
    def from_notebook(cls, namespace: dict):
        """The section from the variables a notebook's parameters cell holds (papermill injects the section)."""
        return cls(**{name: namespace[name] for name in cls.model_fields})


class Base(Section):
    SECTION = "base"
    focus_countries: list[str]  # the briefing's three country chapters (ISO 3166-1 alpha-3)


class Fetch(Section):
    SECTION = "fetch"
    mirror: str  # folder of the offline mirror, relative to the project root


class Disclosure(Section):
    """Below 3 a published cell of 1 or 2 people identifies them; 0, 1 and 2 would switch suppression off without
    saying so."""

    SECTION = "disclosure"
    min_cell: int = pydantic.Field(ge=3)


class UnodcPrisons(Section):
    """The UNODC prisons ingest and its plausibility rules (pipeline/sources/unodc_plausibility.py)."""

    SECTION = "unodc_prisons"
    region: str  # UNODC 'Region' whose countries go into the long table
    sex_gap_max_pct: float = pydantic.Field(ge=0)
    parts_tolerance_pct: float = pydantic.Field(ge=0)
    series_break_ratio: float = pydantic.Field(gt=1)
    series_break_min_change: int = pydantic.Field(ge=0)
    series_break_agreeing_ratio: float = pydantic.Field(gt=1)
    series_break_agreeing_pct: float = pydantic.Field(ge=0)
    series_break_treatment: Literal["keep", "exclude"]
    sex_gap_treatment: Literal["keep", "exclude"]
    below_parts_treatment: Literal["keep", "exclude"]
    sex_swap_min_years: int = pydantic.Field(ge=1)
    sex_swap_min_persons: int = pydantic.Field(ge=0)
    sex_swap_treatment: Literal["keep", "exclude"]
    repeated_count_min: int = pydantic.Field(ge=1)
    women_share_denominator: Literal["total", "total_or_female_plus_male"]


class Regional(Section):
    SECTION = "regional"
    first_year: int
    subregion: str
    focus_countries: list[str]
    world_panel_min_countries: int = pydantic.Field(ge=2)
    world_panel_last_year: int
    americas_excluded: list[str]
    missing_share_quantiles: list[float] = pydantic.Field(min_length=2, max_length=2)
    missing_share_min_peers: int = pydantic.Field(ge=1)
    juveniles_note_min_pct: float = pydantic.Field(gt=0, le=100)

    @pydantic.field_validator("missing_share_quantiles")
    @classmethod
    def _ordered_quantiles(cls, value: list[float]) -> list[float]:
        if not 0 <= value[0] < value[1] <= 1:
            raise ValueError("give two quantiles, low then high, between 0 and 1")
        return value


class Brazil(Section):
    SECTION = "brazil"
    monitoring_pattern: str
    domiciliary_pattern: str
    patronato_pattern: str
    patronato_min_people: int
    patronato_in_cells: bool
    monitoring_in_cell_pattern: str
    monitoring_in_cell_treatment: Literal["monitored", "in_cells"]
    incidences_in_pseudo_units: bool
    incidences_of_sex_not_held: Literal["move", "keep"]
    incidences_of_sex_not_held_min: int = pydantic.Field(ge=1)
    outlier_ratio: float
    outlier_min_change: int
    follow_renamed_units: bool
    unit_jump_ratio: float = pydantic.Field(gt=1)
    unit_jump_min_change: int = pydantic.Field(ge=0)
    unit_copy_min_people: int = pydantic.Field(ge=1)
    unit_repeat_min_people: int = pydantic.Field(ge=1)
    unit_offence_repeat_min_incidences: int = pydantic.Field(ge=1)
    unit_sex_copy_min_women: int = pydantic.Field(ge=1)
    unit_count_gap_ratio: float = pydantic.Field(gt=1)
    unit_count_gap_min_people: int = pydantic.Field(ge=1)
    unit_absent_min_people: int = pydantic.Field(ge=1)
    per_capita_max_ratio: float
    incidence_coverage_min_pct: float
    outlier_treatment: Literal["keep", "exclude", "replace"]
    monitoring_base_period: str
    claimed_monitoring_growth_pct: dict[str, float]
    claimed_base_periods: list[str]
    claimed_end_period: str


class Sneep(Section):
    """The SNEEP microdata ingest (pipeline/sources/sneep.py): how the files are read, not what is counted."""

    SECTION = "sneep"
    children_coding: Literal["auto", "yes1_no2_unknown0", "no0_yes1"]
    max_rejected_rows: int


class Argentina(Section):
    SECTION = "argentina"
    women_include_trans_women: bool
    drug_rule: Literal["first_offence", "any_offence"]
    drug_include_smuggling: bool
    legal_status: Literal["all", "pre_trial", "sentenced"]
    service: Literal["all", "federal", "provincial"]
    first_year: int
    last_year: int
    growth_base_year: int


class Uruguay(Section):
    SECTION = "uruguay"
    first_year: int
    luc_month: str = pydantic.Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    detention_claim_years: list[int] = pydantic.Field(min_length=2, max_length=2)
    luc_claim_years: list[int] = pydantic.Field(min_length=2, max_length=2)
    sharp_rise_min_pct: float
    sharp_rise_min_ratio: float
    share_tolerance_pp: float


class SourceClasses(Strict):
    primary: list[str]  # long-table sources that are a publisher's own statistics
    secondary: list[str]  # long-table sources that quote a figure published elsewhere


class Claims(Section):
    SECTION = "claims"
    manuscript: str  # the briefing's text, relative to the project root
    years: list[int]  # [first, last]: four-digit whole numbers in this range are years, not figures
    source_classes: SourceClasses


class Report(Section):
    SECTION = "report"
    languages: list[str]  # en first: the chapters write in English


class Profiles(Section):
    """The country profiles (pipeline/profiles/): which countries get one."""

    SECTION = "profiles"
    countries: list[str] = pydantic.Field(min_length=1)  # UNODC regions or subregions (every country with data), ISO3 codes, or `all`


# Every section params.yaml may hold, in the file's order.
SECTIONS: dict[str, type[Section]] = {model.SECTION: model for model in (
    Base, Fetch, Disclosure, UnodcPrisons, Regional, Brazil, Sneep, Argentina, Uruguay, Claims, Report, Profiles)}
