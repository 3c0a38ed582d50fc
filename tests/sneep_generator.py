"""Generated SNEEP microdata files, in each release's layout and with its known defects, for tests only.

`write(path, layout, years, rows_per_year, seed=...)` writes one file and returns the true person-level
values it encodes (our column names and codes), so tests can assert the loader's exact counts. Nothing
generated here ever reaches the briefing: the files live in pytest's temporary folders or in the
benchmark's scratch folder.

    python -m tests.sneep_generator OUT.csv --rows 2000000 --years 2002-2022   # the benchmark's file

Province and establishment codes, names and the shares used below are invented (plausible, not real).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

COMMA = "\x1f"  # stands for an unquoted comma until the text is written (pandas would quote a real one)

# (SNEEP code, INDEC code, name): the two codes overlap in range, as in the real releases.
PROVINCES = [(i + 1, indec, name) for i, (indec, name) in enumerate([
    (2, "Ciudad Autónoma de Buenos Aires"), (6, "Buenos Aires"), (10, "Catamarca"), (14, "Córdoba"),
    (18, "Corrientes"), (22, "Chaco"), (26, "Chubut"), (30, "Entre Ríos"), (34, "Formosa"), (38, "Jujuy"),
    (42, "La Pampa"), (46, "La Rioja"), (50, "Mendoza"), (54, "Misiones"), (58, "Neuquén"),
    (62, "Río Negro"), (66, "Salta"), (70, "San Juan"), (74, "San Luis"), (78, "Santa Cruz"),
    (82, "Santa Fe"), (86, "Santiago del Estero"), (90, "Tucumán"), (94, "Tierra del Fuego")])]
DRUG_LAW = "Infracción ley n° 23.737 (estupefacientes)"
SMUGGLING = "Contrabando de estupefacientes"
OTHER_OFFENCES = ["Robo y/o tentativa de robo", "Hurto y/o tentativa de hurto", "Homicidios dolosos",
                  "Violaciones", "Amenazas", "Otros delitos contra la propiedad", "Lesiones dolosas"]
LEGAL_STATUSES = ["Condenado", "Procesado", "Contraventor", "Inimputable"]

# Gender labels each era published, with our code and the share of persons.
LABELS = {  # label -> our code
    "Mujer": "female", "Varón": "male", "Trans Mujer/Travesti": "trans_women", "Trans Varón": "trans_men",
    "No Binario": "non_binary", "Femenino": "female", "Masculino": "male", "Transexual": "trans_women",
}


def era_labels(year: int, old_per_year: bool = False) -> dict[str, float]:
    """Gender labels published for a census year, with their shares."""
    if old_per_year:
        return {"Masculino": 0.953, "Femenino": 0.046, "Transexual": 0.001}
    shares = {"Varón": 0.955, "Mujer": 0.045}
    if year >= 2015:
        shares |= {"Varón": 0.9535, "Trans Mujer/Travesti": 0.0015}
    if year >= 2020:
        shares |= {"Varón": 0.9533, "Trans Varón": 0.0002}
    if year >= 2022:
        shares |= {"Varón": 0.9532, "No Binario": 0.0001}
    return shares


@dataclass(frozen=True)
class Layout:
    """How one release writes its columns."""
    year: str = "anio_censo"
    gender: str = "sexo"  # prefix of *_id / *_descripcion
    province_ids: tuple[str, ...] = ("provincia_id",)  # SNEEP code first; INDEC code second if present
    children: str = "no0_yes1"  # or yes1_no2_unknown0
    camel_case: bool = False  # the query tool's export: CamelCase, latin-1, ';'
    old_labels: bool = False  # Masculino / Femenino / Transexual
    stray_header: str | None = None  # 2017: a name in the header with no data under it
    drop_id_suffix: str | None = None  # 2017: this *_id column's header lacks the suffix
    extra: dict = field(default_factory=dict)


LAYOUTS = {
    "unified_2002_2018": Layout(),
    "per_year_old": Layout(old_labels=True),
    "per_year_2017": Layout(stray_header="fecha_egreso", drop_id_suffix="establecimiento_id"),
    "release_2019": Layout(year="censo_anio", gender="genero", province_ids=("provincia_id", "provincia_indec_id"),
                           children="yes1_no2_unknown0"),
    "current": Layout(year="censo_anio", gender="genero", province_ids=("provincia_sneep_id", "provincia_id"),
                      children="yes1_no2_unknown0"),
    "query_export": Layout(year="censo_anio", gender="genero", camel_case=True, children="yes1_no2_unknown0"),
}


def establishments(rng: np.random.Generator) -> pd.DataFrame:
    """Penitentiary units: id, name (some with commas), province, service."""
    rows, next_id = [], 1
    for sneep_id, indec_id, name in PROVINCES:
        for unit in range(int(rng.integers(2, 6))):
            federal = unit == 0 and sneep_id in (1, 2, 4, 15, 17)
            label = f"Unidad {next_id}{COMMA} Complejo {name}" if next_id % 7 == 3 else f"Unidad {next_id} - {name}"
            rows.append((next_id, label, sneep_id, indec_id, name, "Federal" if federal else "Provincial"))
            next_id += 1
    return pd.DataFrame(rows, columns=["establishment_id", "establishment", "province_id", "province_indec_id",
                                       "province", "service"])


def people(years: list[int], rows_per_year: int, layout: Layout, seed: int) -> pd.DataFrame:
    """True person-level values (our codes) plus the labels the file will show."""
    rng = np.random.default_rng(seed)
    units = establishments(np.random.default_rng(seed + 1))
    n = rows_per_year * len(years)
    frame = pd.DataFrame({"census_year": np.repeat(np.array(years, dtype="int16"), rows_per_year)})
    unit = units.iloc[rng.integers(0, len(units), n)].reset_index(drop=True)
    frame = pd.concat([frame, unit], axis=1)
    frame["gender_label"] = _labels_by_year(frame["census_year"], layout, rng)
    frame["gender"] = frame["gender_label"].map(LABELS)
    frame["legal_status"] = np.array(LEGAL_STATUSES)[rng.choice(4, n, p=[0.52, 0.45, 0.02, 0.01])]
    offences = np.array([DRUG_LAW, SMUGGLING, *OTHER_OFFENCES], dtype=object)
    women = frame["gender"].isin(["female", "trans_women"]).to_numpy()
    drug_share = np.where(women, 0.40, 0.12)
    first = np.where(rng.random(n) < drug_share, rng.choice(2, n, p=[0.85, 0.15]), rng.integers(2, 9, n))
    frame["offence_1"] = offences[first]
    for i in range(2, 6):  # later offences: ever rarer, sometimes a drug offence
        has = rng.random(n) < 0.3 / i
        frame[f"offence_{i}"] = np.where(has, offences[rng.integers(0, 9, n)], None)
    frame["children_code"] = _children_codes(women, layout, rng)
    frame["children_in_prison"] = _children_truth(frame["children_code"], women, layout)
    frame["age"] = rng.integers(18, 80, n)
    frame["readable"] = True
    return frame


def write(path: Path, layout: str | Layout, years: list[int], rows_per_year: int, *, seed: int = 0,
          comma_names: bool = True, ambiguous_rows: int = 0, chunk_rows: int = 250_000) -> pd.DataFrame:
    """Write a SNEEP file; return the true values (`readable` False for rows the loader must reject)."""
    layout = LAYOUTS[layout] if isinstance(layout, str) else layout
    truth = people(years, rows_per_year, layout, seed)
    if ambiguous_rows:  # commas in two free-text fields: no single way to read the row
        units = establishments(np.random.default_rng(seed + 1))
        with_comma = units[units["establishment"].str.contains(COMMA)].iloc[0]
        for column in units.columns:
            truth.loc[: ambiguous_rows - 1, column] = with_comma[column]
        truth.loc[: ambiguous_rows - 1, "readable"] = False
    file = _file_columns(truth, layout, comma_names, ambiguous_rows)
    header = list(file.columns)
    if layout.drop_id_suffix:
        header[header.index(_cased(layout.drop_id_suffix, layout))] = _cased(
            layout.drop_id_suffix.removesuffix("_id"), layout)
    if layout.stray_header:
        header.insert(3, layout.stray_header)
    delimiter, encoding = (";", "latin-1") if layout.camel_case else (",", "utf-8")
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(delimiter.join(header) + "\n")
        for start in range(0, len(file), chunk_rows):
            text = file.iloc[start:start + chunk_rows].to_csv(index=False, header=False, sep=delimiter,
                                                              lineterminator="\n")
            handle.write(text.replace(COMMA, ","))
    truth["establishment"] = truth["establishment"].str.replace(COMMA, ",")
    return truth


def _file_columns(truth: pd.DataFrame, layout: Layout, comma_names: bool, ambiguous_rows: int) -> pd.DataFrame:
    """The columns as the release writes them, in its order, with filler columns we never read."""
    n = len(truth)
    establishment = truth["establishment"]
    if not comma_names or layout.camel_case:
        establishment = establishment.str.replace(COMMA, ",")  # quoted by pandas, or ';'-delimited
    origin = pd.Series(["Comisaría 1ra"] * n, dtype=object)
    if ambiguous_rows:
        origin.iloc[:ambiguous_rows] = f"Comisaría 1ra{COMMA} La Plata"
    ids = {layout.province_ids[0]: truth["province_id"]}
    if len(layout.province_ids) > 1:
        ids[layout.province_ids[1]] = truth["province_indec_id"]
    gender_ids = truth["gender"].map({g: i for i, g in enumerate(sorted(set(LABELS.values())), start=1)})
    columns = {
        layout.year: truth["census_year"], **ids, "provincia_descripcion": truth["province"],
        "establecimiento_id": truth["establishment_id"], "establecimiento_descripcion": establishment,
        "edad": truth["age"], f"{layout.gender}_id": gender_ids, f"{layout.gender}_descripcion": truth["gender_label"],
        "nacionalidad_id": 1, "nacionalidad_descripcion": "Argentina", "estado_civil_id": 1,
        "estado_civil_descripcion": "Soltero", "nivel_instruccion_id": 3,
        "nivel_instruccion_descripcion": "Primario completo", "jurisdiccion_id": 2,
        "jurisdiccion_descripcion": "Provincial", "situacion_legal_id": truth["legal_status"].map(
            {s: i for i, s in enumerate(LEGAL_STATUSES, start=1)}),
        "situacion_legal_descripcion": truth["legal_status"], "fecha_detencion": "2014-03-01",
        "establecimiento_procedencia_id": 7, "establecimiento_procedencia_descripcion": origin,
    }
    for i in range(1, 6):
        columns[f"delito{i}_id"] = truth[f"offence_{i}"].notna().astype(int)
        columns[f"delito{i}_descripcion"] = truth[f"offence_{i}"]
    columns |= {"duracion_condena_anios": 4, "duracion_condena_meses": 0, "reparticion_id": 1,
                "reparticion_descripcion": truth["service"], "tentativa_suicidio": 0,
                "mujer_tiene_hijos_intramuro": truth["children_code"]}
    file = pd.DataFrame({name: (value if not np.isscalar(value) else np.full(n, value)) for name, value in columns.items()})
    if layout.camel_case:
        file.columns = [_cased(c, layout) for c in file.columns]
    return file


def _cased(name: str, layout: Layout) -> str:
    """snake_case -> CamelCase for the query tool ('delito1_descripcion' -> 'Delito1Descripcion')."""
    if not layout.camel_case:
        return name
    return "".join(part.capitalize() for part in name.split("_")).replace("Anios", "Anos")


def _labels_by_year(years: pd.Series, layout: Layout, rng: np.random.Generator) -> np.ndarray:
    labels = np.empty(len(years), dtype=object)
    for year in years.unique():
        rows = np.flatnonzero(years.to_numpy() == year)
        shares = era_labels(int(year), layout.old_labels)
        labels[rows] = np.array(list(shares), dtype=object)[
            rng.choice(len(shares), len(rows), p=np.array(list(shares.values())) / sum(shares.values()))]
    return labels


def _children_codes(women: np.ndarray, layout: Layout, rng: np.random.Generator) -> np.ndarray:
    n = len(women)
    if layout.children == "yes1_no2_unknown0":
        codes = np.array(["1", "2", "0"], dtype=object)[rng.choice(3, n, p=[0.04, 0.90, 0.06])]
    else:
        codes = np.array(["1", "0"], dtype=object)[rng.choice(2, n, p=[0.04, 0.96])]
    return np.where(women, codes, None)


def _children_truth(codes: pd.Series, women: np.ndarray, layout: Layout) -> pd.Series:
    meaning = {"yes1_no2_unknown0": {"1": "yes", "2": "no", "0": "unknown"},
               "no0_yes1": {"1": "yes", "0": "no"}}[layout.children]
    return codes.map(meaning).where(women, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows in all")
    parser.add_argument("--years", default="2002-2022", help="first-last census year")
    parser.add_argument("--layout", default="current", choices=sorted(LAYOUTS))
    arguments = parser.parse_args()
    first, last = map(int, arguments.years.split("-"))
    years = list(range(first, last + 1))
    truth = write(arguments.out, arguments.layout, years, arguments.rows // len(years), seed=2024)
    print(f"wrote {len(truth):,} rows, {len(years)} censuses -> {arguments.out}")


if __name__ == "__main__":
    main()
