"""Every number the briefing and the country profiles cite, for authors to paste rather than retype:
reports/values/<lang>.csv, .md and .tex, one row per number with its id, its value written the language's way, what
it is (in the language), its unit, period, source, long-table key, the note a number must be quoted with (Brazil's
count of women held includes women outside cells: the regional chapter's tab-01 says so, and so do the profile and
the metric read from it) and, for a claim of the manuscript, the verdict of the claims check.

    python -m pipeline.reuse.values      # the DVC stage `values`

Three kinds of number, each read where it was computed:

- the country profiles' headline numbers (data/interim/profiles/summary.parquet and each country's file): ids such
  as `womenHeldARGlatest`, `womenShareARGlatest`, `womenUnsentencedARGlatest`, `womenGrowthARGsinceFirst`, each with
  its year (`…Year`), so `\\womenHeldARGlatest` in LaTeX is the number of the latest complete year;
- the briefing's headline metrics (pipeline/registry.py METRICS, as reports/metrics/<quantity>.json hold them): ids
  such as `briefingSisdepenWomenInCellsBRA`;
- the manuscript's claims (reports/tables/claims.csv): the value the check computed and its verdict, id the claim's
  (`arg-women-held-2015`: in LaTeX `\\bv{arg-women-held-2015}`, since a macro's name holds letters only); a verdict
  with a caveat (claims.csv `caveat`) has it first in its note.

In the .tex file every row with a value is `\\bv{<id>}`, and rows whose id is letters only are also a macro of that
name; a claim the check computed no number for (its verdict rests on named evidence, or it is not checkable) has no
value, and `\\bv` prints a bold ?? and a LaTeX warning for it, as for an id that does not exist.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from pipeline import citation, i18n, io, params, paths, registry
from pipeline.chapters import interim
from pipeline.errors import PipelineError, cli
from pipeline.profiles import build
from pipeline.report import metrics
from pipeline.settings import Base
from pipeline.sources import unodc_plausibility

COLUMNS = ["id", "value", "unit", "period", "source", "key", "verdict", "stated", "note", "what", "number"]
# A profile's numbers: id stem -> (where in the profile's numbers, unit, decimals). What each is: the translation
# table's row `values.what.<stem>`.
PROFILE_NUMBERS = {
    "womenHeld": (("women_held",), "persons", 0),
    "womenShare": (("women_share_pct",), "percent", 1),
    "womenRate": (("women_per_100k_women",), "per_100k_population", 1),
    "womenUnsentenced": (("unsentenced", "women"), "percent", 1),
    "menUnsentenced": (("unsentenced", "men"), "percent", 1),
    "personsHeld": (("total",), "persons", 0),
}
# The profile numbers made from the headline count of women held: tab-01's note on that count is theirs too.
COUNT_STEMS = ("womenHeld", "womenShare", "womenRate")
PERIOD_COLUMNS = ("latest_year", "year", "period")  # the period of a metric's row, the first its table has
METRIC_SOURCES = {"regional": "unodc_prisons", "argentina": "unodc_prisons", "brazil": "sisdepen",
                  "uruguay": "unodc_prisons"}
_LETTERS = re.compile(r"^[A-Za-z]+$")
NOT_CHECKABLE = "not_checkable"  # a claim's verdict (claims.csv `status`) when the sources cannot test it
EVIDENCE_PHRASE = "page.claims.computed.evidence"  # claims.phrases.json: the verdict rests on named evidence
# \bv{id}: the value, or, for an id with no value (a claim the check computed no number for) or no such id, a bold ??
# and a LaTeX warning, as \ref does for an unknown label, so a missing number cannot vanish silently from a sentence.
BV = ("\\providecommand{\\bv}[1]{\\ifcsname briefingvalue@#1\\endcsname\\csname briefingvalue@#1\\endcsname"
      "\\else\\textbf{??}\\PackageWarning{briefing-values}{No value for `#1' (not computed, or no such id: see "
      "values/<lang>.md)}\\fi}")


@dataclass(frozen=True)
class What:
    """What a number is, in words: the translation table's row `key`, its holes filled from `fields` and `{country}`
    with the country's name in the language."""
    key: str
    country: str | None = None
    fields: tuple[tuple[str, str], ...] = ()

    def text(self, tr: i18n.Translator) -> str:
        named = {"country": i18n.country_name(self.country, tr.language)} if self.country else {}
        return tr(self.key, **dict(self.fields), **named)


# ------------------------------------------------------------------------------------- Rows ---

def profile_rows(countries: list[str]) -> list[dict]:
    """The headline numbers of every profile: value, year and long-table key."""
    rows = []
    for country in countries:
        profile = build.read(country)
        numbers = profile["numbers"]
        noted = numbers.get("count_note") or {"year": None, "text": ""}
        for stem, (where, unit, decimals) in PROFILE_NUMBERS.items():
            number = numbers
            for part in where:
                number = (number or {}).get(part)
            if number:
                note = noted["text"] if stem in COUNT_STEMS and number["year"] == noted["year"] else ""
                rows += _with_year(f"{stem}{country}latest", number["value"], decimals, unit, str(number["year"]),
                                   build.SOURCE, number["key"], What(f"values.what.{stem}", country), note)
        trend = numbers.get("trend")
        if trend and trend["change_pct"] is not None:
            period = f"{trend['first']['year']}/{trend['last']['year']}"
            juveniles = trend.get("juveniles")
            rows.append(_row(f"womenGrowth{country}sinceFirst", trend["change_pct"], 1, "percent_change", period,
                             build.SOURCE, f"{trend['first']['key']} {trend['last']['key']}",
                             What("values.what.womenGrowth", country),
                             "; ".join(filter(None, [noted["text"] if trend["last"]["year"] == noted["year"] else "",
                                                     unodc_plausibility.juveniles_note(juveniles) if juveniles
                                                     else ""]))))
            rows.append(_row(f"womenGrowth{country}sinceFirstYear", float(trend["first"]["year"]), None, "year",
                             period, build.SOURCE, trend["first"]["key"], What("values.what.firstYear", country)))
    return rows


def metric_rows() -> list[dict]:
    """The briefing's headline metrics that are numbers (not the period of another), with their row's period."""
    focus = params.read(Base).focus_countries
    rows = []
    for metric in registry.METRICS:
        if metric.kind not in ("int", "pct") or metric.column in PERIOD_COLUMNS:
            continue
        for country in (focus if registry.METRIC_COUNTRY in metric.key else [None]):
            key = [part.replace(registry.METRIC_COUNTRY, country) if country else part for part in metric.key]
            where = {column: value.replace(registry.METRIC_COUNTRY, country) if country and isinstance(value, str)
                     else value for column, value in metric.where.items()}
            table = interim.read(metric.chapter, metric.table)
            row = metrics.row(metric, table, where)
            period = next(str(row[column]) for column in PERIOD_COLUMNS if column in row.index)
            period = period.removesuffix(".0")
            unit = "percent" if metric.kind == "pct" else "persons"
            name = "briefing" + "".join(part[:1].upper() + part[1:] for part in
                                        re.split(r"[-_.]", "_".join(key)) if part)
            # A metric of tab-01's row: its note on the count is the metric's too, and a growth's its note on growths.
            notes = [row.get("count_note"), row.get("growth_note") if metric.column.startswith("growth") else None]
            note = "; ".join(text for text in notes if isinstance(text, str) and text)
            rows.append(_row(name, metrics.value(metric, table, where), 1 if metric.kind == "pct" else 0, unit,
                             period, METRIC_SOURCES[metric.chapter], "",
                             What("values.what.metric", fields=(("metric", ".".join(key)),
                                                                ("file", paths.relative(paths.metrics_file(key[0]))))),
                             note))
    return rows


def claim_rows() -> list[dict]:
    """Every claim of the manuscript: the value the check computed and the value the manuscript states, as phrases
    (claims.phrases.json: each language writes them its own way), the verdict, and as its note the verdict's caveat,
    the numbers the check shows beside the verdict (its context: Brazil's monitoring growth in the whole count and in
    the states counted at both ends) and, for a claim the sources cannot test, why (its `reason`)."""
    table = pd.read_csv(paths.CLAIMS_TABLE.with_suffix(".csv"), dtype=str, keep_default_na=False)
    phrases = json.loads(paths.CLAIMS_TABLE.with_suffix(i18n.PHRASES_SUFFIX).read_text(encoding="utf-8"))["cells"]
    return [{"id": claim.claim_id, "number": None, "unit": claim.unit, "period": claim.period, "source": claim.source,
             "key": "", "verdict": claim.status, "what": claim.description, "caveat": claim.caveat,
             "reason": claim.reason if claim.status == NOT_CHECKABLE else "",
             "phrases": {**{column: phrases.get(claim.claim_id, {}).get(column) or getattr(claim, column)
                            for column in ("computed", "stated")},
                         "context": phrases.get(claim.claim_id, {}).get("context") or []}}
            for claim in table.itertuples(index=False)]


def _row(name, value, decimals, unit, period, source, key, what, note="") -> dict:
    return {"id": name, "number": None if value is None else float(value), "decimals": decimals, "unit": unit,
            "period": period, "source": source, "key": key, "verdict": "", "what": what, "note": note}


def _with_year(name, value, decimals, unit, period, source, key, what, note="") -> list[dict]:
    return [_row(name, value, decimals, unit, period, source, key, what, note),
            _row(f"{name}Year", float(period), None, "year", period, source, key,
                 What("values.what.year", fields=(("id", name),)))]


# ----------------------------------------------------------------------------------- Writing ---

def table(rows: list[dict], language: str) -> pd.DataFrame:
    """The rows in one language: numbers in its format (years never grouped), texts' numbers localised, notes in the
    language (the translation table's rows for them, as the briefing's table says them)."""
    shown, tr = [], i18n.Translator(language)
    for row in rows:
        stated = i18n.render(row["phrases"]["stated"], tr) if "phrases" in row else ""
        evidence = ""
        if row.get("number") is None and _is_evidence(row["phrases"]["computed"]):
            value, evidence = "", i18n.render(row["phrases"]["computed"], tr)  # no number to paste: the note says why
        elif row.get("number") is None:
            value = i18n.render(row["phrases"]["computed"], tr)
        elif row["unit"] == "year":
            value = str(int(row["number"]))
        else:
            value = i18n.format_number(row["number"], language, row["decimals"]) + \
                ("%" if row["unit"] in ("percent", "percent_change") else "")
            if row["unit"] == "percent_change" and row["number"] > 0:
                value = "+" + value
        note = tr.english(row["note"], f"the note on {row['id']}") if row.get("note") else ""
        if "phrases" in row and row["phrases"]["context"]:
            note = i18n.render(row["phrases"]["context"], tr)
        caveat = tr.english(row["caveat"], f"the caveat on {row['id']}") if row.get("caveat") else ""
        # Why a claim cannot be checked (claims.csv `reason`, as the briefing's claims table says it) ends the note.
        reason = tr.english(" ".join(row["reason"].split()), f"the reason on {row['id']}") if row.get("reason") else ""
        note = "; ".join(filter(None, [caveat, evidence, note]))  # a caveat leads: it qualifies the verdict
        note = ". ".join(filter(None, [note, reason]))  # the reason is sentences of its own: after a full stop
        shown.append({**{column: row.get(column, "") for column in COLUMNS}, "value": value, "stated": stated,
                      "note": note, "what": _what(row, tr),
                      "number": "" if row.get("number") is None else io.number_text(row["number"])})
    frame = pd.DataFrame(shown, columns=COLUMNS)
    if frame["id"].duplicated().any():
        raise PipelineError(f"value id '{frame.loc[frame['id'].duplicated(), 'id'].iloc[0]}' appears twice",
                            fix="give each number its own id")
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def _is_evidence(computed) -> bool:
    """Whether a claim's computed phrase names the evidence its verdict rests on (a chapter's table rows, registry
    figures) rather than a number the check computed: an author has nothing to paste, so the value stays empty."""
    return isinstance(computed, dict) and computed.get("key") == EVIDENCE_PHRASE


def _what(row: dict, tr: i18n.Translator) -> str:
    """What a row's number is in the language: a What, or a chapter's English text (a claim's description) found by
    its English in the translation table."""
    what = row["what"]
    return what.text(tr) if isinstance(what, What) else tr.english(what, f"what {row['id']} is")


def markdown(frame: pd.DataFrame, tr: i18n.Translator, cite: str) -> str:
    """The rows for a reader: units and verdicts in words of the language (the CSV keeps their codes)."""
    headers = [tr("values.col.id"), tr("profile.col.value"), tr("values.col.what"), tr("values.col.unit"),
               tr("values.col.period"), tr("values.col.source"), tr("col.verdict"), tr("values.col.stated"),
               tr("profile.col.note"), tr("profile.col.key")]
    lines = [f"# {tr('values.title')}", "", tr("values.intro"), "", "| " + " | ".join(headers) + " |",
             "|" + "---|" * len(headers)]
    for row in frame.itertuples(index=False):
        unit = tr.english(row.unit, f"the unit of {row.id}")
        verdict = tr(f"page.verdict.{row.verdict}") if row.verdict else ""
        cells = [f"`{row.id}`", row.value, row.what, unit, row.period, row.source, verdict, row.stated, row.note,
                 f"`{row.key}`" if row.key else ""]
        lines.append("| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines + ["", cite]) + "\n"


def latex(frame: pd.DataFrame, tr: i18n.Translator, cite: str) -> str:
    """`\\bv{id}` for every row with a value, and a macro `\\<id>` for ids of letters only; a row without one is a
    comment, so `\\bv` prints ?? for it (BV)."""
    lines = [f"% {tr('values.title')}", f"% {cite}", "% \\input{values/<lang>.tex}, then \\bv{id} or \\<id>.",
             BV]
    for row in frame.itertuples(index=False):
        value = _tex(row.value)
        comment = (f"  % {row.unit}, {row.period}, {row.source}{', ' + row.verdict if row.verdict else ''}"
                   + (f"; {row.note}" if row.note else ""))
        if not value:  # left undefined: \bv{id} prints ?? and warns
            lines.append(f"% {row.id}: no value;{comment.removeprefix('  %')}")
            continue
        lines.append(f"\\expandafter\\def\\csname briefingvalue@{row.id}\\endcsname{{{value}}}{comment}")
        if _LETTERS.match(row.id):
            lines.append(f"\\providecommand{{\\{row.id}}}{{{value}}}")
    return "\n".join(lines) + "\n"


def _tex(text: str) -> str:
    return re.sub(r"([%&#_$])", r"\\\1", str(text)).replace("~", "\\textasciitilde{}")


@cli
def main() -> None:
    languages = i18n.languages()
    countries = build.read_summary()["country"].tolist()
    rows = profile_rows(countries) + metric_rows() + claim_rows()
    with io.transaction(replace=(paths.VALUES,)):
        for language in languages:
            tr = i18n.Translator(language)
            cite = citation.line(tr)
            frame = table(rows, language)
            io.write_text(paths.values_file(language, ".csv"), io.csv_text(frame))
            io.write_text(paths.values_file(language, ".md"), markdown(frame, tr, cite))
            io.write_text(paths.values_file(language, ".tex"), latex(frame, tr, cite))
    print(f"{paths.relative(paths.VALUES)}: {len(rows)} numbers in {', '.join(languages)}")


if __name__ == "__main__":
    main()
