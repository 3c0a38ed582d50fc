"""reports/values/<lang>.{csv,md,tex}: every number the briefing and the profiles cite, written the language's way,
agreeing with the long table (profiles), the headline metrics and the claims check (claims)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
from expected_notes import BRAZIL_COUNT_NOTE

from pipeline import citation, i18n, longtable, paths
from pipeline.errors import PipelineError
from pipeline.profiles import build
from pipeline.reuse import values

LANGUAGES = ("en", "es", "pt")
WHAT = values.What("values.what.personsHeld", "ARG")


def read(language: str) -> pd.DataFrame:
    return pd.read_csv(paths.values_file(language, ".csv"), dtype=str, keep_default_na=False).set_index("id")


@pytest.fixture(scope="module")
def long_table() -> pd.DataFrame:
    return longtable.read(paths.INDICATORS).set_index(longtable.KEY)


@pytest.mark.parametrize("language, women, share, growth, what, unit", [
    ("en", "4,013", "3.9%", "+43.1%", "women held in prison, Argentina", "persons"),
    ("es", "4.013", "3,9%", "+43,1%", "mujeres privadas de libertad, Argentina", "personas"),
    ("pt", "4.013", "3,9%", "+43,1%", "mulheres presas, Argentina", "pessoas")])
def test_argentinas_numbers_in_each_language(language, women, share, growth, what, unit):
    table = read(language)
    assert table.loc["womenHeldARGlatest", ["value", "unit", "period", "source", "key"]].tolist() == [
        women, "persons", "2021", "unodc_prisons", "ARG/unodc_prisons/persons_held/female/2021"]
    assert table.loc["womenHeldARGlatestYear", "value"] == "2021"
    assert table.loc["womenShareARGlatest", "value"] == share
    assert (table.loc["womenGrowthARGsinceFirst", "value"], table.loc["womenGrowthARGsinceFirst", "period"]) == (
        growth, "2007/2021")  # the first year with a usable count (unodc_plausibility.starts_growth)
    tex = paths.values_file(language, ".tex").read_text(encoding="utf-8")
    assert f"\\providecommand{{\\womenHeldARGlatest}}{{{women}}}" in tex
    assert "\\expandafter\\def\\csname briefingvalue@arg-women-held-2015\\endcsname" in tex
    assert table.loc["womenHeldARGlatest", "what"] == what
    assert f"| `womenHeldARGlatest` | {women} | {what} | {unit} | 2021 | unodc_prisons |" in \
        paths.values_file(language, ".md").read_text(encoding="utf-8")
    assert citation.line(i18n.Translator(language)) in tex


def test_every_profile_number_is_the_long_tables(long_table):
    table = read("en")
    keyed = table[(table["source"] == build.SOURCE) & (table["key"] != "") & (table["unit"] != "year")
                  & ~table["key"].str.contains(" ")]
    assert len(keyed) > 150
    for value_id, row in keyed.iterrows():
        expected = long_table.loc[tuple(row["key"].split("/")), "value"]
        assert float(row["number"]) == pytest.approx(expected, rel=1e-9), value_id
        decimals = 0 if row["unit"] == "persons" else 1
        assert row["value"] == i18n.format_number(float(row["number"]), "en", decimals) + (
            "%" if row["unit"] == "percent" else ""), value_id


def test_every_claim_has_its_verdict_and_the_checks_value():
    claims = pd.read_csv(paths.CLAIMS_TABLE.with_suffix(".csv"), dtype=str, keep_default_na=False)
    phrases = json.loads(paths.CLAIMS_TABLE.with_suffix(i18n.PHRASES_SUFFIX).read_text(encoding="utf-8"))["cells"]
    for language in LANGUAGES:
        table, tr = read(language), i18n.Translator(language)
        for claim in claims.itertuples(index=False):
            row = table.loc[claim.claim_id]
            assert (row["verdict"], row["unit"], row["period"]) == (claim.status, claim.unit, claim.period)
            computed = phrases.get(claim.claim_id, {}).get("computed") or claim.computed
            if values._is_evidence(computed):  # no number to paste: the evidence is named in the note
                assert row["value"] == "" and i18n.render(computed, tr) in row["note"], claim.claim_id
            else:
                assert row["value"] == i18n.render(computed, tr), claim.claim_id
    assert read("es").loc["arg-women-held-2015", "value"] == "2.988 a 3.121"


@pytest.mark.parametrize("language, evidence", [("en", "evidence: bra-016"), ("es", "evidencia: bra-016"),
                                                ("pt", "evidência: bra-016")])
def test_a_claim_judged_on_named_evidence_has_no_value_to_paste(language, evidence):
    """The check computed no number for Brazil's monitoring growth: its verdict rests on registry figure bra-016. The
    value stays empty (an author pasting it must not get the words 'evidence: bra-016' in a sentence) and the note
    names the evidence; in LaTeX the id is left undefined, so `\\bv{}` prints ?? and warns."""
    table = read(language)
    row = table.loc["bra-monitoring-growth-men"]
    assert row["value"] == "" and row["note"].split("; ")[1] == evidence
    evidence_rows = table[table["note"].str.contains(evidence.split(":")[0] + ": ", regex=False)]
    assert sorted(evidence_rows.index) == ["bra-monitoring-growth-men", "bra-monitoring-growth-women",
                                           "ury-drug-detentions-decline-2012-2018", "ury-women-held-rise-after-luc",
                                           "ury-women-share-prosecuted-drugs-2010",
                                           "ury-women-share-prosecuted-drugs-2021"]
    assert (evidence_rows["value"] == "").all()
    tex = paths.values_file(language, ".tex").read_text(encoding="utf-8")
    assert "briefingvalue@bra-monitoring-growth-men\\endcsname" not in tex
    assert "% bra-monitoring-growth-men: no value; percent_change, 2019-12/2022, tab-26-brazil-claims" in tex
    assert tex.splitlines()[3] == values.BV


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_prints_a_value_or_a_visible_gap(tmp_path):
    """Compiled as an author includes it: a value prints, and a claim with no value or an unknown id prints ?? with
    a warning naming the id, as LaTeX does for an unknown label, rather than nothing."""
    shutil.copytree(paths.VALUES, tmp_path / "values")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\input{values/es.tex}\n\\begin{document}\n"
        "A \\bv{arg-women-held-2015} B \\bv{bra-monitoring-growth-men} C \\bv{no-such-id} D \\womenHeldARGlatest\n"
        "\\end{document}\n", encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    assert run.returncode == 0, log[-2000:]
    warnings = re.findall(r"Package briefing-values Warning: No value for `([^']+)'", log)
    assert warnings == ["bra-monitoring-growth-men", "no-such-id"]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
        assert " ".join(text.split()).startswith("A 2.988 a 3.121 B ?? C ?? D 4.013")


@pytest.mark.parametrize("language, note", [
    ("en", "compares counts of different scope; evidence: bra-016; growth 2019-12 to 2021-12, percent (SISDEPEN): "
           "387.15; growth 2019-12 to 2021-12 in the states counted at both ends, percent (SISDEPEN): 55.01"),
    ("es", "compara recuentos de distinto alcance; evidencia: bra-016; "
           "crecimiento de 2019-12 a 2021-12, en porcentaje (SISDEPEN): 387,15; "
           "crecimiento de 2019-12 a 2021-12 en los estados contados en ambos extremos, en porcentaje (SISDEPEN): "
           "55,01"),
    ("pt", "compara contagens de abrangência diferente; evidência: bra-016; "
           "crescimento de 2019-12 a 2021-12, em porcentagem (SISDEPEN): 387,15; "
           "crescimento de 2019-12 a 2021-12 nos estados contados em ambos os extremos, em porcentagem (SISDEPEN): "
           "55,01")])
def test_a_claim_is_quoted_with_the_numbers_the_check_shows_beside_its_verdict(language, note):
    """An author who copies the briefing's 448.3% growth of monitored men finds, in the same row, the verdict's caveat,
    the count's growth to the last file and the growth in the 9 states that were in the count at both ends
    (tab-27)."""
    row = read(language).loc["bra-monitoring-growth-men"]
    assert (row["stated"], row["note"]) == ("448.3%" if language == "en" else "448,3%", note)
    claims = read(language)[lambda t: t["verdict"] != ""]
    # 13 with a context, a caveat or evidence; 18 more not_checkable ones with only the reason why
    assert len(claims) == 33 and (claims["note"] != "").sum() == 31
    assert claims.loc["arg-women-held-2015", "note"] == ""


@pytest.mark.parametrize("language, rate", [("es", "mujeres privadas de libertad por cada 100.000 mujeres, Brasil"),
                                            ("pt", "mulheres presas por 100.000 mulheres, Brasil")])
def test_an_author_reads_what_each_number_is_in_the_language(language, rate):
    """The `what` column is the language's, row by row: no row keeps its English text (country names in the language,
    claims as the claims check's page says them), and the Markdown says units and verdicts in words."""
    english, table, tr = read("en"), read(language), i18n.Translator(language)
    assert (table["what"] != "").all()
    assert not (table["what"] == english.loc[table.index, "what"]).any()
    assert table.loc["womenRateBRAlatest", "what"] == rate
    assert table.loc["womenRateBRAlatestYear", "what"] == tr("values.what.year", id="womenRateBRAlatest")
    claims = pd.read_csv(paths.CLAIMS_TABLE.with_suffix(".csv"), dtype=str, keep_default_na=False)
    for claim in claims.itertuples(index=False):
        assert table.loc[claim.claim_id, "what"] == tr.english(claim.description), claim.claim_id
    markdown = paths.values_file(language, ".md").read_text(encoding="utf-8")
    assert f"| {tr('values.col.what')} |" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| `arg-women-held-2015` |"))
    assert f"| {tr('page.verdict.consistent')} |" in row and "| consistent |" not in row


def test_the_briefings_headline_metrics_are_there():
    table = read("en")
    briefing = table[table.index.str.startswith("briefing")]
    assert len(briefing) >= 5 and (briefing["value"] != "").all()


def test_a_duplicated_id_is_one_message():
    row = values._row("womenHeldXXXlatest", 1.0, 0, "persons", "2020", "unodc_prisons", "", WHAT)
    with pytest.raises(PipelineError, match="value id 'womenHeldXXXlatest' appears twice"):
        values.table([row, dict(row)], "en")


def test_latex_escapes_and_macros_only_for_letter_ids():
    frame = values.table([values._row("shareA", 12.5, 1, "percent", "2020", "x_y", "", WHAT),
                          values._row("a-b", 3.0, 0, "persons", "2020", "x", "", WHAT)], "es")
    tex = values.latex(frame, i18n.Translator("es"), "cite")
    assert "\\providecommand{\\shareA}{12,5\\%}" in tex
    assert "\\providecommand{\\a-b}" not in tex and "briefingvalue@a-b\\endcsname{3}" in tex


@pytest.mark.parametrize("language, note", BRAZIL_COUNT_NOTE.items())
def test_the_numbers_made_from_a_noted_count_carry_its_note(language, note):
    """An author pasting Brazil's 41,580 women held in 2020 (UNODC) gets tab-01's note with it: the count includes
    women outside cells. So do the numbers made from that count (its share, rate and the change to it, the briefing's
    metrics read from tab-01's row), not the others (the unsentenced shares are of 2019; Argentina's has no note)."""
    table = read(language)
    noted = set(table.index[(table["note"] != "") & (table["verdict"] == "")])  # a claim's note is its check's context
    brazil = {"womenHeldBRAlatest", "womenShareBRAlatest", "womenRateBRAlatest", "womenGrowthBRAsinceFirst",
              "briefingUnodcWomenHeldBRA", "briefingUnodcWomenSharePctBRA"}
    assert noted == brazil | {"womenGrowthBRBsinceFirst"}  # Barbados' change: its juveniles (test below)
    assert set(table.loc[sorted(brazil), "note"]) == {note}
    markdown = paths.values_file(language, ".md").read_text(encoding="utf-8")
    assert f" | {note} | `BRA/unodc_prisons/persons_held/female/2020` |" in markdown
    tex = paths.values_file(language, ".tex").read_text(encoding="utf-8")
    assert f"briefingvalue@womenHeldBRAlatest\\endcsname{{{table.loc['womenHeldBRAlatest', 'value']}}}" in tex
    assert f"% persons, 2020, unodc_prisons; {note}" in tex


@pytest.mark.parametrize("language, note", [
    ("en", "the count of 2021 includes juveniles: 18 (36.0% of it) and the count of 2007 gives no juvenile count: "
           "the growth may compare counts of different scope"),
    ("es", "el recuento de 2021 incluye menores de edad: 18 (36,0% del total) y el recuento de 2007 no desglosa a "
           "los menores de edad: la variación puede comparar recuentos de distinto alcance"),
    ("pt", "a contagem de 2021 inclui adolescentes: 18 (36,0% do total) e a contagem de 2007 não discrimina os "
           "adolescentes: a variação pode comparar contagens de abrangência diferente")])
def test_a_change_with_juveniles_at_one_end_only_carries_its_note(language, note):
    """Barbados' +25.0% from 2007 to 2021 (its profile's trend): 18 of the 50 women of 2021 are juveniles, and 2007's
    count gives no juvenile count (unodc_plausibility.juveniles_at_one_end); an author pasting it gets the note."""
    assert read(language).loc["womenGrowthBRBsinceFirst", ["value", "note"]].tolist() == [
        "+25.0%" if language == "en" else "+25,0%", note]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_claim_the_sources_cannot_test_says_why_in_its_note(language):
    """An author's review found 18 claims with no value and an empty note, though the file's introduction says the
    note names what the verdict rests on: a claim judged not_checkable now carries its reason (claims.csv), in the
    language, as the briefing's claims table says it."""
    table = read(language)
    assert table[(table["value"] == "") & (table["note"] == "")].index.tolist() == []
    claims = pd.read_csv(paths.CLAIMS_TABLE.with_suffix(".csv"), dtype=str, keep_default_na=False).set_index("claim_id")
    unchecked = claims.index[claims["status"] == "not_checkable"]
    assert len(unchecked) == 22
    reason = claims.loc["amr-women-held-2000", "reason"]
    expected = {"en": reason, "es": "empiezan en 2003; la cifra de 2000 es propia de la World Female Imprisonment List",
                "pt": "2003"}[language]
    assert expected in table.loc["amr-women-held-2000", "note"]
    # After the check's own numbers, the reason follows a full stop: it is sentences of its own.
    assert ": 4.013. O UNODC CTS não tem número de 2022" in read("pt").loc["arg-women-held-2022", "note"]
    assert all(table.loc[claim, "note"] for claim in unchecked)
