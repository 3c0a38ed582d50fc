"""A profile in words: each part of the page as Markdown in the profile's language, from the build's numbers. Every
text is a row of data/translations.csv (keys `profile.*`), every number is written the language's way (pipeline.i18n),
and every number is given with its year. The notebook shows these parts; it computes nothing."""

from __future__ import annotations

import os

from IPython.display import Markdown, display

from pipeline import i18n, paths, registry
from pipeline.profiles import build, charts

_DASH = "—"


def heading(profile: dict, name: str, tr: i18n.Translator) -> str:
    return f"# {tr('profile.title', country=name)}\n\n{tr('profile.intro')}"


def headline(profile: dict, name: str, tr: i18n.Translator) -> str:
    """The headline numbers, each with its year and long-table key; or, without a count by sex, what is missing."""
    numbers, status = profile["numbers"], profile["status"]
    parts = [f"## {tr('profile.headline')}"]
    if status in (build.TOTALS_ONLY, build.NO_COUNT):
        return "\n\n".join(parts + [missing(profile, name, tr)])
    # A note on what the headline count holds is below the table: the rows made from that count point to it.
    see_note = tr("profile.see_note") if numbers.get("count_note") else ""
    rows = [_row(tr("profile.women_held"), numbers["women_held"], tr.number(numbers["women_held"]["value"]), see_note)]
    share = numbers.get("women_share_pct")
    if share:
        label = tr("profile.women_share" if share["denominator"] == "total" else "profile.women_share_sexes")
        rows.append(_row(label, share, tr.percent(share["value"]),
                         "; ".join(filter(None, [tr("profile.of", value=tr.number(share["denominator_value"])),
                                                 see_note]))))
    rate = numbers.get("women_per_100k_women")
    year = numbers["headline_year"]
    rows.append(_row(tr("profile.women_rate"), rate, tr.number(rate["value"], 1), see_note) if rate else
                [tr("profile.women_rate"), _DASH, str(year), tr("profile.not_reported"), ""])
    unsentenced = numbers.get("unsentenced")
    if unsentenced:
        rows.append([tr("profile.unsentenced"), f"{tr.percent(unsentenced['women']['value'])} / "
                     f"{tr.percent(unsentenced['men']['value'])}", str(unsentenced["year"]),
                     tr("profile.difference", value=_signed(unsentenced["difference_pp"], tr, " pp")),
                     f"`{unsentenced['women']['key']}`, `{unsentenced['men']['key']}`"])
    trend = numbers.get("trend")
    if trend:
        trend_note = see_note or (tr("profile.see_note") if trend.get("juveniles") else "")
        rows.append([tr("profile.trend", first=trend["first"]["year"], last=trend["last"]["year"]),
                     _signed(trend["change_pct"], tr, "%") if trend["change_pct"] is not None else _DASH,
                     f"{trend['first']['year']}–{trend['last']['year']}",
                     "; ".join(filter(None, [tr("profile.from_to", first=tr.number(trend["first"]["value"]),
                                                   last=tr.number(trend["last"]["value"])), trend_note])),
                     f"`{trend['first']['key']}`"])
    parts.append(_table([tr("profile.col.measure"), tr("profile.col.value"), tr("profile.col.year"),
                         tr("profile.col.note"), tr("profile.col.key")], rows))
    parts += notes(profile, tr)
    return "\n\n".join(parts)


def notes(profile: dict, tr: i18n.Translator) -> list[str]:
    """What a reader must know to use the headline numbers."""
    numbers, found = profile["numbers"], []
    if numbers.get("count_note"):
        found.append(tr("profile.note.count", year=numbers["count_note"]["year"],
                        table=f"{href(paths.briefing(tr.language))}#{registry.LATEST_BY_COUNTRY.id}",
                        note=count_note(profile, tr)))
    if profile["status"] == build.WOMEN_WITHOUT_SHARE:
        found.append(tr("profile.note.no_share"))
    later = numbers.get("later_women_held")
    if later:
        found.append(tr("profile.note.later", value=tr.number(later["value"]), year=later["year"],
                        headline=numbers["headline_year"]))
    trend = numbers.get("trend")
    if trend and trend.get("skipped"):
        found.append(tr("profile.note.trend_start" if len(trend["skipped"]) > 1 else "profile.note.trend_start_one",
                        first=trend["first"]["year"], years=", ".join(map(str, trend["skipped"]))))
    juveniles = (trend or {}).get("juveniles")
    if juveniles:
        found.append(tr("profile.note.juveniles", year=juveniles["year"], juveniles=tr.number(juveniles["juveniles"]),
                        pct=tr.number(juveniles["pct"], 1), without=juveniles["without"]))
    if trend and trend["level_shifts"]:
        found.append(tr("profile.note.level_shift", years=", ".join(map(str, trend["level_shifts"]))))
    if not numbers.get("unsentenced"):
        found.append(tr("profile.note.no_unsentenced"))
    return [f"- {note}" for note in found]


def missing(profile: dict, name: str, tr: i18n.Translator) -> str:
    """The short profile of a country without a count by sex: what the file has, and what is missing."""
    total = profile["numbers"].get("total")
    if total is None:
        return tr("profile.missing.no_count", country=name)
    rate = total.get("rate")
    text = tr("profile.missing.totals_only", country=name, total=tr.number(total["value"]), year=total["year"])
    if rate:
        text += " " + tr("profile.missing.rate", rate=tr.number(rate["value"], 1), year=rate["year"])
    return f"{text} {tr('profile.missing.what')}\n\n{tr('profile.col.key')}: `{total['key']}`"


DRAW = {"women": charts.women, "unsentenced": charts.unsentenced}


def show_figures(profile: dict, name: str, tr: i18n.Translator) -> None:
    """Show the profile's figures, each with its caption and links to its SVG and data: the SVG is displayed with its
    name and data CSV in the output's metadata, where the notebook stage takes them from to save them (one drawing).
    A country without a count by sex has no figures; a figure with fewer than two years to draw says so."""
    if profile["status"] in (build.TOTALS_ONLY, build.NO_COUNT):
        return
    display(Markdown(f"## {tr('profile.figures')}"))
    for figure, draw in DRAW.items():
        if not charts.has_figure(profile, figure):
            display(Markdown(tr(f"profile.figure.{figure}.none")))
            continue
        chart, data = draw(profile, name, tr, source_line(profile, tr))
        table = charts.check(chart, data, figure, f"{profile['country']} {figure}")
        caption = tr(f"profile.figure.{figure}.caption")
        alt = f"{tr(f'profile.figure.{figure}.title', country=name)}. {caption}"  # the page's text for the image
        # As it is, not through IPython's SVG (which parses and writes it again with minidom: 1.4 CPU-s a rebuild).
        display({"image/svg+xml": charts.svg(chart), "text/plain": alt}, raw=True,
                metadata={"profile_figure": figure, "data": table, "alt": alt})
        files = {"SVG": paths.profile_figure(profile["country"], figure, tr.language, ".svg"),
                 "CSV": paths.profile_figure(profile["country"], figure, tr.language, ".csv")}
        links = " · ".join(f"[{label}]({href(path)})" for label, path in files.items())
        display(Markdown(f"{caption} {tr('profile.figure.files')}: {links}"))


def source_line(profile: dict, tr: i18n.Translator) -> str:
    return tr("profile.figure.source", snapshot=profile["sources"][build.SOURCE]["snapshot"])


def findings(profile: dict, name: str, tr: i18n.Translator) -> str:
    """The plausibility rules' findings for the country: rule (in the language), year, series, sex, evidence and
    treatment (see _as_written)."""
    parts = [f"## {tr('profile.findings')}", tr("profile.findings.intro")]
    if not profile["findings"]:
        return "\n\n".join(parts + [tr("profile.findings.none", country=name)])
    rows = [[tr.english(f["rule"], "a plausibility rule's name"), str(f["year"]), f"`{f['series']}`" if f["series"] else "",
             tr(f"profile.sex.{f['sex']}") if f["sex"] else "", _as_written(f["evidence"], tr),
             _as_written(f["treatment"], tr)] for f in profile["findings"]]
    headers = [tr(f"profile.col.{column}") for column in ("rule", "year", "series", "sex", "evidence", "treatment")]
    return "\n\n".join(parts + [_table(headers, rows)])


def _as_written(text: str, tr: i18n.Translator) -> str:
    """A rule's evidence or treatment in the language where the translation table has it (as the briefing's
    data-quality table shows it), else as the rule wrote it, in English with the numbers in the language's format."""
    return tr.english(text) if tr.language != "en" and tr.has(text) else i18n.localise_numbers(text, tr.language)


def sources(profile: dict, name: str, tr: i18n.Translator, cite: str) -> str:
    """Where the numbers come from, the definitions and settings they use, the chapter, and how to cite."""
    source = profile["sources"][build.SOURCE]
    parts = [f"## {tr('profile.sources')}",
             tr("profile.source", title=source["title"], publisher=source["publisher"], snapshot=source["snapshot"],
                licence=source["licence"], citation=source["citation"], page=source["page"],
                unodc_name=profile["unodc_name"])]
    parts.append(tr("profile.definitions") + "\n\n" + "\n".join(
        f"- `{key}`: {definition}"
        for key, definition in definitions(profile["definitions"], tr, profile["country"]).items()))
    settings = "; ".join(f"`{key}` = {value}" for key, value in profile["sources"]["plausibility"].items())
    parts.append(tr("profile.settings", settings=settings))
    chapter = profile["chapter"]
    if chapter:
        notebook = registry.NOTEBOOKS[chapter]
        parts.append(tr("profile.chapter", country=name, href=href(paths.executed_notebook(notebook, ".html")),
                        briefing=href(paths.briefing(tr.language))))
    parts.append(f"**{cite}**")
    return "\n\n".join(parts)


def definitions(stated: dict[str, str], tr: i18n.Translator, country: str) -> dict[str, str]:
    """The long table's definitions of the series shown, in the language (the briefing's tables say the same
    definitions through the same rows of the translation table)."""
    return {key: tr.english(definition, f"the {country} profile's definition of {key}")
            for key, definition in stated.items()}


def count_note(profile: dict, tr: i18n.Translator) -> str:
    """tab-01's note on the headline count in the language: the translation table's row for it, found by its English
    text, as the briefing's table says it."""
    return tr.english(profile["numbers"]["count_note"]["text"], f"tab-01's note on the {profile['country']} count")


def found_by_english(profile: dict, tr: i18n.Translator) -> dict:
    """What a profile says through rows of the translation table found by their English text, not by a key (so a
    change to one reruns no profile by key): its definitions, tab-01's note, and its findings' rules, evidence and
    treatments, as shown in the language. A finding shown in English for want of a row (_as_written) is shown
    translated once the row is added: the profile's inputs change with it, so it runs again."""
    return {"definitions": definitions(profile["definitions"], tr, profile["country"]),
            "count_note": count_note(profile, tr) if profile["numbers"].get("count_note") else None,
            "findings": [[tr.english(f["rule"], "a plausibility rule's name"), _as_written(f["evidence"], tr),
                          _as_written(f["treatment"], tr)] for f in profile["findings"]]}


def href(target) -> str:
    """A link from a profile's page (reports/profiles/) to `target`."""
    return os.path.relpath(target, paths.PROFILES).replace(os.sep, "/")


# ---------------------------------------------------------------------------------- Helpers ---

def _row(label: str, number: dict, value: str, note: str = "") -> list[str]:
    return [label, value, str(number["year"]), note, f"`{number['key']}`"]


def _signed(value: float, tr: i18n.Translator, unit: str) -> str:
    return ("+" if value > 0 else "") + tr.number(value, 1) + unit


def _table(headers: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(map(cell, row)) + " |" for row in rows])
