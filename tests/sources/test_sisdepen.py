"""SISDEPEN ingest and Brazil measures: parser, unit-name rule, outlier detector, malformed files, real numbers.

The plausibility rules, the monitoring-claim check and the parameter checks on small generated frames are in
tests/chapters/brazil/; the real-data numbers they produce are pinned here."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import python_calamine
import yaml
from openpyxl import Workbook

from system.faults import corpus

from pipeline import params, paths
from pipeline.chapters.brazil import build as brazil
from pipeline.chapters.brazil import plausibility
from pipeline.errors import PipelineError
from pipeline.settings import Brazil
from pipeline.sources import published, sisdepen, sisdepen_reports

RAW = paths.raw_dir("sisdepen")
POPULATION = "4.1 População prisional"
INCIDENCES = "5.14 Quantidade de incidências por tipo penal"
DRUG = ("GRUPO: LEGISLAÇÃO ESPECÍFICA | Grupo: Drogas (Lei 6.368/76 e Lei 11.343/06) | Tráfico de drogas "
        "(Art. 12 da Lei 6.368/76 e Art. 33 da Lei 11.343/06)")


# ---- header parser -------------------------------------------------------------------------------------
def test_parse_header_court_and_sex():
    header = sisdepen.parse_header(f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual Feminino")
    assert header == sisdepen.Header(POPULATION, "Presos provisórios (sem condenação)", "Justiça Estadual", "Feminino")


def test_parse_header_normalises_irregular_spaces():
    header = sisdepen.parse_header(f"{INCIDENCES} |  GRUPO: LEGISLAÇÃO\xa0ESPECÍFICA | Grupo: Drogas "
                                   "(Lei 6.368/76 e Lei 11.343/06) | Tráfico de drogas (Art. 12 da Lei 6.368/76 "
                                   "e Art. 33 da Lei 11.343/06) | Masculino")
    assert header.item == DRUG and header.sex == "Masculino" and header.court is None


def test_parse_header_block_total_and_question():
    assert sisdepen.parse_header(f"{POPULATION} | Total") == sisdepen.Header(POPULATION, "", None, "Total")
    question = sisdepen.parse_header(f"{POPULATION} | Quantas pessoas privadas de liberdade estão em Regime "
                                     "Disciplinar Diferenciado?")
    assert question.sex is None


@pytest.mark.parametrize("header, level", [
    (f"{INCIDENCES} | {DRUG} | Feminina", "Feminina"),  # a sex label renamed
    (f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual Feminina", "Justiça Estadual Feminina"),
    (f"{POPULATION} | Quantas pessoas privadas de liberdade estão em RDD?", "Quantas pessoas"),  # question reworded
])
def test_parse_header_refuses_a_level_it_cannot_classify(header, level, tmp_path):
    with pytest.raises(PipelineError) as error:
        sisdepen.parse_header(header, file=tmp_path / "dados-sisdepen-jul-dez-2019.xlsx")
    assert error.value.column == sisdepen.normalise(header) and level in error.value.message
    assert "dados-sisdepen-jul-dez-2019.xlsx" in error.value.message and "Feminino" in error.value.message


def test_parse_header_outside_the_blocks_read_is_never_refused():
    assert sisdepen.parse_header("1.3 Capacidade do estabelecimento | Celas não aptas").sex is None


@pytest.mark.parametrize("name, period", [("dados-sisdepen-jan-jun-2019.xlsx", "2019-06"),
                                          ("dados-sisdepen-jul-dez-2016.xlsx", "2016-12")])
def test_period_from_file_name(name, period, tmp_path):
    assert sisdepen.period_from_name(tmp_path / name) == period


def test_file_name_without_period_is_an_error(tmp_path):
    with pytest.raises(PipelineError, match="no semester"):
        sisdepen.period_from_name(tmp_path / "dados-sisdepen.xlsx")


# ---- unit-name rule ------------------------------------------------------------------------------------
def test_unit_name_rule():
    settings = params.read(Brazil)
    units = pd.DataFrame({"unit_name": [
        "Central de Monitoramento Eletrônico de Presos", "CENTRAL DE MONITORAÇÃO ELETRÔNICA DE MARABÁ (DOMICILIAR)",
        "Centro de Monitoramento de Tornozeleira Eletrônica", "CADEIA PÚBLICA DE EXÚ - P/ DOMICILIAR",
        "Penitenciária Feminina do Distrito Federal",
        "CR de Araçatuba + ARSA - MONITORAMENTO ELETRÔNICO - CELA FÍSICA",
        "PATRONATO CENTRAL DE CURITIBA - PCTA", "Patronato Lima Drummond",
        "PATRONATO CENTRAL DE CURITIBA - PCTA - DOMICILIAR"],
        "people": [10, 10, 10, 10, 10, 10, 23_563, 39, 33_334]})
    kinds = brazil.classify_units(units, settings)["kind"]
    assert kinds.tolist() == [brazil.MONITORING, brazil.MONITORING, brazil.MONITORING, brazil.DOMICILIARY,
                              brazil.CELLS, brazil.MONITORING, brazil.PATRONATO, brazil.CELLS, brazil.DOMICILIARY]


# ---- outlier detector ----------------------------------------------------------------------------------
def _series(values, state="MA"):
    periods = ["2019-06", "2019-12", "2020-06", "2020-12"]
    return pd.DataFrame({"state": state, "period": periods[:len(values)], "measure": "all_offence_incidences",
                         "sex": "male", "value": [float(v) for v in values]})


def test_outlier_detector_flags_one_semester_spike():
    flagged = plausibility.detect_outliers(_series([14_411, 330_932, 57_265, 90_386]), 5.0, 1000)
    assert flagged[["period", "direction"]].values.tolist() == [["2019-12", "spike"]]
    assert flagged["ratio_to_previous"].iloc[0] == pytest.approx(22.96)


def test_outlier_detector_ignores_level_shift_and_small_changes():
    assert plausibility.detect_outliers(_series([100, 900, 950, 1000]), 5.0, 1000).empty
    assert plausibility.detect_outliers(_series([10_000, 40_000, 42_000, 41_000]), 5.0, 1000).empty


def test_treatment_replace_uses_previous_semester():
    values = _series([14_411, 330_932, 57_265])
    treated = pd.DataFrame({"state": ["MA"], "period": ["2019-12"], "treatment": ["replace"]})
    result = plausibility.apply_treatment(values, treated, ("all_offence_incidences",))
    assert result.set_index("period").loc["2019-12", "value"] == 14_411
    excluded = plausibility.apply_treatment(values, treated.assign(treatment="exclude"), ("all_offence_incidences",))
    assert "2019-12" not in excluded["period"].tolist()


# ---- malformed files -----------------------------------------------------------------------------------
def _write_semester(path, headers, row):
    book = Workbook()
    book.active.append(headers)
    book.active.append(row)
    book.save(path)


_IDENTITY = ["Situação de Preenchimento", "Responsável pela Finalização", "Nome do Estabelecimento", "UF",
             "Município", "Âmbito", "Telefone Principal"]
_IDENTITY_ROW = ["Validado", "12345678900", "Penitenciária Teste", "MA", "São Luís", "Estadual", "(98) 0000-0000"]
# The two totals of block 1.3 (places for men, for women) and of block 5.1 (people by age group), read beside the
# blocks; a unit that holds only men leaves the women's blank.
_TOTALS, _TOTALS_ROW = [*sisdepen.CAPACITY, *sisdepen.AGE_TOTALS], [100, "", 90, ""]


def test_missing_block_is_a_clear_error(tmp_path):
    path = tmp_path / "dados-sisdepen-jan-jun-2019.xlsx"
    _write_semester(path, [*_IDENTITY, *_TOTALS, f"{POPULATION} | Total"], [*_IDENTITY_ROW, *_TOTALS_ROW, 10])
    with pytest.raises(PipelineError, match=f"required block '{INCIDENCES}' is missing") as error:
        sisdepen.read_semester(path)
    assert "dados-sisdepen-jan-jun-2019.xlsx" in error.value.message


@pytest.mark.parametrize("at, constant", [(1, "CAPACITY"), (3, "AGE_TOTALS")])
def test_a_renamed_capacity_or_age_total_is_a_clear_error(tmp_path, at, constant):
    path = tmp_path / "dados-sisdepen-jan-jun-2019.xlsx"
    headers = [*_TOTALS]
    headers[at] = headers[at].replace("Feminino", "Feminina")
    _write_semester(path, [*_IDENTITY, *headers, *_COUNTS], [*_IDENTITY_ROW, *_TOTALS_ROW, 5, 2, 7, 1, 0])
    with pytest.raises(PipelineError, match="required column .* is missing") as error:
        sisdepen.read_semester(path)
    assert error.value.column == _TOTALS[at] and f"update {constant} in" in error.value.fix


def test_text_in_numeric_cell_names_file_row_and_column(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    column = f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual Masculino"
    _write_semester(path, [*_IDENTITY, *_TOTALS, column, f"{POPULATION} | Total",
                           f"{INCIDENCES} | {DRUG} | Masculino"], [*_IDENTITY_ROW, *_TOTALS_ROW, "doze", 12, 3])
    with pytest.raises(PipelineError) as error:
        sisdepen.read_semester(path)
    assert error.value.row == 2 and error.value.column == column and "text 'doze'" in error.value.message
    assert "dados-sisdepen-jul-dez-2019.xlsx" in error.value.message


def test_personal_data_is_never_read(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    _write_semester(path, [*_IDENTITY, *_TOTALS, f"{POPULATION} | Presos provisórios (sem condenação) | Justiça "
                                                   "Estadual Masculino", f"{POPULATION} | Total",
                           f"{INCIDENCES} | {DRUG} | Masculino"], [*_IDENTITY_ROW, *_TOTALS_ROW, 12, 12, 3])
    table, _ = sisdepen.read_semester(path)
    text = table.astype(str).to_csv()
    assert "12345678900" not in text and "0000-0000" not in text
    assert not set(table.columns) & set(sisdepen.PERSONAL)


_PARTS = [f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual Masculino",
          f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual Feminino"]
_COUNTS = [*_PARTS, f"{POPULATION} | Total", f"{INCIDENCES} | {DRUG} | Masculino", f"{INCIDENCES} | {DRUG} | Feminino"]


def _write_units(path, units):
    """A semester file with one row per unit: (name, [pre-trial men, pre-trial women, total, drug men, drug women]),
    each with 100 places for men and 90 men counted by age, and none of either for women."""
    book = Workbook()
    book.active.append([*_IDENTITY, *_TOTALS, *_COUNTS])
    for name, counts in units:
        book.active.append([*_IDENTITY_ROW[:2], name, *_IDENTITY_ROW[3:], *_TOTALS_ROW, *counts])
    book.save(path)


@pytest.mark.parametrize("cells, message, row, column", [
    ([[5, 2.5, 7.5, 1, 0]], "count 2.5 is negative or fractional", 2, _PARTS[1]),
    ([[5, 2, 7, 1, 0], [-3, 2, -1, 1, 0]], "count -3.0 is negative or fractional", 3, _PARTS[0]),
    # the first bad column wins; in it, text before a fraction; the first row first
    ([[5, 2, 7, 1.5, 0], [5, "x", 7, 1, 0]], "text 'x' in a count column", 3, _PARTS[1]),
    ([[5, 0.5, 7, 1, 0], [5, "x", 7, 1, 0]], "text 'x' in a count column", 3, _PARTS[1]),
    ([[5, 2, 7, 1, True], [5, 2, 7, "", "n/d"]], "text 'n/d' in a count column", 3, _COUNTS[4]),
])
def test_fractional_negative_or_text_counts_name_the_first_bad_cell(cells, message, row, column, tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    _write_units(path, [(f"Unidade {i}", counts) for i, counts in enumerate(cells)])
    with pytest.raises(PipelineError) as error:
        sisdepen.read_semester(path)
    assert message in error.value.message and (error.value.row, error.value.column) == (row, column)


@pytest.mark.parametrize("cell, message", [(float("inf"), "count inf is"), (2.000001, "count 2.000001 is"),
                                           (-0.0, None), (1e15, None)])
def test_a_count_cell_is_whole_finite_and_not_negative(cell, message):
    """The cell check as the reader applies it to the block calamine gives (a file cannot hold an infinity, a cell
    can: checked without a file); -0.0 and a large whole count pass."""
    block = np.array([["", 3, cell]], dtype=object)
    counts = {1: sisdepen.Header("b", "", None, "Masculino"), 2: sisdepen.Header("b", "", None, "Feminino")}
    if message is None:
        assert sisdepen._numeric_cells(block, ["x", "a", "b"], counts, Path("f.xlsx")).tolist() == [[3.0, cell]]
        return
    with pytest.raises(PipelineError, match=message) as error:
        sisdepen._numeric_cells(block, ["x", "a", "b"], counts, Path("f.xlsx"))
    assert (error.value.row, error.value.column) == (2, "b")


def test_clean_block_becomes_sorted_long_rows_without_blanks_or_totals(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    _write_units(path, [("Unidade B", [5, "", 5, 1, 2]), ("Unidade A", [0, 3, 3, "", None])])
    table, note = sisdepen.read_semester(path)
    assert "all units agree" in note
    assert table[["unit_row", "block", "item", "sex", "value"]].values.tolist() == [
        [2, "capacity", "", "male", 100.0],
        [2, "incidences", DRUG, "female", 2.0], [2, "incidences", DRUG, "male", 1.0],
        [2, "people_by_age", "", "male", 90.0],
        [2, "population", "pre_trial", "male", 5.0],
        [3, "capacity", "", "male", 100.0], [3, "people_by_age", "", "male", 90.0],
        [3, "population", "pre_trial", "female", 3.0], [3, "population", "pre_trial", "male", 0.0]]
    assert table["unit_name"].tolist()[-1] == "Unidade A" and set(table["period"]) == {"2019-12"}
    assert (table.dtypes.astype(str).tolist()
            == ["string", "string", "int64", "string", "string", "string", "string", "string", "string",
                "string", "float64"])


def test_population_parts_must_sum_to_the_total(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    _write_units(path, [("Unidade A", [5, 2, 7, 1, 0]), ("Unidade B", [5, 2, 8, 1, 0])])
    with pytest.raises(PipelineError, match=r"parts sum to 7 but the total says 8 \(1 unit\(s\) in all\)") as error:
        sisdepen.read_semester(path)
    assert error.value.row == 3


# ---- cache and parallel reading ------------------------------------------------------------------------
def _semesters(folder, periods):
    folder.mkdir(exist_ok=True)
    for i, period in enumerate(periods):
        _write_units(folder / f"dados-sisdepen-{period}.xlsx", [("Unidade A", [5, i, 5 + i, 1, 2]),
                                                                ("Unidade B", [1, 1, 2, 0, 1])])


def test_cache_reuses_each_file_by_hash_and_parses_only_a_new_semester(tmp_path, monkeypatch):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _semesters(raw, ["jan-jun-2019", "jul-dez-2019"])
    uncached, _ = sisdepen.load(raw, cache_dir=None)
    first, log = sisdepen.load(raw, cache_dir=cache)
    entries = sorted(p.name for p in (cache / sisdepen.parser_version()).iterdir())
    assert entries == sorted(f"{hashlib.sha256(p.read_bytes()).hexdigest()}-{p.stem}.parquet" for p in raw.iterdir())
    pd.testing.assert_frame_equal(first, uncached)
    parsed = []
    real = sisdepen.read_semester
    monkeypatch.setattr(sisdepen, "read_semester", lambda path: parsed.append(path.name) or real(path))
    again, log_again = sisdepen.load(raw, cache_dir=cache)
    assert parsed == []  # nothing parsed: every table came from the cache
    pd.testing.assert_frame_equal(again, first)
    pd.testing.assert_frame_equal(log_again, log)
    _semesters(raw, ["jan-jun-2020"])  # the same bytes as jan-jun-2019, under another semester's name
    newest, _ = sisdepen.load(raw, cache_dir=cache)
    assert parsed == ["dados-sisdepen-jan-jun-2020.xlsx"]
    # 8 rows of people and incidences, 2 of places and 2 of people counted by age per file
    assert newest["period"].value_counts().to_dict() == {"2019-06": 12, "2019-12": 12, "2020-06": 12}


def test_cache_of_a_changed_file_or_another_parser_version_is_never_used(tmp_path, monkeypatch):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _semesters(raw, ["jan-jun-2019"])
    sisdepen.load(raw, cache_dir=cache)
    stale = cache / "0123456789abcdef"
    stale.mkdir()
    (stale / "x.parquet").write_bytes(b"old")
    _write_units(raw / "dados-sisdepen-jan-jun-2019.xlsx", [("Unidade A", [9, 0, 9, 1, 2])])
    tidy, _ = sisdepen.load(raw, cache_dir=cache)
    people = lambda tidy: tidy.loc[tidy["block"] == "population", "value"]
    assert people(tidy).max() == 9  # the changed file was parsed again
    assert not stale.exists()  # another version's entries are removed
    entry = cache / sisdepen.parser_version() / sisdepen.cache_name(raw / "dados-sisdepen-jan-jun-2019.xlsx")
    entry.write_bytes(b"damaged")  # a damaged entry is parsed again, not trusted
    assert people(sisdepen.load(raw, cache_dir=cache)[0]).max() == 9
    monkeypatch.setattr(sisdepen, "parser_version", lambda: "another-version")
    sisdepen.load(raw, cache_dir=cache)
    assert [p.name for p in cache.iterdir()] == ["another-version"]


def test_parallel_read_reports_the_first_bad_file_with_row_and_column(tmp_path):
    raw = tmp_path / "raw"
    _semesters(raw, ["jan-jun-2019", "jul-dez-2019", "jan-jun-2020"])
    _write_units(raw / "dados-sisdepen-jul-dez-2019.xlsx", [("Unidade A", [5, 2, 7, 1, 0]),
                                                            ("Unidade B", [1, "x", 1, 0, 0])])
    _write_units(raw / "dados-sisdepen-jan-jun-2020.xlsx", [("Unidade A", [5, 2.5, 7, 1, 0])])
    with pytest.raises(PipelineError) as error:
        sisdepen.load(raw, cache_dir=tmp_path / "cache")
    # files are read in name order: jan-jun-2019, jan-jun-2020, jul-dez-2019
    assert "dados-sisdepen-jan-jun-2020.xlsx" in error.value.message and "count 2.5" in error.value.message
    assert (error.value.row, error.value.column) == (2, _PARTS[1])
    assert not any((tmp_path / "cache").rglob("*.parquet"))  # nothing cached when a file fails


# ---- real files (data/raw/sisdepen, filled by the fetch stage) ------------------------------------------
@pytest.fixture(scope="module")
def real_outputs():
    tidy, files = sisdepen.load(RAW)
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    settings = params.read(Brazil)
    return tidy, files, brazil.build(tidy, reports, published.load(), settings)


def _value(indicators, indicator, period, sex="total"):
    rows = indicators[(indicators["indicator"] == indicator) & (indicators["period"] == period)
                      & (indicators["sex"] == sex)]
    assert len(rows) == 1
    return rows["value"].iloc[0]


def test_senappen_monitoring_totals_match_exactly(real_outputs):
    indicators = real_outputs[2].indicators
    assert _value(indicators, "people_electronic_monitoring", "2016-12") == 6027
    assert _value(indicators, "people_electronic_monitoring", "2020-06") == 51897
    assert (_value(indicators, "people_electronic_monitoring", "2020-12")
            - _value(indicators, "people_electronic_monitoring", "2019-12")) == 55899
    assert _value(indicators, "people_electronic_monitoring", "2019-12", "male") == 14859
    assert _value(indicators, "people_electronic_monitoring", "2019-12", "female") == 1962


def test_reconciliation_state_reports_all_exact(real_outputs):
    recon = real_outputs[2].reconciliation
    states = recon[recon["check"].str.startswith("state report")]
    assert len(states) == 27 * 4 * 3 and states["exact"].all()
    senappen = recon[recon["check"].str.startswith("SENAPPEN monitoring")]
    assert len(senappen) == 3 and senappen["exact"].all()
    incidences = recon[recon["check"].str.startswith("block 5.14 against the state reports")]
    assert len(incidences) == 4 * 2 * 3 and incidences["exact"].all()
    assert incidences.set_index(["check", "period", "sex"]).loc[
        ("block 5.14 against the state reports: drug-law incidences, sum of states", "2019-12", "female"),
        "computed"] == 17506


def test_the_state_reports_police_custody_row_is_read_as_printed():
    """People held by the police (in no establishment file), by state and sex, as the reports print them: December
    2019 sums to 268 women of 7,265 people (UNODC's 755,274 persons held in 2019 less the 748,009 in the
    establishment files, found by an independent recount). June 2019's rows that do not sum (PR, TO) or are not
    informed (PI) are kept as printed, not refused: their reader leaves that semester out."""
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    police = reports[reports["measure"] == "police_custody"].pivot_table(
        index=["period", "state"], columns="sex", values="value")
    assert police.groupby(level="period").size().tolist() == [27, 27, 27, 27]
    assert police.loc["2019-12"].sum().to_dict() == {"female": 268, "male": 6997, "total": 7265}
    assert police.loc["2020-12", "female"].sum() == 196
    assert police.loc[("2019-06", "PR")].tolist() == [345, 5174, 6427]  # 345 + 5,174 = 5,519
    assert reports[(reports["measure"] == "police_custody") & (reports["state"] == "PI")
                   & (reports["period"] == "2019-06")]["value"].isna().sum() == 2  # 'NI': not informed


def test_legacy_2016_06_excluded_with_reason(real_outputs):
    tidy, files, _ = real_outputs
    legacy = files.set_index("period").loc["2016-06"]
    assert not legacy["used"] and "not covered by the variable dictionary" in legacy["note"]
    assert "2016-06" not in set(tidy["period"])


def test_maranhao_2019_12_is_flagged_and_known(real_outputs):
    quality = real_outputs[2].quality
    row = quality[(quality["state"] == "MA") & (quality["period"] == "2019-12")
                  & (quality["measure"] == "all_offence_incidences") & (quality["sex"] == "male")].iloc[0]
    assert row["rule"] == "spike" and row["value"] == 330932 and row["known_error"]
    assert row["correction_id"] == "ma-2019-12-male-incidences" and row["treatment"] == "exclude"


PJALLB = "Presídio Juiz Antônio Luiz Lins de Barros - PJALLB"
COTRIN_NETO = "Cadeia Pública Cotrin Neto - SEAP/CN"


JORGE_VAZ, CARANGOLA = "HOSPITAL PSIQUIATRICO E JUDICIARIO JORGE VAZ", "Presídio de Carangola I"
CARIDADE, APAC_TEOFILO_OTONI = "CADEIA PÚBLICA DE CARIDADE", "APAC - TEÓFILO OTONI"
JULIO_DE_CASTILHOS = "Presídio Estadual de Julio de Castilhos"
# Every known error in one unit's people (data/corrections/sisdepen.yaml): the unit as published, its sex, the
# semester corrected, and the semester whose counts replace it (the last earlier one, or the first later one).
UNIT_ENTRIES = {
    "pe-2016-12-pjallb-male-people": (PJALLB, "male", "2016-12", "2017-06"),
    "rs-2016-12-julio-de-castilhos-male-people": (JULIO_DE_CASTILHOS, "male", "2016-12", "2017-06"),
    "mg-2017-12-apac-teofilo-otoni-male-people": (APAC_TEOFILO_OTONI, "male", "2017-12", "2017-06"),
    "mg-2019-12-jorge-vaz-male-people": (JORGE_VAZ, "male", "2019-12", "2019-06"),
    "rj-2020-12-cotrin-neto-male-people": (COTRIN_NETO, "male", "2020-12", "2021-06"),
    "mg-2021-06-carangola-i-male-people": (CARANGOLA, "male", "2021-06", "2020-12"),
    "ce-2021-06-caridade-male-people": (CARIDADE, "male", "2021-06", "2020-12"),
}


@pytest.fixture(scope="module")
def units_as_published(real_outputs, tmp_path_factory):
    """The long table built again with every unit entry's action keep (the other entries as committed): one build
    shared by the tests of the unit corrections, however many entries there are."""
    text = paths.SISDEPEN_CORRECTIONS.read_text(encoding="utf-8")
    named = {entry["id"] for entry in yaml.safe_load(text) if entry.get("unit")}
    assert named == set(UNIT_ENTRIES), "list every known error of a unit in UNIT_ENTRIES"
    for entry_id in UNIT_ENTRIES:
        entry = text[text.index(f"- id: {entry_id}\n"):]
        entry = entry[:entry.find("\n- id: ") + 1 or len(entry)]
        assert "  action: replace\n" in entry
        text = text.replace(entry, entry.replace("  action: replace\n", "  action: keep\n"))
    kept = tmp_path_factory.mktemp("corrections") / "sisdepen.yaml"
    kept.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plausibility, "CORRECTIONS", kept)
        reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
        return brazil.build(real_outputs[0], reports, published.load(), params.read(Brazil)).indicators


def _unit_rows(tidy: pd.DataFrame, unit_name: str, sex: str) -> pd.DataFrame:
    return tidy[(tidy["block"] == "population") & (tidy["unit_name"] == unit_name) & (tidy["sex"] == sex)]


def _unit_entry_kept(real_outputs, as_published, entry_id):
    """The entry's unit's people by semester, after checking what its correction moves. With every unit entry kept
    as published (`as_published`), only the corrected semesters differ; in this entry's semester each long-table row
    differs, as corrected minus published, by exactly the rows the tidy table holds for the units corrected in that
    semester (this entry's, and another entry's of the same semester): their source semester minus their corrected
    one, by legal situation."""
    tidy, _, outputs = real_outputs
    unit_name, sex, period, _ = UNIT_ENTRIES[entry_id]
    key = ["indicator", "period", "sex"]
    both = outputs.indicators.merge(as_published, on=key, suffixes=("", "_published"), validate="1:1")
    moved = both[both["value"] != both["value_published"]]
    assert set(moved["period"]) == {corrected for _, _, corrected, _ in UNIT_ENTRIES.values()}
    differences = {(row.indicator, row.sex): row.value - row.value_published
                   for row in moved[moved["period"] == period].itertuples()}
    published_indicators = set(outputs.indicators["indicator"])
    expected = {}
    for name, unit_sex, corrected, source in UNIT_ENTRIES.values():
        if corrected != period:
            continue
        unit = _unit_rows(tidy, name, unit_sex)
        legal = unit.assign(item=unit["item"].map(brazil.LEGAL_GROUPS)).groupby(["period", "item"])["value"].sum(
        ).unstack(fill_value=0)
        change = legal.loc[source] - legal.loc[corrected]
        parts = {"people_in_cells": change.sum()} | {f"people_in_cells_{item}": part for item, part in change.items()
                                                      if f"people_in_cells_{item}" in published_indicators}
        for indicator, part in parts.items():
            for each in (unit_sex, "total"):
                expected[indicator, each] = expected.get((indicator, each), 0) + part
    assert differences == {key: part for key, part in expected.items() if part}
    assert both["definition"].str.contains(entry_id).sum() == len(
        both[both["indicator"].str.startswith("people_in_cells")])
    return _unit_rows(tidy, unit_name, sex).groupby("period")["value"].sum()


def test_the_pernambuco_unit_of_december_2016_is_corrected_in_that_unit_alone(real_outputs, units_as_published):
    """Known error pe-2016-12-pjallb-male-people: the unit's 17,580 men (all closed regime) are counted as its June
    2017 counts. Built again with the unit entries' action keep, the numbers of December 2016 that move differ by
    exactly the rows of its unit and of Julio de Castilhos's (the other entry of that semester) as the tidy table
    holds them: 644,014 men in cells as published, 630,509 corrected (630,615 with this entry alone)."""
    outputs = real_outputs[2]
    unit = _unit_entry_kept(real_outputs, units_as_published, "pe-2016-12-pjallb-male-people")
    assert unit[["2016-12", "2017-06"]].tolist() == [17_580, 4_181]
    assert _value(units_as_published, "people_in_cells", "2016-12", "male") == 644_014
    assert _value(outputs.indicators, "people_in_cells", "2016-12", "male") == 644_014 - (17_580 - 4_181) - (210 - 104)
    # Pernambuco's men, corrected, sit between its next two semesters
    states = outputs.state_values.set_index(["state", "measure", "sex", "period"])["value"]
    assert [states[("PE", "people_in_cells", "male", p)] for p in ("2016-12", "2017-06", "2017-12")] == [
        30_789, 29_614, 31_632]


def test_the_rio_de_janeiro_jail_of_december_2020_is_corrected_in_that_unit_alone(real_outputs, units_as_published):
    """Known error rj-2020-12-cotrin-neto-male-people: the jail's 7,503 men (7,357 pre-trial, in 750 places) are
    counted as its June 2021 counts, its next semester under the name as published (it gained a slash in December
    2020, so its earlier semesters are another unit's name). Built again with the unit entries' action keep, December
    2020 moves by exactly the unit's rows of the two semesters."""
    tidy, _, outputs = real_outputs
    unit = _unit_entry_kept(real_outputs, units_as_published, "rj-2020-12-cotrin-neto-male-people")
    assert unit.to_dict() == {"2020-12": 7_503, "2021-06": 1_164, "2021-12": 1_273}
    earlier = tidy[(tidy["block"] == "population") & (tidy["unit_name"] == "Cadeia Pública Cotrin Neto - SEAPCN")]
    assert earlier["period"].max() == "2020-06"  # the same jail under its earlier name, up to June 2020
    states = outputs.state_values.set_index(["state", "measure", "sex", "period"])["value"]
    # Rio de Janeiro's men in cells, corrected, within the range of its other ten semesters (46,376 to 51,545)
    rio = states.sort_index().loc[("RJ", "people_in_cells", "male")]
    assert rio["2020-12"] == 47_452 and (rio.drop("2020-12").min(), rio.drop("2020-12").max()) == (46_376, 51_545)
    assert (_value(units_as_published, "people_in_cells", "2020-12", "male")
            - _value(outputs.indicators, "people_in_cells", "2020-12", "male")) == 7_503 - 1_164


@pytest.mark.parametrize("entry_id, unit_name, period, source_period, counts, by_age, state, rules", [
    # 1,280 of the 1,299 in security internment, in 186 places; its count by age group: 147
    ("mg-2019-12-jorge-vaz-male-people", JORGE_VAZ, "2019-12", "2019-06", {"2019-06": 136, "2019-12": 1_299},
     {"2019-06": 136, "2019-12": 147, "2020-06": 112}, ("MG", {"2019-06": 74_846, "2019-12": 70_416,
                                                               "2020-06": 60_273}), ["unit_count_gap", "unit_jump"]),
    # 925 of the 938 pre-trial, in 60 places; its count by age group: 105
    ("mg-2021-06-carangola-i-male-people", CARANGOLA, "2021-06", "2020-12", {"2020-12": 101, "2021-06": 938},
     {"2020-12": 101, "2021-06": 105, "2021-12": 129}, ("MG", {"2020-12": 59_760, "2021-06": 61_404,
                                                               "2021-12": 62_407}), ["unit_count_gap", "unit_jump"]),
    # 403 of the 417 pre-trial (41 and 49 in the semesters around), in 34 places; its count by age group: 45
    ("ce-2021-06-caridade-male-people", CARIDADE, "2021-06", "2020-12", {"2020-12": 44, "2021-06": 417},
     {"2020-12": 44, "2021-06": 45, "2021-12": 49}, ("CE", {"2020-12": 21_886, "2021-06": 22_319,
                                                            "2021-12": 22_126}), ["unit_count_gap"]),
    # 277 men and 276 places, where its other semesters hold 30 to 53 men in 44 to 53 places
    ("mg-2017-12-apac-teofilo-otoni-male-people", APAC_TEOFILO_OTONI, "2017-12", "2017-06",
     {"2017-06": 47, "2017-12": 277}, {"2017-06": 47, "2017-12": 53, "2018-06": 53},
     ("MG", {"2017-06": 69_552, "2017-12": 69_538, "2018-06": 73_579}), ["unit_count_gap"]),
    # 105 pre-trial, and 105 in the regimes: the unit's total written into the pre-trial count; its first semester,
    # so counted as its next one
    ("rs-2016-12-julio-de-castilhos-male-people", JULIO_DE_CASTILHOS, "2016-12", "2017-06",
     {"2017-06": 104, "2016-12": 210}, {"2016-12": 105, "2017-06": 104}, ("RS", {"2016-12": 31_970, "2017-06": 32_302}),
     ["unit_count_gap"]),
], ids=["jorge-vaz", "carangola-i", "caridade", "apac-teofilo-otoni", "julio-de-castilhos"])
def test_a_unit_whose_two_counts_on_one_form_disagree_in_one_semester_is_corrected_in_that_unit_alone(
        real_outputs, units_as_published, entry_id, unit_name, period, source_period, counts, by_age, state, rules):
    """Known errors found by the unit_jump or the two-counts rule and confirmed on the same form: the unit's men of
    block 4.1 leave its level in one semester while its men counted by age group (block 5.1) stay with its other
    semesters, where the two counts are the same or close. Counted as the unit's nearest semester (the last earlier
    one, or the first later one for a unit's first semester): built again with the unit entries' action keep, that
    semester moves by exactly the rows of its corrected units; the state's men in cells, corrected, sit between its
    neighbouring semesters. Every rule that lists the unit carries the entry."""
    tidy, _, outputs = real_outputs
    assert UNIT_ENTRIES[entry_id] == (unit_name, "male", period, source_period)
    unit = _unit_entry_kept(real_outputs, units_as_published, entry_id)
    assert unit[[source_period, period]].to_dict() == counts
    aged = tidy[(tidy["block"] == "people_by_age") & (tidy["unit_name"] == unit_name) & (tidy["sex"] == "male")]
    assert aged.set_index("period")["value"].loc[list(by_age)].to_dict() == by_age
    states = outputs.state_values.set_index(["state", "measure", "sex", "period"])["value"]
    code, expected = state
    assert {p: states[(code, "people_in_cells", "male", p)] for p in expected} == expected
    found = outputs.quality[outputs.quality["correction_id"] == entry_id]
    assert found["rule"].tolist() == rules and set(found["treatment"]) == {"replace"}
    gap = found[found["rule"] == "unit_count_gap"]["evidence"].iloc[0]
    neighbours = "; ".join(f"{p}: {unit[p]:,.0f} / {by_age[p]}" for p in by_age if p != period)
    assert f"'{unit_name.upper()}' {unit[period]:,.0f} / {by_age[period]} ({neighbours})" in gap


def test_the_national_men_under_a_security_measure_of_december_2019_come_back_to_the_level_of_their_series(
        real_outputs, units_as_published):
    """A check outside the form: the men held in cells under a security measure, nationally, are 4,168 in December
    2019 with the Jorge Vaz hospital's 1,280 as published, a third above every other semester (2,355 to 2,972).
    Corrected, they are 3,007: 35 above the highest other semester, 1% of it."""
    outputs = real_outputs[2]
    _unit_entry_kept(real_outputs, units_as_published, "mg-2019-12-jorge-vaz-male-people")
    series = {p: _value(outputs.indicators, "people_in_cells_security_measure", p, "male")
              for p in sorted(outputs.indicators["period"].unique()) if p[:4].isdigit() and p[4:5] == "-"}
    others = [v for p, v in series.items() if p != "2019-12"]
    assert len(others) == 10 and (min(others), max(others)) == (2_355, 2_972)
    assert _value(units_as_published, "people_in_cells_security_measure", "2019-12", "male") == 4_168
    assert series["2019-12"] == 3_007


def test_personal_data_absent_from_real_tidy_table(real_outputs):
    tidy = real_outputs[0]
    assert list(tidy.columns) == sisdepen.COLUMNS
    with python_calamine.CalamineWorkbook.from_path(RAW / "dados-sisdepen-jul-dez-2019.xlsx") as book:
        rows = book.get_sheet_by_index(0).to_python(nrows=3)
    official = str(rows[1][rows[0].index("Responsável pela Finalização")])
    assert not tidy["unit_name"].eq(official).any() and not tidy["municipality"].eq(official).any()


# ---- plausibility, unit classes and the monitoring claim on the real files --------------------------------
def _rule(quality, rule):
    return quality[quality["rule"] == rule]


def test_per_capita_rule_flags_maranhao_for_every_semester_of_its_level_and_no_other_state(real_outputs):
    per_capita = _rule(real_outputs[2].quality, "per_capita")
    assert set(per_capita["state"]) == {"MA"}
    men = per_capita[per_capita["sex"] == "male"].set_index("period")["value"]
    assert men.to_dict() == {"2019-12": 27.84, "2020-06": 5.03, "2020-12": 7.68, "2021-06": 7.80, "2021-12": 7.54}
    women = per_capita[per_capita["sex"] == "female"].set_index("period")["value"]
    assert women.to_dict() == {"2019-12": 11.43, "2020-06": 4.44, "2020-12": 5.78, "2021-06": 5.59, "2021-12": 5.17}
    assert (per_capita["treatment"] == "exclude").all()


def test_treated_state_semesters_leave_the_national_incidences(real_outputs):
    quality = real_outputs[2].quality
    treated = quality[quality["treatment"] != "keep"][["state", "period", "measure"]].drop_duplicates()
    assert sorted(map(tuple, treated.values)) == [
        ("CE", "2021-06", "people_in_cells"),  # a unit's known error: corrected in that unit, not in the state's
        ("ES", "2020-12", "all_offence_incidences"),  # a unit's incidences (unit_incidence_jump): in that unit
        ("MA", "2018-12", "all_offence_incidences"),  # a unit's offences of a sex it does not hold: moved (both ways)
        ("MA", "2019-12", "all_offence_incidences"), ("MA", "2019-12", plausibility.RATE_MEASURE),  # incidences
        ("MA", "2020-06", plausibility.RATE_MEASURE), ("MA", "2020-12", plausibility.RATE_MEASURE),
        ("MA", "2021-06", plausibility.RATE_MEASURE), ("MA", "2021-12", plausibility.RATE_MEASURE),
        ("MG", "2017-12", "people_in_cells"), ("MG", "2019-12", "people_in_cells"), ("MG", "2021-06", "people_in_cells"),
        ("PB", "2021-06", "all_offence_incidences"), ("PE", "2016-12", "people_in_cells"),
        ("PE", "2018-06", "all_offence_incidences"), ("PE", "2018-12", "all_offence_incidences"),
        ("RJ", "2020-12", "people_in_cells"), ("RS", "2016-12", "people_in_cells"),
        ("RS", "2018-06", "all_offence_incidences"), ("RS", "2018-06", "drug_law_incidences")]
    assert sorted(map(tuple, plausibility.treated_state_periods(quality)[["state", "period"]].values)) == [
        ("MA", "2019-12"), ("MA", "2020-06"), ("MA", "2020-12"), ("MA", "2021-06"), ("MA", "2021-12"),
        ("RS", "2018-06")]
    states = real_outputs[2].state_values
    maranhao = states[(states["state"] == "MA") & states["measure"].str.endswith("incidences")]
    assert sorted(maranhao["period"].unique()) == ["2016-12", "2018-06", "2018-12", "2019-06"]


def test_a_units_offences_far_above_its_own_semesters_and_the_states_limit_are_left_out_in_that_unit(real_outputs):
    """Found by an independent recount from the raw xlsx: Pernambuco's Agreste centre, December 2018, 15,917 offences
    for 1,392 men (14,774 qualified robbery, none under the drug law)."""
    tidy, _, outputs = real_outputs
    quality = outputs.quality
    found = quality[quality["rule"] == "unit_incidence_jump"]
    assert found[["state", "period", "sex", "value", "treatment"]].values.tolist() == [
        ["ES", "2020-12", "male", 2247.0, "exclude"], ["PE", "2018-12", "male", 15917.0, "exclude"]]
    agreste = found.iloc[1]
    assert ("'CENTRO DE RESSOCIALIZAÇÃO DO AGRESTE - CRA' 15,917 / 1,392 (2018-06: 2,543; 2019-06: 2,836)"
            in agreste["evidence"])
    # Maranhão's units are not listed: their state-semesters are treated as a whole
    assert not (found["state"] == "MA").any()
    men = _value(outputs.indicators, "all_offence_incidences", "2018-12", "male")
    as_published = tidy[(tidy["block"] == "incidences") & (tidy["period"] == "2018-12") & (tidy["sex"] == "male")
                        & tidy["item"].str.startswith("GRUPO:")]
    # the unit alone left out of the 691,638 of the units counted in cells (and Maranhão's 321 offences typed as men's
    # counted as women's, its triage centre's 59 typed as women's as men's: unit_incidence_sex)
    assert men == 675459 == 691638 - 15917 - 321 + 59
    agreste_rows = as_published[as_published["unit_name"] == "Centro de Ressocialização do Agreste - CRA"]
    assert agreste_rows["value"].sum() == 15917
    shares = {sex: round(_value(outputs.indicators, "drug_law_share_of_incidences", "2018-12", sex), 1)
              for sex in ("female", "male", "total")}
    # men 27.8 and everyone 28.9 with the unit's offences; women 55.0 with Maranhão's offences of women typed as men's
    assert shares == {"female": 55.6, "male": 28.4, "total": 29.6}
    trafficking = outputs.indicators[outputs.indicators["indicator"] == "drug_trafficking"]
    assert set(trafficking["unit"]) == {"incidences"}


def test_a_units_offences_of_a_sex_it_holds_none_of_are_counted_as_the_sex_it_holds(real_outputs):
    """Found by an independent recount from the raw xlsx: Maranhão's women's unit of the Pedrinhas complex records 321
    offences of men in December 2018 (317 under the drug law), where it holds 277 women and no man; its 518 offences
    are those of June 2018, then all women's, 317 under the drug law."""
    tidy, _, outputs = real_outputs
    quality = outputs.quality
    found = quality[quality["rule"] == "unit_incidence_sex"]
    assert found[["state", "period", "sex", "value", "treatment"]].values.tolist() == [
        ["MA", "2018-12", "female", 59.0, "move"], ["MA", "2018-12", "male", 321.0, "move"],
        ["PB", "2021-06", "female", 22.0, "move"], ["PE", "2018-06", "female", 45.0, "move"]]
    women = found.iloc[1]
    unit = "'UNIDADE PRISIONAL DE RESSOCIALIZAÇÃO FEMININA (COMPLEXO DE PEDRINHAS)'"
    assert f"{unit} 321 (277 / 197)" in women["evidence"]
    assert women["effect"] == "moved: counted as offences of women, whom the unit holds"
    drug = {sex: _value(outputs.indicators, "drug_law_incidences", "2018-12", sex) for sex in ("female", "male")}
    raw = tidy[(tidy["block"] == "incidences") & (tidy["period"] == "2018-12")
               & tidy["unit_name"].str.startswith("Unidade Prisional de Ressocialização Feminina (Complexo")
               & tidy["item"].isin(brazil.DRUG_OFFENCES)]
    assert raw.groupby("sex")["value"].sum().to_dict() == {"male": 317}  # no drug offence of women (blank cells)
    kept = brazil.build(tidy, sisdepen_reports.load(paths.raw_dir("sisdepen_reports")), published.load(),
                        params.read(Brazil).model_copy(update={"incidences_of_sex_not_held": "keep"}))
    as_recorded = {sex: _value(kept.indicators, "drug_law_incidences", "2018-12", sex) for sex in ("female", "male")}
    assert drug["female"] - as_recorded["female"] == 317 and as_recorded["male"] - drug["male"] == 317
    assert (kept.quality.loc[kept.quality["rule"] == "unit_incidence_sex", "treatment"] == "keep").all()


def test_men_drug_law_shares_before_and_after_the_per_capita_rule(real_outputs):
    tidy, _, outputs = real_outputs
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    settings = params.read(Brazil)
    spike_rule_only = brazil.build(tidy, reports, published.load(),
                                   settings.model_copy(update={"per_capita_max_ratio": 1000.0}))

    def men(indicators):
        shares = indicators[(indicators["indicator"] == "drug_law_share_of_incidences")
                            & (indicators["sex"] == "male") & (indicators["period"] >= "2019-12")]
        return shares.set_index("period")["value"].round(2).to_dict()

    assert men(spike_rule_only.indicators) == {"2019-12": 28.74, "2020-06": 29.27, "2020-12": 28.84,
                                               "2021-06": 29.16, "2021-12": 28.37}
    # 2020-12: 30.04 with Espírito Santo's CDP de São Domingos do Norte, whose incidences unit_incidence_jump leaves out
    assert men(outputs.indicators) == {"2019-12": 28.74, "2020-06": 29.38, "2020-12": 29.99, "2021-06": 30.35,
                                       "2021-12": 30.44}


def test_coverage_gaps_of_block_5_14(real_outputs):
    coverage = _rule(real_outputs[2].quality, "coverage").set_index(["state", "period", "sex"])["value"]
    minas = coverage.xs("MG", level="state")
    assert sorted(minas.index) == [(p, s) for p in ("2019-12", "2020-06", "2020-12", "2021-06", "2021-12")
                                   for s in ("female", "male")]
    assert (minas == 0).all()
    assert coverage[("RJ", "2021-12", "male")] == 4.0  # 618 incidences in units holding 4% of RJ's men in cells
    assert ("RJ", "2021-12", "female") not in coverage.index  # women: 23% of RJ's women covered
    assert len(coverage) == 56
    assert (_rule(real_outputs[2].quality, "coverage")["treatment"] == "keep").all()


def test_in_cells_matches_senappens_count_without_monitoring(real_outputs):
    outputs = real_outputs[2]
    assert _value(outputs.indicators, "people_in_cells", "2020-06") == 678506
    recon = outputs.reconciliation.set_index(["check", "period"])
    assert recon.loc[("SENAPPEN cells total", "2020-06"), "exact"]
    assert _value(outputs.indicators, "people_patronato", "2020-06") == 23563


def test_patronato_units_listed_with_their_people_and_class(real_outputs):
    patronato = real_outputs[2].patronato.set_index(["period", "unit_name"])
    curitiba = "PATRONATO CENTRAL DE CURITIBA - PCTA"
    assert patronato.loc[("2016-12", curitiba), ["total", "female"]].tolist() == [16803, 3360]
    assert patronato.loc[("2020-06", curitiba), "total"] == 23563
    assert patronato.loc[("2021-06", "PATRONATO PE - Regime Aberto"), "total"] == 11131
    assert patronato.loc[("2021-12", "PATRONATO PE - Regime Aberto"), "total"] == 11626
    classes = patronato.groupby("unit_name")["unit_class"].agg(lambda c: sorted(set(c)))
    assert classes.to_dict() == {
        "CASA DO EGRESSO DE VILHENA (PATRONATO)": ["cells"], "Patronato Lima Drummond": ["cells"],
        "CASA DO EGRESSO DE VILHENA (PATRONATO) - DOMICILIAR": ["domiciliary"],
        curitiba: ["patronato"], "PATRONATO CENTRAL DE CURITIBA - PCTA - DOMICILIAR": ["domiciliary"],
        "PATRONATO PE - Regime Aberto": ["patronato"]}


def test_women_in_cells_2016_to_2021_with_and_without_patronato(real_outputs):
    tidy, _, outputs = real_outputs
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    settings = params.read(Brazil)
    counted_in = brazil.build(tidy, reports, published.load(), settings.model_copy(update={"patronato_in_cells": True}))
    for indicators, first, last, growth in ((outputs.indicators, 35541, 29843, -16.0),
                                            (counted_in.indicators, 38901, 30621, -21.3)):
        women = [_value(indicators, "people_in_cells", p, "female") for p in ("2016-12", "2021-12")]
        assert women == [first, last] and round(100 * (last / first - 1), 1) == growth
    assert _value(counted_in.indicators, "people_in_cells", "2020-06") == 678506 + 23563


def test_monitoring_claim_implies_the_published_2022_total_from_december_2019(real_outputs):
    claim = real_outputs[2].monitoring_claim.set_index(["base_period", "published_figure_id"])
    december = claim.loc[("2019-12", "bra-016")]
    assert december[["male_base", "female_base", "male_implied", "female_implied", "total_implied",
                     "total_implied_low", "total_implied_high", "published_total",
                     "published_minus_implied"]].tolist() == [14859, 1962, 81472, 9885, 91356, 91348, 91365, 91362, 6]
    assert december["published_within_interval"]
    june = claim.loc[("2019-06", "bra-016")]
    assert june[["male_base", "female_base", "total_implied"]].tolist() == [12246, 2049, 77468]
    assert not june["published_within_interval"]
    assert not claim.loc[("2019-12", "bra-017"), "published_within_interval"]  # 91,632: digits transposed
    indicators = real_outputs[2].indicators
    assert _value(indicators, "people_electronic_monitoring_implied_by_claim", "2019-12") == 91356
    assert _value(indicators, "people_electronic_monitoring_implied_by_claim_low", "2019-12") == 91348
    assert _value(indicators, "people_electronic_monitoring_implied_by_claim_high", "2019-12") == 91365
    assert _value(indicators, "people_electronic_monitoring_implied_by_claim", "2019-06") == 77468


def test_monitoring_units_named_a_physical_cell_are_sao_paulos_597_of_december_2021(real_outputs):
    in_cell = _rule(real_outputs[2].quality, "monitoring_in_cell").set_index(["state", "period", "sex"])
    assert in_cell["value"].to_dict() == {("SP", "2021-12", "female"): 4, ("SP", "2021-12", "male"): 593}
    men = in_cell.loc[("SP", "2021-12", "male")]
    assert "'CENTRO DE PROGRESSÃO PENITENCIÁRIA DE JARDINÓPOLIS - MONITORAMENTO ELETRÔNICO - CELA FÍSICA' (94)" in \
        men["evidence"] and men["evidence"].count("CELA FÍSICA") == 18
    assert men["effect"] == "kept as monitored: 593 of the 72,386 men monitored nationally in 2021-12 (0.82%)"
    assert in_cell.loc[("SP", "2021-12", "female"), "effect"] == (
        "kept as monitored: 4 of the 8,543 women monitored nationally in 2021-12 (0.05%)")
    assert (in_cell["treatment"] == "keep").all()
    assert _value(real_outputs[2].indicators, "people_electronic_monitoring", "2021-12", "female") == 8543


def test_monitoring_units_named_a_physical_cell_counted_in_cells_when_chosen(real_outputs):
    tidy, _, outputs = real_outputs
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    settings = params.read(Brazil).model_copy(update={"monitoring_in_cell_treatment": "in_cells"})
    in_cells = brazil.build(tidy, reports, published.load(), settings)
    for indicator, sex, default, chosen in (("people_electronic_monitoring", "male", 72386, 71793),
                                            ("people_electronic_monitoring", "female", 8543, 8539),
                                            ("people_in_cells", "male", 629158, 629751),
                                            ("people_in_cells", "female", 29843, 29847)):
        assert _value(outputs.indicators, indicator, "2021-12", sex) == default
        assert _value(in_cells.indicators, indicator, "2021-12", sex) == chosen
    assert _value(in_cells.indicators, "people_electronic_monitoring", "2020-06") == 51897  # no such unit before 2021-12
    found = _rule(in_cells.quality, "monitoring_in_cell").set_index("sex")
    assert found["treatment"].tolist() == ["in_cells", "in_cells"]
    assert found.loc["male", "effect"] == ("counted in cells: 593 men left out of the men monitored nationally in "
                                           "2021-12, 71,793 instead of 72,386 (0.82% fewer)")
    reclassified = _rule(in_cells.quality, "unit_reclassified")
    assert reclassified.loc[reclassified["measure"] == "people_electronic_monitoring", "value"].tolist() == [
        218, 3518, 62, 239]
    assert in_cells.claims["status"].tolist() == outputs.claims["status"].tolist() == ["supported"]


def test_units_counted_under_home_custody_from_2020_12_make_most_of_the_fall_in_cells(real_outputs):
    """From December 2020 open-regime units of six states are counted under home detention ('DOMICILIAR' now in their
    names; Ceará's without a dash, Rio de Janeiro's with 'SEAPAC' now 'SEAP/AC'). The people they held in cells in
    June 2020 are 47.1% of the women's fall in cells to December 2020 (831 of 30,452 - 28,688 = 1,764) and 88.5% of
    the men's (13,225 of 648,054 - 633,108 = 14,946): fig-20's dip is mostly these units. Found by an independent
    recount; listed and kept as reported. Curitiba's Patronato, counted outside cells before and after, too."""
    import re
    found = _rule(real_outputs[2].quality, "unit_reclassified")
    custody = found[found["measure"] == "people_domiciliary"].set_index(["state", "sex"])
    held = {key: int(re.search(r"the ([\d,]+) (?:wo)?men these units held in cells", effect).group(1).replace(",", ""))
            for key, effect in custody["effect"].items() if "held in cells" in effect}
    assert sorted({state for state, _ in held}) == ["AL", "AM", "CE", "RJ", "RO", "RR"]
    assert sum(v for (_, sex), v in held.items() if sex == "female") == 831
    assert sum(v for (_, sex), v in held.items() if sex == "male") == 13225
    indicators = real_outputs[2].indicators
    fall = {sex: _value(indicators, "people_in_cells", "2020-06", sex) - _value(indicators, "people_in_cells",
                                                                                  "2020-12", sex)
            for sex in ("female", "male")}
    assert fall == {"female": 1764, "male": 14946}
    assert custody.loc[("CE", "female"), "effect"] == (
        "kept as reported: the 285 women these units held in cells in 2020-06 are counted under people_domiciliary "
        "in 2020-12: 16.2% of the fall of 1,764 in the women in cells nationally from 2020-06 to 2020-12")
    assert custody.loc[("PR", "male"), ["value", "effect"]].tolist() == [
        31517, "kept as reported: counted outside cells in 2020-06 and in 2020-12"]
    assert set(found["period"]) == {"2020-06", "2020-12"} and (found["treatment"] == "keep").all()


def test_the_readmes_agreste_example_is_what_the_build_gives(real_outputs):
    """docs/brazil-data-quality.md (once in the README): leaving Pernambuco's Agreste unit out (the default) moves the
    men's drug-law share of December 2018 from 27.7% to 28.4%, everyone's from 28.9% to 29.6%. No state-semester of
    December 2018 is treated, so `outlier_treatment: keep` changes it by that unit alone. (The README said 27.8%, the
    share before the rule that counts a women's unit's offences typed under men as women's: an independent recount
    found the difference.)"""
    tidy, _, outputs = real_outputs
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    kept = brazil.build(tidy, reports, published.load(),
                        params.read(Brazil).model_copy(update={"outlier_treatment": "keep"}))
    shares = [[round(_value(built.indicators, "drug_law_share_of_incidences", "2018-12", sex), 1)
               for built in (kept, outputs)] for sex in ("male", "total")]
    assert shares == [[27.7, 28.4], [28.9, 29.6]]
    guide = paths.BRAZIL_DATA_QUALITY_GUIDE.read_text(encoding="utf-8")  # moved out of the README
    assert "drug-law share of December 2018 from 27.7% to 28.4% (everyone's from 28.9% to 29.6%)" in \
        " ".join(guide.split())


def test_units_reclassified_into_monitoring_are_amazonas_2020_06_and_rondonia_2020_12(real_outputs):
    moved = _rule(real_outputs[2].quality, "unit_reclassified")
    moved = moved[moved["measure"] == "people_electronic_monitoring"].set_index(["state", "period", "sex"])
    assert moved["value"].to_dict() == {("AM", "2020-06", "female"): 218, ("AM", "2020-06", "male"): 3518,
                                        ("RO", "2020-12", "female"): 62, ("RO", "2020-12", "male"): 239}
    assert set(moved["measure"]) == {"people_electronic_monitoring"} and (moved["treatment"] == "keep").all()
    amazonas = moved.loc[("AM", "2020-06", "male")]
    assert "'COMPAJ - SEMIABERTO MASCULINO - CAPITAL' (3,202) -> 'COMPAJ - SEMIABERTO MASCULINO - CAPITAL - " \
           "MONITORAMENTO ELETRÔNICO' (3,518)" in amazonas["evidence"]
    assert amazonas["effect"] == (
        "kept as reported: 3,518 of the 45,511 men monitored nationally in 2020-06 (7.7%); 11.5% of the rise of "
        "30,652 from 2019-12 to 2020-06, and 5.3% of the rise of 66,613 that the claimed 448.3% growth implies "
        "from 2019-12 to 2022")
    assert moved.loc[("AM", "2020-06", "female"), "effect"].startswith(
        "kept as reported: 218 of the 6,386 women monitored nationally in 2020-06 (3.4%); 4.9% of the rise of 4,424")
    # nothing changed: the claim's base and SENAPPEN's totals are those of the units as reported
    assert _value(real_outputs[2].indicators, "people_electronic_monitoring", "2020-06") == 51897


def test_a_load_that_fails_a_check_across_files_leaves_the_cache_unchanged(tmp_path):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _semesters(raw, ["jan-jun-2019"])
    _write_units(raw / "dados-sisdepen-jul-dez-2019.xlsx", [("Unidade A", [5, "", 5, 1, ""])])  # no women at all
    with pytest.raises(PipelineError, match="has no 'Feminino' values in this file, while 2019-06 had"):
        sisdepen.load(raw, cache_dir=cache)
    assert not any(cache.rglob("*.parquet"))


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    _semesters(raw, ["jan-jun-2019", "jul-dez-2019"])
    cache.write_text("a file where the cache folder should be")  # no entry can be written under it
    tidy, _ = sisdepen.load(raw, cache_dir=cache)
    pd.testing.assert_frame_equal(tidy, sisdepen.load(raw, cache_dir=None)[0])


# ---- a sex that vanishes, a renamed sex label (bad inputs through the entry point) -------------------------
def _semester(period, women):
    return pd.DataFrame({"period": period, "block": ["incidences", "incidences", "population"],
                         "sex": ["male", "female", "female"], "value": [100.0, women, 10.0]})


def test_a_sex_that_vanishes_from_a_block_is_an_error(tmp_path):
    files = {tmp_path / "dados-sisdepen-jan-jun-2019.xlsx": _semester("2019-06", 14_068.0),
             tmp_path / "dados-sisdepen-jul-dez-2019.xlsx": _semester("2019-12", 0.0)}
    with pytest.raises(PipelineError) as error:
        sisdepen.check_no_sex_vanishes(files)
    assert "dados-sisdepen-jul-dez-2019.xlsx" in error.value.message
    assert "no 'Feminino' values" in error.value.message and "2019-06 had 14,068" in error.value.message


def test_a_sex_present_in_every_semester_passes(tmp_path):
    sisdepen.check_no_sex_vanishes({tmp_path / "dados-sisdepen-jan-jun-2019.xlsx": _semester("2019-06", 5.0),
                                    tmp_path / "dados-sisdepen-jul-dez-2019.xlsx": _semester("2019-12", 7.0)})


SEMESTER = "dados-sisdepen-jul-dez-2019.xlsx"


@pytest.mark.parametrize("old, new", [
    (" | Feminino", " | Feminina"),  # block 5.14: today's silent loss of 14,068 female incidences
    ("Justiça Estadual Feminino", "Justiça Estadual Feminina"),  # block 4.1: no longer blamed on the totals
])
def test_renamed_sex_label_stops_the_ingest_naming_the_column(old, new, tmp_path):
    rows = corpus.sisdepen_rows()
    block = "5.14" if old == " | Feminino" else "4.1"
    column = next(i for i, h in enumerate(rows[0]) if str(h).startswith(block) and str(h).endswith(old))
    rows[0][column] = str(rows[0][column])[: -len(old)] + new
    project = corpus.make_project(tmp_path / "project")
    raw = project / "data" / "raw" / "sisdepen"
    raw.mkdir(parents=True)
    (raw / SEMESTER).write_bytes(corpus.xlsx_bytes(rows))
    corpus.assert_one_clear_message(project, ("pipeline.sources.sisdepen",),
                                    (SEMESTER, new.strip(" |"), "cannot classify this column", "column '"))


@pytest.mark.parametrize("totals, constant", [(sisdepen.CAPACITY, "CAPACITY"), (sisdepen.AGE_TOTALS, "AGE_TOTALS")])
def test_a_renamed_total_of_a_block_read_by_its_totals_stops_the_ingest_naming_it(totals, constant, tmp_path):
    """Real rows (a real file, cut down) whose women's total of block 1.3 or 5.1 the publisher renamed: the ingest
    stops with one line naming the file, the column and the constant to update, and changes nothing."""
    rows = corpus.sisdepen_rows()
    total = next(name for name, sex in totals.items() if sex == "Feminino")
    column = [sisdepen.normalise(h) for h in rows[0]].index(total)
    rows[0][column] = total.replace("Feminino", "Feminina")
    project = corpus.make_project(tmp_path / "project")
    raw = project / "data" / "raw" / "sisdepen"
    raw.mkdir(parents=True)
    (raw / SEMESTER).write_bytes(corpus.xlsx_bytes(rows))
    corpus.assert_one_clear_message(project, ("pipeline.sources.sisdepen",),
                                    (SEMESTER, f"column '{total}'", "is missing", f"update {constant} in "))


# The blocks the ingest reads by their totals alone (sisdepen.TOTALS_ONLY), by their name in the tidy table: the totals
# (sisdepen.CAPACITY, sisdepen.AGE_TOTALS), which columns of the block are the parts a total of one sex sums, and how
# many there are. Block 1.3's parts are places by legal situation and regime, not the deactivated places; block 5.1's
# are its 8 age groups, 'Não informado' among them.
_READ_BY_TOTALS = {
    "capacity": (sisdepen.CAPACITY, lambda h: h.startswith(sisdepen.CAPACITY_BLOCK) and "desativad" not in h, 7),
    "people_by_age": (sisdepen.AGE_TOTALS, lambda h: h.startswith(f"{sisdepen.AGE_BLOCK} | ") and h.count(" | ") == 2,
                      8),
}


@pytest.mark.parametrize("block, name", [
    # places: the first file, the last and Cotrin Neto's
    ("capacity", "dados-sisdepen-jul-dez-2016.xlsx"), ("capacity", "dados-sisdepen-jul-dez-2020.xlsx"),
    ("capacity", "dados-sisdepen-jul-dez-2021.xlsx"),
    # people counted by age: the first file and the two semesters of the Minas Gerais corrections
    ("people_by_age", "dados-sisdepen-jul-dez-2016.xlsx"), ("people_by_age", "dados-sisdepen-jul-dez-2019.xlsx"),
    ("people_by_age", "dados-sisdepen-jan-jun-2021.xlsx")])
def test_a_block_read_by_its_totals_holds_what_its_parts_sum_to(real_outputs, block, name):
    """Blocks 1.3 (places) and 5.1 (people by age group), of which the ingest reads only the two totals by sex, read
    here from the raw file with calamine alone: each total equals the sum of its parts wherever it is filled, is blank
    only where every part is, and is what the tidy table holds for the unit. (Checked on all 11 files read when each
    block was added; for block 5.1, 12,997 totals for men and 7,019 for women, none off.)"""
    totals, is_part, count = _READ_BY_TOTALS[block]
    with python_calamine.CalamineWorkbook.from_path(RAW / name) as book:
        rows = book.get_sheet_by_index(0).to_python()
    headers = [sisdepen.normalise(h) for h in rows[0]]
    at = {h: i for i, h in enumerate(headers)}
    tidy = real_outputs[0]
    held = tidy[(tidy["block"] == block) & (tidy["period"] == sisdepen.period_from_name(RAW / name))]
    held = held.set_index(["unit_row", "sex"])["value"]
    parts = {sex: [h for h in headers if is_part(h) and h.endswith(f" | {sex}")] for sex in totals.values()}
    assert {sex: len(columns) for sex, columns in parts.items()} == {"Masculino": count, "Feminino": count}
    read = {}
    for row_number, row in enumerate(rows[1:], start=2):
        for total, sex in totals.items():
            filled = [row[at[h]] for h in parts[sex] if row[at[h]] != ""]
            if row[at[total]] == "":
                assert not any(filled), (row_number, sex)
            else:
                assert row[at[total]] == sum(filled), (row_number, sex)
                read[(row_number, sisdepen.SEXES[sex])] = float(row[at[total]])
    assert read == held.to_dict()


def test_the_people_counted_by_age_are_the_units_people_or_fewer_almost_everywhere(real_outputs):
    """Why block 5.1 is evidence for block 4.1: of the unit-semesters that count any men by age group, 10,741 of
    12,678 count exactly the men of block 4.1, 1,934 fewer (an age block left partly filled) and only 3 more; for
    women 3,543 of 4,006 the same, 463 fewer, none more. So an age count at a unit's usual level beside a tenfold
    jump of its people points at the people as mistyped, not at the age groups."""
    tidy = real_outputs[0]
    for sex, expected in (("male", (12_678, 10_741, 1_934, 3)), ("female", (4_006, 3_543, 463, 0))):
        rows = tidy[tidy["sex"] == sex]
        people = rows[rows["block"] == "population"].groupby(["period", "unit_row"])["value"].sum()
        by_age = rows[rows["block"] == "people_by_age"].set_index(["period", "unit_row"])["value"]
        by_age = by_age[by_age > 0]
        people = people.reindex(by_age.index, fill_value=0)
        assert (len(by_age), (people == by_age).sum(), (people > by_age).sum(), (people < by_age).sum()) == expected


def test_a_units_places_stand_beside_its_people_in_the_unit_rule(real_outputs):
    """The two corrected units in tab-22's evidence: their places and people per place, from block 1.3 of the same
    rows. Cotrin Neto: 7,503 men in 750 places, 10.0 per place, against 2.1 and 1.6 in the two semesters the rule
    compared (1,540 in 750 in June 2020, under its earlier name '… - SEAPCN'; 1,164 in 750 in June 2021). PJALLB:
    17,580 in 885, 19.9 per place, against 4.7 and 7.2 (4,181 in 882; 6,392 in 885)."""
    tidy, _, outputs = real_outputs
    places = tidy[(tidy["block"] == "capacity") & (tidy["sex"] == "male")].groupby(["unit_name", "period"])["value"]
    assert places.sum().loc[COTRIN_NETO].to_dict() == {"2020-12": 750, "2021-06": 750, "2021-12": 1_260}
    assert places.sum().loc[PJALLB][["2016-12", "2017-06", "2017-12"]].tolist() == [885, 882, 885]
    jumps = outputs.quality[outputs.quality["rule"] == "unit_jump"].set_index(["state", "period"])["evidence"]
    assert ("'CADEIA PÚBLICA COTRIN NETO - SEAP/CN' 750 (10.0; 2020-06: 2.1; 2021-06: 1.6)"
            in jumps[("RJ", "2020-12")])
    assert ("(that semester; the semesters compared): 'PRESÍDIO JUIZ ANTÔNIO LUIZ LINS DE BARROS - PJALLB' 885 "
            "(19.9; 2017-06: 4.7; 2017-12: 7.2); men counted by age" in jumps[("PE", "2016-12")])


def test_the_places_of_the_units_counted_in_cells_agree_with_the_official_capacity_unodc_publishes(real_outputs):
    """An outside check of the places read: UNODC's 'Official prison capacity' of Brazil for 2021 (466,529, reported
    by the World Prison Brief; data/interim/unodc_prisons.parquet, from the mirror's UNODC file) against the places
    of the units the chapter counts in cells in December 2021: 465,842, 687 fewer (0.15%). The pseudo-units of
    electronic monitoring and home detention report places too (107,488 that semester) and are not prison capacity."""
    tidy, _, outputs = real_outputs
    places = tidy[tidy["block"] == "capacity"].merge(outputs.units[["period", "unit_row", "kind"]],
                                                     on=["period", "unit_row"], validate="m:1")
    december = places[places["period"] == "2021-12"]
    in_cells = december.loc[december["kind"] == brazil.CELLS, "value"].sum()
    assert in_cells == 465_842 and december["value"].sum() - in_cells == 107_488
    unodc = pd.read_parquet(paths.interim_parquet("unodc_prisons"))
    official = unodc[(unodc["iso3"] == "BRA") & (unodc["category"] == "Official prison capacity")
                     & (unodc["unit"] == "Counts") & (unodc["year"] == 2021)]["value"]
    assert official.tolist() == [466_529]
    assert abs(in_cells / official.iloc[0] - 1) < 0.002


def test_the_stages_closing_line_says_which_semester_was_left_out_and_where_the_reason_is():
    """A newcomer read "735,276 tidy rows from 11 of 12 files" and found the reason only in the file log."""
    file_log = pd.read_csv(paths.SISDEPEN_FILES)
    assert sisdepen.left_out(file_log) == ("; left out: 2016-06 (older survey layout) — see "
                                           "data/interim/sisdepen_files.csv")
    assert sisdepen.left_out(file_log.assign(used=True)) == ""
