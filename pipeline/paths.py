"""Every path the pipeline reads or writes, derived from the package's own location.

No other module writes a path string of its own; `dvc.yaml` names the same files for DVC.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PARAMS = ROOT / "params.yaml"
SOURCES = ROOT / "data" / "sources.yaml"

DATA = ROOT / "data"
# Hand-kept data: the registry of published figures, crosswalks of source labels, the translation table.
PUBLISHED_FIGURES = DATA / "published" / "figures.csv"
CROSSWALKS = DATA / "crosswalks"
SNEEP_GENDER_CROSSWALK = CROSSWALKS / "sneep_gender.csv"
SNEEP_OFFENCE_CROSSWALK = CROSSWALKS / "sneep_offences.csv"
TRANSLATIONS = DATA / "translations.csv"
RAW = DATA / "raw"
INTERIM = DATA / "interim"
PROCESSED = DATA / "processed"
CORRECTIONS = DATA / "corrections"

# Long-table rows, one file per source, gathered into INDICATORS.
INDICATOR_PARTS = INTERIM / "indicators"
INDICATORS = PROCESSED / "indicators.csv"

# Hand-downloaded source files (SNEEP microdata): the one place a user drops them. DVC tracks the folder as a
# dependency of its fetch stage, so adding, changing or removing a file reruns that branch; git ignores the files.
MANUAL = DATA / "manual"

# Not outputs: what a failed run leaves for the user to read (never committed, never tracked by DVC).
FAILED_NOTEBOOKS = INTERIM / "failed"
LOGS = INTERIM / "logs"

NOTEBOOKS = ROOT / "notebooks"
FIGURES = ROOT / "figures"
REPORTS = ROOT / "reports"
TABLES = REPORTS / "tables"
EXECUTED_NOTEBOOKS = REPORTS / "notebooks"


def raw_dir(source_id: str) -> Path:
    """Folder that the fetch stage fills for one source."""
    return RAW / source_id


def interim_parquet(name: str) -> Path:
    """Tidy Parquet written by an ingest stage."""
    return INTERIM / f"{name}.parquet"


def manual_dir(source_id: str) -> Path:
    """Folder where a user puts the hand-downloaded files of a manual source."""
    return MANUAL / source_id


def indicator_part(source_id: str) -> Path:
    """Long-table rows contributed by one source (or one country's measures)."""
    return INDICATOR_PARTS / f"{source_id}.csv"


def relative(path: Path) -> str:
    """A path as shown to users and written into outputs: relative to the project root when inside it."""
    for candidate in (Path(os.path.abspath(path)), Path(path).resolve()):  # a link is named as the user sees it
        try:
            return candidate.relative_to(ROOT).as_posix()
        except ValueError:
            continue
    return Path(os.path.abspath(path)).as_posix()
