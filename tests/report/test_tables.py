"""A table as a reader sees it (pipeline/report/tables.py): one number format per column, yes/no in words, codes and
quotations kept, explanations last, every other text from the translation table, an empty table explained."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import i18n
from pipeline.errors import PipelineError
from pipeline.report import inputs, tables

ES = i18n.Translator("es")
EN = i18n.Translator("en")


def shown_texts(table: tables.ShownTable) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def test_one_number_format_per_column():
    """59 beside 59.8 is 59.0; a column of whole numbers stored as floats (47.00) shows no decimals; years are never
    grouped; at most the registry's digits (two by default)."""
    data = pd.DataFrame({"year": [2015, 2016, 2017], "persons": [47.0, 4391.0, 12.0],
                         "value": [59.0, 59.8, 3.9189506161701817]})
    shown = tables.show(inputs.Table("t", "", "", "", data), ES, title="t", source="")
    assert shown_texts(shown) == [["2015", "47", "59,00"], ["2016", "4.391", "59,80"], ["2017", "12", "3,92"]]
    assert [c.header for c in shown.columns] == ["año", "personas", "valor"]
    english = tables.show(inputs.Table("t", "", "", "", data.iloc[:2]), EN, title="t", source="")
    assert shown_texts(english) == [["2015", "47", "59.0"], ["2016", "4,391", "59.8"]]
    assert {row[2].decimals for row in english.rows} == {1}  # the spreadsheet's format: '#,##0.0'


def test_decimals_are_chosen_per_measure_where_the_table_says_what_each_row_measures():
    data = pd.DataFrame({"measure": ["persons", "persons", "share"], "value": [2996.0, 3010.0, 24.5]})
    shown = tables.show(inputs.Table("t", "", "", "", data), EN, title="t", source="")
    assert [row[1].text for row in shown.rows] == ["2,996", "3,010", "24.5"]  # a count is not forced to decimals


def test_true_and_false_are_words_in_the_language():
    data = pd.DataFrame({"claim_id": ["a", "b"], "status": [True, False]})
    assert shown_texts(tables.show(inputs.Table("t", "", "", "", data), ES, "t", "")) == [["a", "sí"], ["b", "no"]]
    assert shown_texts(tables.show(inputs.Table("t", "", "", "", data), EN, "t", "")) == [["a", "yes"], ["b", "no"]]


def test_cells_in_words_are_translated_and_codes_names_and_quotations_kept():
    data = pd.DataFrame({"claim_id": ["ury-041"], "sex": ["female"], "printed": ["95,000 women"],
                         "unit_name": ["PATRONATO CENTRAL DE CURITIBA"], "note": ["unodc_prisons"]})
    shown = tables.show(inputs.Table("t", "", "", "", data), ES, "t", "")
    assert shown_texts(shown) == [["ury-041", "mujeres", "95,000 women", "PATRONATO CENTRAL DE CURITIBA",
                                   "unodc_prisons"]]
    assert [cell.kind for cell in shown.rows[0]] == ["identifier", "text", "quote", "name", "identifier"]


def test_a_cell_without_a_translation_stops_the_build_naming_table_column_value_and_language():
    data = pd.DataFrame({"sex": ["female", "a value nobody translated"]})
    with pytest.raises(PipelineError, match=r"no translation of 'a value nobody translated' in table tab-99-x, "
                                            r"column 'sex' \(language 'es'\)"):
        tables.show(inputs.Table("tab-99-x", "", "", "", data), ES, "t", "")
    tables.show(inputs.Table("tab-99-x", "", "", "", data), EN, "t", "")  # English is the table's own text


def test_long_explanations_go_last_and_into_the_rows_details():
    long = "a reason long enough to need its own line in the row's details, beyond sixty characters"
    data = pd.DataFrame({"reason": [long], "claim_id": ["a"], "status": ["x"], "note": ["short"]})
    order = tables.column_order("claims", list(data.columns), data)
    assert order == ["claim_id", "status", "note", "reason"]  # the claims' lead columns first
    assert tables.explains("reason", data) and not tables.explains("note", data)


def test_an_empty_table_says_why():
    data = pd.DataFrame({"year": pd.Series([], dtype=int)})
    general = tables.show(inputs.Table("t", "", "", "", data), ES, "t", "")
    assert general.empty == "Esta tabla no tiene filas en esta compilación." and general.rows == []
    microdata = inputs.Table("t", "", "", "", data, source_key="source.argentina_microdata_absent")
    assert tables.show(microdata, EN, "t", "").empty.startswith(
        "Empty because the SNEEP microdata are not available in this run")
    assert tables.show(inputs.Table("t", "", "", "", pd.DataFrame({"year": [2015]})), EN, "t", "").empty == ""


@pytest.mark.parametrize("language, words", [
    ("es", ["Todas las provincias", "mujeres trans", "Procesado", "sí", "no"]),
    ("pt", ["Todas as províncias", "mulheres trans", "Processado", "sim", "não"])])
def test_the_microdata_tables_show_in_every_language(language, words):
    """With SNEEP microdata (added by hand; absent in CI's build) tab-14 and tab-15 have rows: SNEEP's own legal
    statuses, the row of totals, every gender of the crosswalk — each has its words in the translation table."""
    tr = i18n.Translator(language)
    by_province = pd.DataFrame({"census_year": [2022] * 5, "province": ["Buenos Aires", "Córdoba", "All provinces",
                                                                        "Salta", "Salta"],
                                "gender": ["female", "trans_women", "total", "trans_men", "non_binary"],
                                "persons": pd.array([100, None, 5000, 3, None], dtype="Int64"),
                                "suppressed": [False, True, False, False, True]})
    drugs = pd.DataFrame({"census_year": [2022] * 5, "province": ["Buenos Aires"] * 4 + ["All provinces"],
                          "legal_status": ["Condenado", "Procesado", "Contraventor", "Inimputable", "all"],
                          "women_held_for_drugs": pd.array([10, 20, None, None, 30], dtype="Int64"),
                          "suppressed": [False, False, True, True, False]})
    texts = [cell.text for name, data in (("tab-14-argentina-persons-by-province", by_province),
                                          ("tab-15-argentina-women-drugs-by-province", drugs))
             for row in tables.show(inputs.Table(name, "", "", "", data), tr, "t", "").rows for cell in row]
    assert all(word in texts for word in words), texts
    assert "Buenos Aires" in texts and "All provinces" not in texts and "trans_women" not in texts
