"""The Argentina chapter's statements about its data, in words, written from the tables its build wrote
(data/interim/argentina/), so that a new UNODC file, other published figures or a user's SNEEP microdata cannot
leave a sentence of notebooks/argentina_sneep.ipynb stale. Each function returns Markdown for one section.
"""

from __future__ import annotations

import pandas as pd

from pipeline.chapters.argentina.build import SNEEP_NATIONAL_TOTAL, UNODC_FEMALE, UNODC_FEMALE_ADULTS, UNODC_TOTAL
from pipeline.chapters.argentina.series import CITED_SERIES, MICRODATA_SERIES, UNODC_SERIES
from pipeline.rounding import fixed


def series_years(women: pd.DataFrame) -> str:
    """The years each series of fig-10 has, within the years shown."""
    def years(series: str) -> str:
        drawn = sorted(women.loc[women["series"].eq(series) & women["women_held"].notna(), "year"].astype(int))
        if len(drawn) > 2 and drawn == list(range(drawn[0], drawn[-1] + 1)):
            return f"{drawn[0]}–{drawn[-1]}"
        if len(drawn) > 1:
            return ", ".join(map(str, drawn[:-1])) + f" and {drawn[-1]}"
        return str(drawn[0]) if drawn else "none"

    text = f"Years drawn: {UNODC_SERIES}, {years(UNODC_SERIES)}; {CITED_SERIES}, {years(CITED_SERIES)}"
    if women["series"].eq(MICRODATA_SERIES).any():
        text += f"; {MICRODATA_SERIES}, {years(MICRODATA_SERIES)}"
    return text + "."


def share_bases(women: pd.DataFrame) -> str:
    """The two series' denominators side by side in each year both have one: SNEEP's persons housed in penitentiary
    units (as published) and UNODC's persons held."""
    both = women.pivot_table(index="year", columns="series", values="persons_held") \
        .reindex(columns=[CITED_SERIES, UNODC_SERIES]).dropna()
    if both.empty:
        return "No year has both SNEEP's persons housed in penitentiary units and UNODC's persons held."
    return "The two denominators where both series have a year: " + "; ".join(
        f"{year}, SNEEP's persons housed in penitentiary units {row[CITED_SERIES]:,.0f} against UNODC's persons "
        f"held {row[UNODC_SERIES]:,.0f}" for year, row in both.iterrows()) + "."


def _women_reconciled(table: pd.DataFrame, women: pd.Series) -> str:
    """Where tab-11 has the row of UNODC's adult women against SNEEP's women less its trans women: what the gap
    between the two counts of women is made of (UNODC's juveniles, SNEEP's trans women), or that they do not
    reconcile so."""
    adults = table[table["figure_a"] == UNODC_FEMALE_ADULTS]
    if adults.empty:
        return ""
    row = adults.iloc[0]
    juveniles, trans = int(women["value_a"] - row["value_a"]), int(women["value_b"] - row["value_b"])
    made_of = (f": UNODC's {int(women['value_a']):,} include {juveniles:,} juveniles (its Age=Juveniles row), and "
               f"SNEEP's {int(women['value_b']):,} include {trans:,} trans women, whom UNODC does not count apart")
    if row["difference"] == 0:
        return made_of + f"; without them both count {int(row['value_a']):,} women"
    return made_of + (f"; without them UNODC counts {int(row['value_a']):,} and SNEEP {int(row['value_b']):,}, "
                      f"still {abs(int(row['difference'])):,} apart")


def reconciliation(table: pd.DataFrame, parts: pd.DataFrame) -> str:
    """UNODC against SNEEP in the base year (tab-11), and UNODC's female + male against its total (tab-12)."""
    year = int(table["year"].iloc[0])
    total = table[(table["figure_a"] == UNODC_TOTAL) & (table["figure_b"] == SNEEP_NATIONAL_TOTAL)]
    women = table[table["figure_a"] == UNODC_FEMALE]
    sentences = []
    if len(total):
        gap = int(total["difference"].iloc[0])
        sentences.append(f"In {year}, UNODC's total and SNEEP's national total "
                         + ("are the same" if gap == 0 else f"differ by {abs(gap):,} (UNODC "
                                                            f"{'more' if gap > 0 else 'fewer'})"))
    if len(women):
        gap = int(women["difference"].iloc[0])
        how_many = f"{abs(gap):,} {'more' if gap > 0 else 'fewer'}" if gap else "as many"
        sentences.append(f"UNODC counts {how_many} women {'than' if gap else 'as'} SNEEP as the briefing cites it"
                         + _women_reconciled(table, women.iloc[0]))
    parts = parts.dropna(subset=["difference", "total"])
    off = parts[parts["difference"] != 0]
    if len(parts):
        largest = parts.loc[(parts["difference"].abs() / parts["total"]).idxmax()]
        gap = int(largest["difference"])
        sentences.append(f"UNODC's female + male differ from its total in {len(off)} of its {len(parts)} years "
                         f"({int(parts['year'].min())}–{int(parts['year'].max())}), most in {int(largest['year'])}: "
                         f"{abs(gap):,} {'below' if gap > 0 else 'above'} it "
                         f"({fixed(100 * abs(gap) / largest['total'], 1)}% of the total)")
    return "; ".join(sentences) + "."
