"""SISDEPEN per-establishment files (SENAPPEN): one row per prison unit and semester, read into a tidy table.

Each semester file has one header row whose levels are joined by ` | `, e.g.
`4.1 População prisional | Presos provisórios (sem condenação) | Justiça Estadual Feminino`. We parse every
header into (block, item, court, sex) so the code below names meanings, never column positions, and keep
only the two blocks the briefing uses: 4.1 (people by legal situation, court and sex) and 5.14 (offence
incidences by sex). Identifying columns are read from an allow-list, so personal data (the official who
filled in the form, phone numbers, addresses) is never read at all.

Output: `data/interim/sisdepen.parquet`, one row per establishment x period x block x item x court x sex
for every non-blank cell (parts only: the file's `Total` columns are checked against the parts, not kept),
plus `data/interim/sisdepen_files.csv`, which says for every file whether it was used and why not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from pipeline import io, paths, safe_xlsx
from pipeline.errors import PipelineError, cli

SOURCE_ID = "sisdepen"
FILE_GLOB = "dados-sisdepen-*.xlsx"

# Identifying columns kept (source header -> our name). Everything else outside BLOCKS is never read.
IDENTITY = {
    "UF": "state",  # unidade federativa: two-letter state code
    "Município": "municipality",  # municipality of the unit
    "Nome do Estabelecimento": "unit_name",  # establishment name; also how monitoring pseudo-units are recognised
    "Âmbito": "jurisdiction",  # Estadual (state) or Federal system
}

# Columns that hold personal data; they must never reach an output (checked before saving).
PERSONAL = ("Responsável pela Finalização", "Telefone Principal", "Endereço", "Bairro", "CEP",
            "Endereço de E-mail", "Endereço IP", "Nome do responsável pelo preenchimento:")

# Header blocks read (normalised source text -> our name).
BLOCKS = {
    "4.1 População prisional": "population",  # people held on the last day of the semester
    "5.14 Quantidade de incidências por tipo penal": "incidences",  # offence records; one person may have several
}

# Block 4.1 items: legal situation (situação jurídica).
LEGAL_SITUATIONS = {
    "Presos provisórios (sem condenação)": "pre_trial",  # held without conviction
    "Presos sentenciados - regime fechado": "closed",  # sentenced, closed regime
    "Presos sentenciados - regime semiaberto": "semi_open",  # sentenced, semi-open regime
    "Presos sentenciados - regime aberto": "open",  # sentenced, open regime
    "Medida de segurança - internação": "security_internment",  # security measure, internment
    "Medida de segurança - tratamento ambulatorial": "security_outpatient",  # security measure, outpatient
}

COURTS = {"Justiça Estadual": "state", "Justiça Federal": "federal", "Outros(Just. Trab., cível)": "other"}
SEXES = {"Masculino": "male", "Feminino": "female", "Total": "total"}

# The only columns of blocks 4.1 and 5.14 that are not split by sex (item -> why it is not read). Any other
# column whose last level is neither a sex nor a court and sex is an error: a renamed label (e.g. 'Feminina')
# must stop the ingest, never drop its column silently.
UNSPLIT_ITEMS = {
    # people in the Regime Disciplinar Diferenciado (solitary regime): a subset of the people counted, not a part
    "Quantas pessoas privadas de liberdade estão em Regime Disciplinar Diferenciado?": "subset count",
    # does the unit keep records of offences? (answered in text)
    "O estabelecimento detém alguma forma de registro que permite a obtenção desta informação?": "text answer",
    # how are offences recorded? (answered in text)
    "Como é registrada essa informação?": "text answer",
}

_PERIOD_IN_NAME = re.compile(r"(?P<half>jan-jun|jul-dez)-(?P<year>\d{4})")
_MONTH_OF_HALF = {"jan-jun": "06", "jul-dez": "12"}

# The 2016-06 file comes from an older survey (1,122 columns, different wording and levels). The variable
# dictionary (dicionario_infopen.xlsx, v0001-v1331) documents only the 1,331-column layout, so there is no
# documented mapping; the file is excluded, and this reason is written into sisdepen_files.csv.
LEGACY_LAYOUT_REASON = ("older survey layout (1,122 columns) not covered by the variable dictionary "
                        "(v0001-v1331); population and offence blocks are worded and split differently, so "
                        "the cycle is not comparable and is excluded")

COLUMNS = ["period", "state", "unit_row", "unit_name", "municipality", "jurisdiction", "block", "item",
           "court", "sex", "value"]


class Header(NamedTuple):
    """The meaning of one source column."""

    block: str  # e.g. '4.1 População prisional'
    item: str  # levels between block and court/sex, joined by ' | ' ('' for block totals)
    court: str | None  # 'Justiça Estadual', ... (block 4.1 only)
    sex: str | None  # 'Masculino', 'Feminino', 'Total', or None for an UNSPLIT_ITEMS column


def load(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All semester files as one tidy table, and the list of files with whether each was used and why."""
    # Load inputs: every semester file, in a stable order so outputs do not depend on directory listing.
    files = sorted(Path(raw_dir).glob(FILE_GLOB))
    if not files:
        raise PipelineError(f"no SISDEPEN files ({FILE_GLOB})", file=raw_dir,
                            fix="run the fetch stage first (`dvc repro fetch`)")
    tables, file_log = {}, []
    for path in files:
        table, note = read_semester(path)
        file_log.append({"file": path.name, "period": period_from_name(path), "used": table is not None,
                         "note": note})
        if table is not None:
            tables[path] = table
    # Check inputs: a sex that vanishes from a block between two semesters is a parsing or publishing fault.
    check_no_sex_vanishes(tables)
    # Process data: one table, sorted by its key, so the Parquet is byte-stable across reruns.
    tidy = pd.concat(tables.values(), ignore_index=True)
    tidy = tidy.sort_values(["period", "unit_row", "block", "item", "court", "sex"], kind="stable")
    return tidy.reset_index(drop=True)[COLUMNS], pd.DataFrame(file_log)


def read_semester(path: Path) -> tuple[pd.DataFrame | None, str]:
    """One semester file as tidy rows (None for an excluded layout) and a note on how it was read."""
    period = period_from_name(path)
    rows = safe_xlsx.sheet_rows(path, 0, source=SOURCE_ID)
    headers = [normalise(h) for h in rows[0]]
    if "Nome do Estabelecimento" not in headers and "Nome da unidade prisional:" in headers:
        return None, LEGACY_LAYOUT_REASON
    check_inputs(headers, path)
    identity = _identity_columns(rows, headers)
    _check_unique_units(identity, path)
    parsed = {i: parse_header(h, file=path) for i, h in enumerate(headers) if h.split(" | ")[0] in BLOCKS}
    counts = {i: h for i, h in parsed.items() if h.sex is not None}
    values = _numeric_cells(rows, headers, counts, path)
    note = _check_totals(values, path)
    parts = values[values["sex"] != "Total"].dropna(subset=["value"])
    parts = parts.join(identity, on="unit_row")
    parts["period"] = period
    return _recode(parts), note


def period_from_name(path: Path) -> str:
    """'jan-jun-2019' -> '2019-06', 'jul-dez-2019' -> '2019-12'; the files carry no period of their own."""
    match = _PERIOD_IN_NAME.search(Path(path).name)
    if not match:
        raise PipelineError("file name carries no semester (expected 'jan-jun-YYYY' or 'jul-dez-YYYY')",
                            file=path, fix="keep the published file names; the period is read from them")
    return f"{match['year']}-{_MONTH_OF_HALF[match['half']]}"


def normalise(text) -> str:
    """Header text with non-breaking and repeated spaces collapsed, as the dictionary spells it."""
    return re.sub(r"\s+", " ", str(text).replace("\xa0", " ")).strip()


def parse_header(text: str, file: Path | None = None) -> Header:
    """Split a ' | '-joined header into block, item, court and sex.

    In the blocks we read (BLOCKS) every column is classified: its last level is a sex, or a court and a sex,
    or the column is one of UNSPLIT_ITEMS. Anything else is an error naming the column and what was expected.
    """
    levels = [level.strip() for level in normalise(text).split(" | ")]
    block, rest = levels[0], levels[1:]
    sex = court = None
    if rest and rest[-1] in SEXES:
        sex = rest.pop()
    elif rest:
        court, sex = _court_and_sex(rest[-1])
        if court:
            rest.pop()
    if block in BLOCKS and sex is None and " | ".join(rest) not in UNSPLIT_ITEMS:
        last = f"last level '{rest[-1]}'" if rest else "no level below its block"
        raise PipelineError(
            f"cannot classify this column: {last}, where a sex ({', '.join(SEXES)}) or a court and sex "
            f"(e.g. 'Justiça Estadual Feminino') was expected", file=file, column=normalise(text),
            fix="the publisher renamed a label: if it means the same, add it to SEXES, COURTS or UNSPLIT_ITEMS "
                "in pipeline/sources/sisdepen.py; otherwise compare the file with the variable dictionary")
    return Header(block, " | ".join(rest), court, sex)


def _court_and_sex(level: str) -> tuple[str | None, str | None]:
    """'Justiça Estadual Feminino' -> ('Justiça Estadual', 'Feminino'); (None, None) if it is not one."""
    for court_name in COURTS:
        for sex_name in ("Masculino", "Feminino"):
            if level == f"{court_name} {sex_name}":
                return court_name, sex_name
    return None, None


def check_inputs(headers: list[str], path: Path) -> None:
    """Every identity column and block we need is present: a renamed upstream column fails here."""
    for name in IDENTITY:
        if name not in headers:
            raise PipelineError(f"required column '{name}' is missing", file=path, column=name,
                                fix="the publisher renamed a column: update IDENTITY in pipeline/sources/sisdepen.py")
    blocks = {h.split(" | ")[0] for h in headers}
    for block in BLOCKS:
        if block not in blocks:
            raise PipelineError(f"required block '{block}' is missing", file=path, column=block,
                                fix="the file layout changed: compare it with the variable dictionary")
    duplicated = pd.Index(headers)[pd.Index(headers).duplicated()]
    if len(duplicated):
        raise PipelineError(f"header '{duplicated[0]}' appears twice", file=path, column=duplicated[0],
                            fix="normalised headers must be unique to be matched by meaning")


def _identity_columns(rows: list[list], headers: list[str]) -> pd.DataFrame:
    columns = {ours: [normalise(r[headers.index(theirs)]) for r in rows[1:]] for theirs, ours in IDENTITY.items()}
    table = pd.DataFrame(columns, dtype="string")
    table.index = pd.RangeIndex(2, len(rows) + 1, name="unit_row")  # spreadsheet row number
    return table


def _check_unique_units(identity: pd.DataFrame, path: Path) -> None:
    """One row per establishment and semester: a repeated row would be counted twice."""
    key = ["state", "municipality", "unit_name"]
    repeated = identity[identity.duplicated(key, keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = repeated.index[(repeated[key] == first[key]).all(axis=1)].tolist()
        raise PipelineError(f"establishment {first['unit_name']!r} ({first['municipality']}, {first['state']}) "
                            f"appears on rows {rows}", file=path, row=rows[1], column="Nome do Estabelecimento",
                            fix="a row was pasted twice or the file is damaged: fetch it again, or delete the "
                                "repeated row and record it in data/corrections/sisdepen.yaml")


def check_no_sex_vanishes(tables: dict[Path, pd.DataFrame]) -> None:
    """Women or men present in a block in one semester cannot be absent from it in the next.

    Every state reports both sexes in blocks 4.1 and 5.14 in every semester, so a sex whose values sum to
    zero in a whole file, after a semester with values, means a label the parser did not read or columns
    left blank by the publisher. Either way the national figures would silently lose that sex.
    """
    previous: tuple[str, pd.Series] | None = None
    for path, table in sorted(tables.items(), key=lambda item: period_from_name(item[0])):
        sums = table.groupby(["block", "sex"])["value"].sum()
        if previous is not None:
            before_period, before = previous
            for (block, sex), value in before.items():
                if value > 0 and sums.get((block, sex), 0) == 0:
                    label = {v: k for k, v in SEXES.items()}[sex]
                    header = {v: k for k, v in BLOCKS.items()}[block]
                    raise PipelineError(
                        f"block '{header}' has no '{label}' values in this file, while {before_period} had "
                        f"{value:,.0f}", file=path, column=f"{header} | ... | {label}",
                        fix="a sex label may be misspelt or its columns blank: compare the header with the "
                            "variable dictionary and the previous semester's file")
        previous = (period_from_name(path), sums)


def _numeric_cells(rows: list[list], headers: list[str], counts: dict[int, Header], path: Path) -> pd.DataFrame:
    """The count cells as long rows; a blank stays missing, text or a fraction is an error."""
    frames = []
    for column, header in counts.items():
        cells = [r[column] for r in rows[1:]]
        for offset, cell in enumerate(cells):
            if not isinstance(cell, (int, float)) and cell not in ("", None):
                raise PipelineError(f"text {cell!r} in a count column", file=path, row=offset + 2,
                                    column=headers[column], fix="correct the cell or report it to the publisher")
        values = pd.to_numeric(pd.Series(cells).replace("", None), errors="raise").astype("Float64")
        bad = values[(values < 0) | (values % 1 != 0)]
        if len(bad):
            raise PipelineError(f"count {bad.iloc[0]} is negative or fractional", file=path,
                                row=int(bad.index[0]) + 2, column=headers[column],
                                fix="correct the cell or report it to the publisher; counts are whole and >= 0")
        frames.append(pd.DataFrame({"unit_row": range(2, len(rows) + 1), "block": header.block,
                                    "item": header.item, "court": header.court or "", "sex": header.sex,
                                    "value": values.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def _check_totals(values: pd.DataFrame, path: Path) -> str:
    """Block 4.1 parts must sum to the file's own total per unit; where the total is absent, say so."""
    population = values[values["block"] == "4.1 População prisional"]
    total = population[(population["sex"] == "Total") & (population["item"] == "")]
    if total.empty:
        return "no population total column: totals are the sum of the parts"
    parts = population[population["sex"] != "Total"].groupby("unit_row")["value"].sum()
    published = total.set_index("unit_row")["value"].fillna(0)
    differ = published.index[(parts.reindex(published.index, fill_value=0) != published)]
    if len(differ):
        row = int(differ[0])
        raise PipelineError(f"population parts sum to {parts.get(row, 0):g} but the total says "
                            f"{published[row]:g} ({len(differ)} unit(s) in all)", file=path, row=row,
                            column="4.1 População prisional | Total",
                            fix="sum the parts or the totals, never both: find which is wrong")
    return "population parts checked against the file's total column: all units agree"


def _recode(parts: pd.DataFrame) -> pd.DataFrame:
    """Source wording to our codes for block, legal situation, court and sex."""
    parts = parts.assign(
        block=parts["block"].map(BLOCKS),
        item=parts["item"].map(lambda i: LEGAL_SITUATIONS.get(i, i)),
        court=parts["court"].map(lambda c: COURTS.get(c, "")),
        sex=parts["sex"].map(SEXES),
    )
    unknown = parts.loc[(parts["block"] == "population") & ~parts["item"].isin(list(LEGAL_SITUATIONS.values())),
                        "item"]
    if len(unknown):
        raise PipelineError(f"unknown legal situation '{unknown.iloc[0]}' in block 4.1",
                            fix="add it to LEGAL_SITUATIONS in pipeline/sources/sisdepen.py")
    return parts.astype({c: "string" for c in ("period", "block", "item", "court", "sex")})[COLUMNS]


def check_outputs(tidy: pd.DataFrame) -> None:
    """No personal data column, unique key, and both blocks present in every period used."""
    leaked = [c for c in tidy.columns if c in PERSONAL or c in IDENTITY]
    if leaked:
        raise PipelineError(f"personal or unrenamed source column {leaked[0]!r} would be written",
                            fix="only IDENTITY columns (renamed) may be kept")
    key = ["period", "unit_row", "block", "item", "court", "sex"]
    if tidy.duplicated(key).any():
        raise PipelineError("tidy SISDEPEN table has duplicated keys", fix="check parse_header")
    blocks = tidy.groupby("period")["block"].nunique()
    if (blocks < len(BLOCKS)).any():
        raise PipelineError(f"period {blocks[blocks < len(BLOCKS)].index[0]} lacks a block")


@cli
def main() -> None:
    tidy, file_log = load(paths.raw_dir(SOURCE_ID))
    check_outputs(tidy)
    with io.transaction():
        tidy.to_parquet(io.target(paths.interim_parquet(SOURCE_ID)), index=False)
        io.write_text(paths.SISDEPEN_FILES, file_log.to_csv(index=False, lineterminator="\n"))


if __name__ == "__main__":
    main()
