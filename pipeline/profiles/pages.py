"""The profiles' pages: each executed profile as a small HTML page in its language (the notebook's outputs and text,
not its code; the house style of the briefing), and the index of every profile with its key numbers, sortable."""

from __future__ import annotations

import functools
import html
import math

import jinja2
import pandas as pd

from pipeline import citation, i18n, paths
from pipeline.profiles import build

NOTEBOOK_ONLY = "notebook-only"  # cells tagged so (the notebook's own notes for its readers) are left off the page
MISSING_ALT = "No description has been provided for this image"  # what nbconvert writes for an image without one


@functools.cache
def _environment() -> jinja2.Environment:
    # The briefing's stylesheet (base.css.j2) is shared from the report's templates.
    return jinja2.Environment(loader=jinja2.FileSystemLoader([paths.PROFILE_TEMPLATES, paths.TEMPLATES]),
                              autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


def notebook_body(executed) -> str:
    """The executed notebook's outputs and Markdown as HTML: no code, no prompts, no cells tagged notebook-only."""
    body, _ = _exporter().from_notebook_node(executed)
    # nbconvert's templates write no alt text of their own: each figure's comes from its output's metadata.
    for alt in (output["metadata"]["alt"] for cell in executed.cells for output in cell.get("outputs", [])
                if "alt" in output.get("metadata", {})):
        body = body.replace(f'<img alt="{MISSING_ALT}" src="data:image/svg+xml',
                            f'<img alt="{html.escape(alt)}" src="data:image/svg+xml', 1)
    return body


@functools.cache
def _exporter():
    """One exporter per process: it compiles its templates once (most of an export's time otherwise). It checks the
    notebook against nbformat's schema once, after its preprocessors, not after each of its twelve (the same page)."""
    from nbconvert import HTMLExporter  # slow to import: only the stage's workers need it
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = (NOTEBOOK_ONLY,)
    config.TagRemovePreprocessor.enabled = True
    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, anchor_link_text="", optimistic_validation=True, config=config)


def profile_page(executed, country: str, language: str) -> str:
    """One profile's page (reports/profiles/<ISO3>[-<lang>].html)."""
    tr = i18n.Translator(language)
    others = [(other, paths.profile(country, other, ".html").name) for other in _languages()]
    return _environment().get_template("profile.html.j2").render(
        lang=language, title=tr("profile.title", country=i18n.country_name(country, language)), languages=others,
        index=paths.profiles_index(language).name, index_label=tr("profile.index.link"),
        body=notebook_body(executed), notebook=paths.profile(country, language, ".ipynb").name)


@functools.cache
def _languages() -> tuple[str, ...]:
    """params.yaml report.languages, read once per worker (a stage's inputs do not change while it runs)."""
    return tuple(i18n.languages())


def index_page(summary: pd.DataFrame, language: str, languages: list[str]) -> str:
    """reports/profiles/index[-<lang>].html: every profile with its key numbers, each with its year."""
    tr = i18n.Translator(language)
    rows, notes = [], []
    for entry in summary.itertuples(index=False):
        name = i18n.country_name(entry.country, language)
        held = _cell(entry.women_held, tr, 0)
        if entry.count_note:  # tab-01's note on the count (the profile gives it too), marked and listed below
            notes.append((name, tr.english(entry.count_note, f"tab-01's note on the {entry.country} count")))
            held["text"] += "*" * len(notes)
        rows.append({
            "country": entry.country, "name": name, "href": paths.profile(entry.country, language, ".html").name,
            "status": tr(f"profile.status.{entry.status}"),
            "cells": [held, _cell(entry.headline_year, tr, None),
                      _cell(entry.women_share_pct, tr, 1, "%"), _cell(entry.women_per_100k_women, tr, 1),
                      _cell(entry.women_unsentenced_pct, tr, 1, "%"), _cell(entry.men_unsentenced_pct, tr, 1, "%"),
                      _cell(entry.unsentenced_year, tr, None), _cell(entry.women_growth_pct, tr, 1, "%", signed=True),
                      _cell(entry.first_year, tr, None), _cell(entry.persons_held, tr, 0), _cell(entry.total_year, tr, None),
                      _cell(entry.findings, tr, 0)],
        })
    headers = [tr("profile.women_held"), tr("profile.col.year"), tr("profile.women_share"), tr("profile.women_rate"),
               tr("profile.index.women_unsentenced"), tr("profile.index.men_unsentenced"), tr("profile.col.year"),
               tr("profile.index.growth"), tr("profile.index.first_year"), tr("profile.index.persons_held"),
               tr("profile.col.year"), tr("profile.index.findings")]
    return _environment().get_template("index.html.j2").render(
        lang=language, t=tr, rows=rows, headers=headers, notes=[("*" * n, name, note)
                                                                for n, (name, note) in enumerate(notes, start=1)],
        languages=[(other, paths.profiles_index(other).name) for other in languages],
        cite=citation.html_line(tr, (build.SOURCE,)))


def _cell(value, tr: i18n.Translator, decimals: int | None, unit: str = "", signed: bool = False) -> dict:
    """A number shown in the language's format, with its raw value to sort by ('' when missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return {"text": "—", "sort": ""}
    shown = str(int(value)) if decimals is None else tr.number(float(value), decimals)
    prefix = "+" if signed and value > 0 else ""
    return {"text": f"{prefix}{shown}{unit}", "sort": repr(float(value))}
