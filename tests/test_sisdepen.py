"""SISDEPEN ingest and Brazil measures: parser, unit-name rule, outlier detector, malformed files, real numbers."""

from __future__ import annotations

import pandas as pd
import pytest
import python_calamine
from openpyxl import Workbook

from pipeline import brazil, brazil_quality, params, paths
from pipeline.errors import PipelineError
from pipeline.sources import sisdepen, sisdepen_reports

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
    question = sisdepen.parse_header(f"{POPULATION} | Quantas pessoas privadas de liberdade estão em RDD?")
    assert question.sex is None


@pytest.mark.parametrize("name, period", [("dados-sisdepen-jan-jun-2019.xlsx", "2019-06"),
                                          ("dados-sisdepen-jul-dez-2016.xlsx", "2016-12")])
def test_period_from_file_name(name, period, tmp_path):
    assert sisdepen.period_from_name(tmp_path / name) == period


def test_file_name_without_period_is_an_error(tmp_path):
    with pytest.raises(PipelineError, match="no semester"):
        sisdepen.period_from_name(tmp_path / "dados-sisdepen.xlsx")


# ---- unit-name rule ------------------------------------------------------------------------------------
def test_unit_name_rule():
    settings = params.section("brazil", brazil.BrazilParams)
    units = pd.DataFrame({"unit_name": [
        "Central de Monitoramento Eletrônico de Presos", "CENTRAL DE MONITORAÇÃO ELETRÔNICA DE MARABÁ (DOMICILIAR)",
        "Centro de Monitoramento de Tornozeleira Eletrônica", "CADEIA PÚBLICA DE EXÚ - P/ DOMICILIAR",
        "Penitenciária Feminina do Distrito Federal",
        "CR de Araçatuba + ARSA - MONITORAMENTO ELETRÔNICO - CELA FÍSICA"]})
    kinds = brazil.classify_units(units, settings.monitoring_pattern, settings.domiciliary_pattern)["kind"]
    assert kinds.tolist() == [brazil.MONITORING, brazil.MONITORING, brazil.MONITORING, brazil.DOMICILIARY,
                              brazil.CELLS, brazil.MONITORING]


# ---- outlier detector ----------------------------------------------------------------------------------
def _series(values, state="MA"):
    periods = ["2019-06", "2019-12", "2020-06", "2020-12"]
    return pd.DataFrame({"state": state, "period": periods[:len(values)], "measure": "all_offence_incidences",
                         "sex": "male", "value": [float(v) for v in values]})


def test_outlier_detector_flags_one_semester_spike():
    flagged = brazil_quality.detect_outliers(_series([14_411, 330_932, 57_265, 90_386]), 5.0, 1000)
    assert flagged[["period", "direction"]].values.tolist() == [["2019-12", "spike"]]
    assert flagged["ratio_to_previous"].iloc[0] == pytest.approx(22.96)


def test_outlier_detector_ignores_level_shift_and_small_changes():
    assert brazil_quality.detect_outliers(_series([100, 900, 950, 1000]), 5.0, 1000).empty
    assert brazil_quality.detect_outliers(_series([10_000, 40_000, 42_000, 41_000]), 5.0, 1000).empty


def test_treatment_replace_uses_previous_semester():
    values = _series([14_411, 330_932, 57_265])
    treated = pd.DataFrame({"state": ["MA"], "period": ["2019-12"], "treatment": ["replace"]})
    result = brazil_quality.apply_treatment(values, treated, ("all_offence_incidences",))
    assert result.set_index("period").loc["2019-12", "value"] == 14_411
    excluded = brazil_quality.apply_treatment(values, treated.assign(treatment="exclude"), ("all_offence_incidences",))
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


def test_missing_block_is_a_clear_error(tmp_path):
    path = tmp_path / "dados-sisdepen-jan-jun-2019.xlsx"
    _write_semester(path, [*_IDENTITY, f"{POPULATION} | Total"], [*_IDENTITY_ROW, 10])
    with pytest.raises(PipelineError, match=f"required block '{INCIDENCES}' is missing") as error:
        sisdepen.read_semester(path)
    assert "dados-sisdepen-jan-jun-2019.xlsx" in error.value.message


def test_text_in_numeric_cell_names_file_row_and_column(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    column = f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual Masculino"
    _write_semester(path, [*_IDENTITY, column, f"{POPULATION} | Total", f"{INCIDENCES} | {DRUG} | Masculino"],
                    [*_IDENTITY_ROW, "doze", 12, 3])
    with pytest.raises(PipelineError) as error:
        sisdepen.read_semester(path)
    assert error.value.row == 2 and error.value.column == column and "text 'doze'" in error.value.message
    assert "dados-sisdepen-jul-dez-2019.xlsx" in error.value.message


def test_personal_data_is_never_read(tmp_path):
    path = tmp_path / "dados-sisdepen-jul-dez-2019.xlsx"
    _write_semester(path, [*_IDENTITY, f"{POPULATION} | Presos provisórios (sem condenação) | Justiça Estadual "
                                       "Masculino", f"{POPULATION} | Total", f"{INCIDENCES} | {DRUG} | Masculino"],
                    [*_IDENTITY_ROW, 12, 12, 3])
    table, _ = sisdepen.read_semester(path)
    text = table.astype(str).to_csv()
    assert "12345678900" not in text and "0000-0000" not in text
    assert not set(table.columns) & set(sisdepen.PERSONAL)


# ---- real files (data/raw/sisdepen, filled by the fetch stage) ------------------------------------------
@pytest.fixture(scope="module")
def real_outputs():
    tidy, files = sisdepen.load(RAW)
    reports = sisdepen_reports.load(paths.raw_dir("sisdepen_reports"))
    settings = params.section("brazil", brazil.BrazilParams)
    return tidy, files, brazil.build(tidy, reports, settings)


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


def test_legacy_2016_06_excluded_with_reason(real_outputs):
    tidy, files, _ = real_outputs
    legacy = files.set_index("period").loc["2016-06"]
    assert not legacy["used"] and "not covered by the variable dictionary" in legacy["note"]
    assert "2016-06" not in set(tidy["period"])


def test_maranhao_2019_12_is_flagged_and_known(real_outputs):
    quality = real_outputs[2].quality
    row = quality[(quality["state"] == "MA") & (quality["period"] == "2019-12")
                  & (quality["measure"] == "all_offence_incidences") & (quality["sex"] == "male")].iloc[0]
    assert row["value"] == 330932 and row["detected"] and row["known_error"]


def test_personal_data_absent_from_real_tidy_table(real_outputs):
    tidy = real_outputs[0]
    assert list(tidy.columns) == sisdepen.COLUMNS
    with python_calamine.CalamineWorkbook.from_path(RAW / "dados-sisdepen-jul-dez-2019.xlsx") as book:
        rows = book.get_sheet_by_index(0).to_python(nrows=3)
    official = str(rows[1][rows[0].index("Responsável pela Finalização")])
    assert not tidy["unit_name"].eq(official).any() and not tidy["municipality"].eq(official).any()
