"""SISDEPEN state reports (relatórios por UF, sheet Plan1): what SENAPPEN printed per state, by sex.

The reports are formatted sheets (title rows, then sections). We read two sections, each with a header row
that names the columns (Homens, Mulheres, Total):

- 'Categoria: Quantidade de Presos/Internados', rows 'Quantidade de Presos custodiados no Sistema
  Penitenciário' (people held by the state's prison system) and 'Quantidade de Presos (Polícia e Segurança
  Pública)' (people held by the police, in no establishment file: the regional chapter's reconciliation of
  Brazil's count in UNODC). The police-custody row is kept as printed, even where its parts do not sum to its
  total or are not informed (PI, PR and TO, June 2019): its reader uses a semester only where every state's row
  is complete and sums (pipeline/chapters/regional/build.py, police_custody_women).
- 'Categoria: Quantidade de incidências por tipo penal', rows 'Quantidade de crimes tentados/ consumados'
  (all offence incidences) and 'Grupo: Drogas (Lei 6.368/76 e Lei 11.343/06)' (drug-law incidences): the
  check of block 5.14 of the establishment files (pipeline/chapters/brazil/reconcile.py).

State and period come from the file name (`{UF}_{jun|dez}_{YYYY}.xls`) and are checked against the title rows.

Output: `data/interim/sisdepen_reports.parquet`, one row per state x period x measure x sex.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from pipeline import io, paths, safe_xlsx
from pipeline.errors import PipelineError, cli
from pipeline.sources.sisdepen import normalise

SOURCE_ID = "sisdepen_reports"
SHEET = "Plan1"
# Sections read (normalised heading) -> their rows read (normalised label -> our measure).
SECTIONS = {
    "Categoria: Quantidade de Presos/Internados": {
        # people held by the state's prison system
        "Quantidade de Presos custodiados no Sistema Penitenciário": "prison_system",
        "Quantidade de Presos (Polícia e Segurança Pública)": "police_custody",  # people held by the police
    },
    "Categoria: Quantidade de incidências por tipo penal": {
        "Quantidade de crimes tentados/ consumados": "all_offence_incidences",  # offences attempted or committed
        "Grupo: Drogas (Lei 6.368/76 e Lei 11.343/06)": "drug_law_incidences",  # the drug-law group
    },
}
# Column headings of the section -> our sex codes.
SEXES = {"Homens": "male", "Mulheres": "female", "Total": "total"}

NOT_INFORMED = "NI"  # 'não informado': the state did not report the figure; kept as missing

_NAME = re.compile(r"^(?P<state>[A-Z]{2})_(?P<half>jun|dez)_(?P<year>\d{4})\.xls$")
_TITLE_YEAR = re.compile(r"(\d{4})")


def load(raw_dir: Path) -> pd.DataFrame:
    """Every state report as tidy rows (state, period, measure, sex, value, file)."""
    # Load inputs, in a stable order.
    files = sorted(Path(raw_dir).glob("*.xls"))
    if not files:
        raise PipelineError("no state reports (*.xls)", file=raw_dir, fix="run the fetch stage first")
    # Process data: one small table per report.
    table = pd.concat([read_report(path) for path in files], ignore_index=True)
    check_outputs(table)
    return table.sort_values(["state", "period", "measure", "sex"], kind="stable").reset_index(drop=True)


def read_report(path: Path) -> pd.DataFrame:
    """The sections SECTIONS names of one report."""
    match = _NAME.match(path.name)
    if not match:
        raise PipelineError("file name is not {UF}_{jun|dez}_{YYYY}.xls", file=path,
                            fix="keep the published file names; state and period are read from them")
    period = f"{match['year']}-{'06' if match['half'] == 'jun' else '12'}"
    rows = safe_xlsx.sheet_rows(path, SHEET, source=SOURCE_ID)
    _check_title(rows, match["year"], path)
    records = []
    for section, measures in SECTIONS.items():
        records += _read_section(rows, section, measures, match["state"], period, path)
    return pd.DataFrame(records)


def _read_section(rows: list[list], section: str, measures: dict[str, str], state: str, period: str,
                  path: Path) -> list[dict]:
    start = _find_row(rows, section, path)
    columns = {SEXES[normalise(c)]: j for j, c in enumerate(rows[start]) if normalise(c) in SEXES}
    if set(columns) != set(SEXES.values()):
        raise PipelineError(f"section header lacks one of {list(SEXES)}", file=path, row=start + 1,
                            column=section, fix="the report layout changed: compare it with another report")
    records = []
    for measure_label, measure in measures.items():
        row = _find_row(rows, measure_label, path, after=start)
        for sex, j in columns.items():
            value = rows[row][j]
            if value == NOT_INFORMED:
                value = float("nan")
            elif not isinstance(value, (int, float)):
                raise PipelineError(f"{value!r} where a count was expected", file=path, row=row + 1,
                                    column=f"{measure_label} / {sex}")
            records.append({"state": state, "period": period, "measure": measure, "sex": sex,
                            "value": float(value), "file": path.name})
    return records


def _check_title(rows: list[list], year: str, path: Path) -> None:
    title = " ".join(normalise(c) for r in rows[:4] for c in r if c not in ("", None))
    if year not in _TITLE_YEAR.findall(title):
        raise PipelineError(f"title rows do not mention {year} ({title[-40:]!r})", file=path,
                            fix="the file name and its content disagree: check which is right")


def _find_row(rows: list[list], label: str, path: Path, after: int = 0) -> int:
    for i in range(after, len(rows)):
        if any(normalise(c) == label for c in rows[i][:3]):
            return i
    raise PipelineError(f"row '{label}' not found", file=path, fix="the report layout changed")


# Rows kept as printed: their parts need not sum (see the module's docstring), their reader checks them.
UNCHECKED = ("police_custody",)


def check_outputs(table: pd.DataFrame) -> None:
    """Men and women add up to the printed total in every report (every row but UNCHECKED's)."""
    checked = table[~table["measure"].isin(UNCHECKED)]
    wide = checked.pivot_table(index=["state", "period", "measure"], columns="sex", values="value")
    complete = wide.dropna()
    off = complete[(complete["male"] + complete["female"]) != complete["total"]]
    if len(off):
        state, period, measure = off.index[0]
        raise PipelineError(f"{state} {period} {measure}: men + women != total",
                            fix="check the report; the parts must sum to the printed total")


@cli
def main() -> None:
    table = load(paths.raw_dir(SOURCE_ID))
    with io.transaction():
        table.astype({c: "string" for c in ("state", "period", "measure", "sex", "file")}) \
             .to_parquet(io.target(paths.interim_parquet(SOURCE_ID)), index=False)


if __name__ == "__main__":
    main()
