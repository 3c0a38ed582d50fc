"""Benchmark (not a test): SNEEP loader + the chapter's aggregates on a generated 2-million-row file.

    .venv/bin/python tests/bench_sneep.py [--rows 2000000] [--folder /tmp/sneep-bench] [--repeat 3]

Each contender runs in its own process (so peak memory is its own): our loader and measures; pandas
reading the whole CSV and grouping; DuckDB computing the same aggregates straight from the CSV. Prints
median seconds and peak memory of each, and the three ratios the issue asks for. Generated data only.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRUG = "Infracción ley n° 23.737 (estupefacientes)"


def ours(path: Path) -> dict:
    from pipeline import argentina
    from pipeline.sources import sneep

    settings = argentina.Params(women_include_trans_women=True, drug_rule="any_offence",
                                drug_include_smuggling=False, legal_status="all", service="all",
                                children_coding="auto", max_rejected_rows=0, first_year=2005, last_year=2022,
                                growth_base_year=2015)
    microdata, _ = sneep.load([path])
    rows = argentina.measures(microdata, settings)
    argentina.by_province(microdata, settings, int(microdata["census_year"].max()), 5)
    return {"women_drug_2022": float(rows.query("indicator == 'women_held_drug_offences' and period == '2022'")
                                     ["value"].iloc[0])}


def pandas_whole(path: Path) -> dict:
    import pandas as pd

    frame = pd.read_csv(path, on_bad_lines="skip", low_memory=False)  # skips the broken rows: less work than ours
    women = frame["genero_descripcion"].isin(["Mujer", "Trans Mujer/Travesti"])
    drug = frame[[f"delito{i}_descripcion" for i in range(1, 6)]].eq(DRUG).any(axis=1)
    frame.groupby(["censo_anio", "genero_descripcion"]).size()
    frame.groupby(["censo_anio", "genero_descripcion"])["situacion_legal_descripcion"].apply(lambda s: (s == "Procesado").mean())
    frame.groupby(["provincia_descripcion", "genero_descripcion"]).size()
    result = (women & drug).groupby(frame["censo_anio"]).sum()
    return {"women_drug_2022": float(result.loc[2022])}


def duckdb_sql(path: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW s AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true, "
                "ignore_errors=true)")  # DuckDB skips the broken rows: it does less work than we do
    con.execute("SELECT censo_anio, genero_descripcion, count(*), avg((situacion_legal_descripcion='Procesado')::int) "
                "FROM s GROUP BY ALL").fetchall()
    con.execute("SELECT provincia_descripcion, genero_descripcion, count(*) FROM s GROUP BY ALL").fetchall()
    drug = " OR ".join(f"delito{i}_descripcion = '{DRUG}'" for i in range(1, 6))
    value = con.execute(f"SELECT count(*) FROM s WHERE censo_anio = '2022' AND genero_descripcion IN "
                        f"('Mujer', 'Trans Mujer/Travesti') AND ({drug})").fetchone()[0]
    return {"women_drug_2022": float(value)}


def _child(name: str, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    result = globals()[name](Path(path))
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result | {"seconds": seconds, "peak_mib": peak_mib}))


def _measure(name: str, path: Path, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", name, str(path)], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs), "peak_mib": max(r["peak_mib"] for r in runs),
            "women_drug_2022": runs[0]["women_drug_2022"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/sneep-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        return _child(*arguments.child)
    sys.path.insert(0, str(ROOT / "tests"))
    import sneep_generator

    arguments.folder.mkdir(parents=True, exist_ok=True)
    path = arguments.folder / f"sneep-generated-{arguments.rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        sneep_generator.write(path, "current", list(range(2002, 2023)), arguments.rows // 21, seed=2024)
        print(f"generated {path} ({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - started:.0f} s")
    results = {name: _measure(name, path, arguments.repeat if name != "pandas_whole" else 1)
               for name in ("ours", "pandas_whole", "duckdb_sql")}
    for name, result in results.items():
        print(f"{name:13s} {result['seconds']:7.2f} s  peak {result['peak_mib']:7.0f} MiB  "
              f"women held for drugs 2022: {result['women_drug_2022']:.0f}")
    ours_s = results["ours"]["seconds"]
    print(f"ours: {ours_s:.1f} s (target <= 30 s), peak {results['ours']['peak_mib']:.0f} MiB (target < 2048)")
    print(f"pandas / ours = {results['pandas_whole']['seconds'] / ours_s:.2f} (target >= 3)")
    print(f"ours / duckdb = {ours_s / results['duckdb_sql']['seconds']:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
