"""Every figure, table and headline number of the briefing, declared once.

A figure: its id (the file name), its chapter, the build table it draws (data/interim/<chapter>/<table>.parquet),
the chart function that draws it (a function of the chapter's charts.py, by name), the columns drawn (x, the y
columns, and the series whose rows are drawn: the figure's data CSV holds exactly those points), its title,
caption, alt text and source line as keys of the translation table (data/translations.csv) with the values that
fill their holes, and the set of definitions it states.

A table: its id (the file name under reports/tables/), its chapter, the build table it publishes, its key columns,
title and source keys, and the digits its Markdown shows.

A headline metric: its quantity and country (reports/metrics/<quantity>.json, keyed by country) and where it is
read — a build table, a row (equal columns, then the last by a column) and a column.

Everything else reads this module: each chapter's build saves its tables with it, the figures stage draws with it,
the notebooks show figures through it, the briefing, the bundles and the metrics list what it declares, and
dvc.yaml's outputs are generated from it (python -m pipeline.dvc_yaml). Adding a figure = one entry in FIGURES,
one function in the chapter's charts.py, and its rows in data/translations.csv.

Texts: a `Text` names a row of the translation table; `args` name the values (in the chapter's values.json,
written by its build) that fill the row's holes {0}, {1}, … in order. A `Choice` picks one of two texts by a
true/false value of the build (e.g. whether Patronato units count as held in cells).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline import i18n
from pipeline.errors import PipelineError

CHAPTERS = ("regional", "argentina", "brazil", "uruguay")
# Each chapter's notebook: notebooks/<name>.ipynb, executed into reports/notebooks/<name>.{ipynb,html}.
NOTEBOOKS = {"regional": "regional", "argentina": "argentina_sneep", "brazil": "brazil_sisdepen",
             "uruguay": "uruguay_observatory"}
# The country each country chapter is about (ISO3): its profile links to the chapter.
COUNTRY_CHAPTERS = {"ARG": "argentina", "BRA": "brazil", "URY": "uruguay"}


@dataclass(frozen=True)
class Text:
    key: str  # a row of data/translations.csv
    args: tuple[str, ...] = ()  # values (values.json "text") filling {0}, {1}, … in order


@dataclass(frozen=True)
class Choice:
    flag: str  # a true/false value of the build (values.json "text")
    if_true: Text
    if_false: Text


@dataclass(frozen=True)
class Figure:
    id: str
    chapter: str
    table: str  # the build table drawn
    chart: str  # the function of pipeline/chapters/<chapter>/charts.py that draws it
    x: str
    y: tuple[str, ...]  # one column per series drawn side by side, or one column split by `series`
    title: str  # a row of the translation table: the chart's title, as drawn
    caption: Text | Choice
    alt: Text | Choice
    source: Text
    series: str | None = None  # the column whose values are the series (lines, points, panels)
    drawn: tuple[str, ...] = ()  # the series drawn (others stay out of the figure's data); empty: all
    columns: tuple[str, ...] = ()  # the columns of the data CSV (empty: all of the table)
    definitions: str | None = None  # a set of the build's definitions (values.json "definitions")


@dataclass(frozen=True)
class Table:
    id: str
    chapter: str
    table: str  # the build table published
    key: tuple[str, ...]
    title: Text
    source: Text
    definitions: str | None = None
    float_digits: int = 1
    drop: tuple[str, ...] = ()  # build-table columns left out of the published table


@dataclass(frozen=True)
class Metric:
    key: tuple[str, str]  # (quantity, country): reports/metrics/<quantity>.json; "{country}": each focus country
    chapter: str
    table: str  # a build table
    column: str
    where: dict = field(default_factory=dict)  # column -> value the row must have ("{country}" as above)
    last_by: str | None = None  # of the rows left, the one with the largest value of this column
    kind: str = "int"  # int | pct (one decimal) | period (YYYY-MM, as text) | whole_year (of 2003.0)


# ------------------------------------------------------------------------------------- Figures ---

_UNODC = Text("source.unodc_prisons")
_SISDEPEN = Text("source.sisdepen", ("first_semester", "last_semester"))
# The holes of fig-10's and fig-11's alt texts (measure "women" or "share"): the ends of the UNODC series and of the
# points of SNEEP's counts as cited by the briefing; with the microdata, its ends too (series_ends_in_words of
# pipeline/chapters/argentina/build.py).
_ARGENTINA_ENDS = {measure: (f"unodc_{measure}_first_year", f"unodc_{measure}_last_year", f"unodc_{measure}_first",
                             f"unodc_{measure}_last", f"cited_{measure}_first", f"cited_{measure}_first_year",
                             f"cited_{measure}_last", f"cited_{measure}_last_year") for measure in ("women", "share")}
_MICRODATA_ENDS = {measure: (f"microdata_{measure}_first_year", f"microdata_{measure}_last_year",
                             f"microdata_{measure}_first", f"microdata_{measure}_last")
                   for measure in ("women", "share")}

FIGURES = (
    Figure("fig-01-women-share-latin-america", "regional", "women_held", "women_share",
           x="year", y=("women_share_pct",), series="country", title="fig-01.title",
           columns=("country", "country_name", "year", "women_held", "men_held", "persons_held", "share_denominator",
                    "women_share_pct"),
           caption=Text("fig-01.caption", ("first_year",)), alt=Text("fig-01.alt"), source=_UNODC,
           definitions="chapter"),
    Figure("fig-10-argentina-women-held", "argentina", "women_series", "women_held",
           x="year", y=("women_held",), series="series", title="fig-10.title",
           caption=Text("fig-10.caption", ("first_year", "last_year")),
           alt=Choice("microdata_available",
                      Text("fig-10.alt_microdata", (*_ARGENTINA_ENDS["women"], *_MICRODATA_ENDS["women"])),
                      Text("fig-10.alt", _ARGENTINA_ENDS["women"])),
           source=Text("source.argentina"), definitions="chapter"),
    Figure("fig-11-argentina-women-share", "argentina", "women_series", "women_share",
           x="year", y=("women_share_pct",), series="series", title="fig-11.title",
           caption=Text("fig-11.caption"),
           alt=Choice("microdata_available",
                      Text("fig-11.alt_microdata", (*_ARGENTINA_ENDS["share"], *_MICRODATA_ENDS["share"])),
                      Text("fig-11.alt", _ARGENTINA_ENDS["share"])), source=Text("source.argentina"),
           definitions="chapter"),
    Figure("fig-20-brazil-women-men-prison", "brazil", "in_cells", "people_in_cells",
           x="period", y=("female", "male"), title="fig-20.title",
           caption=Choice("patronato_in_cells",
                          Text("fig-20.caption_patronato_in_cells", ("first_period", "last_period")),
                          Text("fig-20.caption", ("first_period", "last_period"))),
           alt=Text("fig-20.alt", ("first_period", "last_period", "in_cells_women_first", "in_cells_women_last",
                                   "in_cells_men_first", "in_cells_men_last")), source=_SISDEPEN, definitions="units"),
    Figure("fig-21-brazil-electronic-monitoring", "brazil", "monitored", "people_monitored",
           x="period", y=("female", "male"), title="fig-21.title",
           caption=Text("fig-21.caption", ("first_monitored_period", "last_monitored_period", "monitored_states_first",
                                           "monitored_states_last", "brazil_states")),
           alt=Text("fig-21.alt", ("first_monitored_period", "last_monitored_period", "monitored_women_first",
                                   "monitored_women_last", "monitored_men_first", "monitored_men_last")),
           source=_SISDEPEN, definitions="units"),
    Figure("fig-22-brazil-drug-share-women-men", "brazil", "drug_share", "drug_law_share",
           x="period", y=("female", "male"), title="fig-22.title",
           caption=Text("fig-22.caption", ("flagged_state_semesters",)), alt=Text("fig-22.alt"), source=_SISDEPEN,
           definitions="incidences"),
    Figure("fig-30-uruguay-prison-by-sex", "uruguay", "prison_series", "prison_by_sex",
           x="position", y=("persons",), series="sex", drawn=("female", "male"), title="fig-30.title",
           caption=Text("fig-30.caption", ("first_year", "luc_month_name", "unodc_women_years", "unodc_men_years")),
           alt=Text("fig-30.alt", ("women_first", "women_first_period", "women_last", "women_last_period",
                                   "men_first", "men_first_period", "men_last", "men_last_period", "luc_month_name")),
           source=Text("fig-30.source"), definitions="prison"),
    Figure("fig-31-uruguay-women-share-by-stage", "uruguay", "drug_share_by_stage", "women_share_by_stage",
           x="position", y=("women_share_pct",), series="stage", title="fig-31.title",
           caption=Text("fig-31.caption"),
           alt=Text("fig-31.alt", ("police_share_low", "police_share_high", "police_years", "prosecution_points")),
           source=Text("fig-31.source"),
           definitions="stages"),
)

# -------------------------------------------------------------------------------------- Tables ---

_ARGENTINA = Text("source.argentina")
_MICRODATA = Choice("microdata_available", Text("source.argentina_microdata"),
                    Text("source.argentina_microdata_absent"))
_URUGUAY_PRISON, _URUGUAY_DRUGS = Text("source.uruguay_prison"), Text("source.uruguay_drugs")

TABLES = (
    Table("tab-01-women-held-latest", "regional", "latest", ("country",), Text("tab-01.title"), _UNODC, "latest"),
    Table("tab-02-unodc-data-quality", "regional", "quality", ("rule", "country", "year", "series", "sex", "evidence"),
          Text("tab-02.title"), _UNODC),
    Table("tab-03-comparability", "regional", "comparability", ("aspect", "country"), Text("tab-03.title"),
          Text("source.comparability")),
    Table("tab-04-world-panel-women-men", "regional", "world_panel_windows", ("start_year", "end_year"),
          Text("tab-04.title"), _UNODC, "world_panel"),
    Table("tab-05-unsentenced-by-sex", "regional", "unsentenced_by_sex", ("country",), Text("tab-05.title"), _UNODC,
          "unsentenced"),
    Table("tab-06-americas-women-by-country", "regional", "americas_countries", ("country",), Text("tab-06.title"),
          _UNODC, "americas"),
    Table("tab-07-americas-women-interval", "regional", "americas_interval", ("measure",), Text("tab-07.title"),
          _UNODC, "americas"),
    Table("tab-08-brazil-in-unodc-reconciliation", "regional", "brazil_in_unodc", ("year",), Text("tab-08.title"),
          Text("source.brazil_in_unodc"), "brazil_in_unodc"),
    Table("tab-10-argentina-growth", "argentina", "growth", ("source", "measure"),
          Text("tab-10.title", ("growth_base_year",)), _ARGENTINA, "chapter"),
    Table("tab-11-argentina-reconciliation", "argentina", "reconciliation", ("measure", "figure_a", "figure_b"),
          Text("tab-11.title", ("growth_base_year",)), _ARGENTINA, "chapter"),
    Table("tab-12-argentina-unodc-parts-vs-total", "argentina", "parts_versus_total", ("year",), Text("tab-12.title"),
          Text("source.argentina_unodc")),
    Table("tab-13-argentina-drug-growth-check", "argentina", "drug_growth_check", ("quantity",),
          Text("tab-13.title", ("growth_base_year", "last_year")), Text("source.argentina_paper"), float_digits=1),
    Table("tab-14-argentina-persons-by-province", "argentina", "persons_by_province",
          ("census_year", "province", "gender"), Text("tab-14.title", ("min_cell",)), _MICRODATA, "microdata"),
    Table("tab-15-argentina-women-drugs-by-province", "argentina", "women_drugs_by_province",
          ("census_year", "province", "legal_status"), Text("tab-15.title", ("min_cell",)), _MICRODATA, "microdata"),
    Table("tab-20-brazil-monitoring-growth", "brazil", "monitoring_growth", ("period",),
          Text("tab-20.title", ("monitoring_base_period",)), _SISDEPEN, "units"),
    Table("tab-21-brazil-drug-share", "brazil", "drug_share_table", ("period",),
          Text("tab-21.title", ("flagged_state_semesters",)), _SISDEPEN, "incidences"),
    Table("tab-22-brazil-data-quality", "brazil", "quality", ("rule", "state", "period", "measure", "sex"),
          Text("tab-22.title"), _SISDEPEN, "quality"),
    Table("tab-23-brazil-reconciliation", "brazil", "reconciliation", ("check", "state", "period", "sex"),
          Text("tab-23.title"), _SISDEPEN, "units", float_digits=0),
    Table("tab-24-brazil-monitoring-claim-check", "brazil", "monitoring_claim", ("base_period", "published_figure_id"),
          Text("tab-24.title", ("claimed_end_period",)),
          Text("source.brazil_claim", ("first_semester", "last_semester")), "claim_check", float_digits=0),
    Table("tab-25-brazil-patronato-units", "brazil", "patronato", ("period", "state", "unit_name"),
          Text("tab-25.title"), _SISDEPEN, "units", float_digits=0),
    Table("tab-26-brazil-claims", "brazil", "claims", ("claim_id",), Text("tab-26.title"), Text("source.brazil_claims"),
          "claims"),
    Table("tab-27-brazil-monitoring-coverage", "brazil", "monitoring_coverage", ("period",), Text("tab-27.title"),
          _SISDEPEN, "units", float_digits=0),
    Table("tab-28-brazil-unit-rename-reconciliation", "brazil", "renamed_units",
          ("period", "state", "municipality", "unit_name"), Text("tab-28.title"), _SISDEPEN, "renames", float_digits=0),
    Table("tab-30-uruguay-prison-series", "uruguay", "prison_series", ("sex", "period", "reference"),
          Text("tab-30.title"), _URUGUAY_PRISON, "prison", float_digits=0, drop=("position",)),
    Table("tab-31-uruguay-women-share-by-stage", "uruguay", "drug_share_by_stage",
          ("stage", "period", "offence_scope", "reference"), Text("tab-31.title"), _URUGUAY_DRUGS, drop=("position",)),
    Table("tab-32-uruguay-unodc-drug-crimes-quality", "uruguay", "data_quality", ("year", "offence_type", "check"),
          Text("tab-32.title"), _URUGUAY_DRUGS, float_digits=0),
    Table("tab-33-uruguay-published-conflicts", "uruguay", "conflicts", ("figure_id", "other_id"), Text("tab-33.title"),
          Text("source.published_registry")),
    Table("tab-34-uruguay-published-vs-unodc", "uruguay", "reconciliation", ("figure_id",), Text("tab-34.title"),
          _URUGUAY_PRISON, float_digits=2),
    Table("tab-35-uruguay-claims", "uruguay", "claims", ("claim_id",), Text("tab-35.title"),
          Text("source.uruguay_claims"), "claims"),
)

# The claims check's own outputs (pipeline/chapters/claims/build.py writes them in their own layout).
CLAIMS_TABLES = ("claims", "manuscript-numbers")

# ------------------------------------------------------------------------------------- Metrics ---

METRIC_COUNTRY = "{country}"  # in a metric's key and row: each of base.focus_countries
# A metric's key is (quantity, country): reports/metrics/<quantity>.json holds {country: value}, so `dvc metrics show`
# reads as a table with one row per quantity and one column per country. A quantity names its source or chapter
# and its period when that is fixed; only the unodc- quantities compare countries on one definition.
METRICS = (
    *(Metric((f"unodc-{quantity}", METRIC_COUNTRY), "regional", "latest", column, where={"country": METRIC_COUNTRY},
             kind=kind)
      for quantity, column, kind in (("latest-complete-year", "latest_year", "int"),
                                     ("women-held", "women_held", "int"),
                                     ("women-share-pct", "women_share_pct", "pct"))),
    Metric(("argentina-latest-year", "ARG"), "argentina", "latest_independent", "year"),
    Metric(("argentina-women-held", "ARG"), "argentina", "latest_independent", "women_held"),
    Metric(("argentina-women-share-pct", "ARG"), "argentina", "latest_independent", "women_share_pct", kind="pct"),
    Metric(("sisdepen-latest-period", "BRA"), "brazil", "in_cells", "period", last_by="period", kind="period"),
    Metric(("sisdepen-women-in-cells", "BRA"), "brazil", "in_cells", "female", last_by="period"),
    Metric(("sisdepen-women-electronic-monitoring", "BRA"), "brazil", "monitored", "female", last_by="period"),
    Metric(("sisdepen-women-drug-law-share-pct", "BRA"), "brazil", "drug_share", "female", last_by="period",
           kind="pct"),
    Metric(("sisdepen-men-drug-law-share-pct", "BRA"), "brazil", "drug_share", "male", last_by="period", kind="pct"),
    # December 2019 holds SISDEPEN's largest known entry error (Maranhão): how it is treated shows here.
    Metric(("sisdepen-women-drug-law-share-pct-2019-12", "BRA"), "brazil", "drug_share", "female",
           where={"period": "2019-12"}, kind="pct"),
    Metric(("sisdepen-men-drug-law-share-pct-2019-12", "BRA"), "brazil", "drug_share", "male",
           where={"period": "2019-12"}, kind="pct"),
    Metric(("uruguay-latest-year", "URY"), "uruguay", "prison_series", "period",
           where={"sex": "female", "reference": "unodc_prisons"}, last_by="position", kind="whole_year"),
    Metric(("uruguay-women-held", "URY"), "uruguay", "prison_series", "persons",
           where={"sex": "female", "reference": "unodc_prisons"}, last_by="position"),
)


def metric_quantities() -> list[str]:
    """The quantities of the metrics: one file each in reports/metrics/."""
    return sorted({metric.key[0] for metric in METRICS})


# ----------------------------------------------------------------------------------- Look-ups ---

def number(item_id: str) -> int | None:
    """A figure's or table's number in the briefing, from its id: 'tab-26-brazil-claims' is table 26."""
    found = re.match(r"^(?:fig|tab)-(\d+)", item_id)
    return int(found.group(1)) if found else None


def figure(figure_id: str) -> Figure:
    found = [f for f in FIGURES if f.id == figure_id]
    if not found:
        raise PipelineError(f"no figure '{figure_id}' in the registry (pipeline/registry.py)",
                            fix=f"declared figures: {', '.join(f.id for f in FIGURES)}")
    return found[0]


def table(table_id: str) -> Table:
    found = [t for t in TABLES if t.id == table_id]
    if not found:
        raise PipelineError(f"no table '{table_id}' in the registry (pipeline/registry.py)",
                            fix=f"declared tables: {', '.join(t.id for t in TABLES)}")
    return found[0]


# Each Latin American and Caribbean country's latest complete year (the regional chapter's tab-01): the country profiles
# use the same year and repeat the table's note on what a count holds.
LATEST_BY_COUNTRY = table("tab-01-women-held-latest")


def figures_of(chapter: str) -> list[Figure]:
    return [f for f in FIGURES if f.chapter == chapter]


def tables_of(chapter: str) -> list[Table]:
    return [t for t in TABLES if t.chapter == chapter]


def text(entry: Text | Choice, values: dict) -> Text:
    """The text an entry stands for, given the build's values (a Choice picks by its flag)."""
    if isinstance(entry, Choice):
        return entry.if_true if values["text"][entry.flag] else entry.if_false
    return entry


def english(entry: Text | Choice, values: dict) -> str:
    """The English text of an entry, its holes filled with the build's values (how the chapters write it)."""
    chosen = text(entry, values)
    template = i18n.Translator("en")(chosen.key)
    return template.format(*(values["text"][arg] for arg in chosen.args)) if chosen.args else template


def definitions(name: str | None, values: dict) -> dict | None:
    return values["definitions"][name] if name else None
