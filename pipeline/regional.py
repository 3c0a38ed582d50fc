"""Regional chapter: women held in prison across Latin America, from the common long table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline import export, paths
from pipeline.sources import unodc_prisons


def countries(subregion: str) -> pd.DataFrame:
    """ISO3 code and UNODC country name of every country in `subregion`."""
    tidy = pd.read_parquet(paths.interim_parquet(unodc_prisons.SOURCE),
                           columns=["iso3", "country_name", "subregion"])
    found = tidy[tidy["subregion"] == subregion].drop_duplicates("iso3")
    return found[["iso3", "country_name"]].sort_values("iso3").reset_index(drop=True)


def women_held(indicators: pd.DataFrame, members: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Per country and year: women held, all persons held, women's share and rate (UNODC CTS)."""
    unodc = indicators[(indicators["source"] == unodc_prisons.SOURCE)
                       & indicators["country"].isin(members["iso3"])]
    unodc = unodc[unodc["period"].astype(int) >= first_year]  # UNODC periods are years
    series = {
        "women_held": ("persons_held", "female"),
        "persons_held": ("persons_held", "total"),
        "women_share_pct": ("women_share_of_persons_held", "female"),
        "women_per_100k_women": ("persons_held_rate", "female"),
    }
    columns = [unodc[(unodc["indicator"] == ind) & (unodc["sex"] == sex)]
               .set_index(["country", "period"])["value"].rename(name) for name, (ind, sex) in series.items()]
    table = pd.concat(columns, axis=1).reset_index().rename(columns={"period": "year"})
    table = table[table["women_held"].notna()]
    table["year"] = table["year"].astype(int)
    return (table.merge(members.rename(columns={"iso3": "country"}), on="country", how="left")
            .sort_values(["country", "year"]).reset_index(drop=True))


def growth_pct(series: pd.DataFrame, base_year: int) -> pd.Series:
    """Per country: % change of women held from `base_year` to the latest year (NaN if base missing)."""
    base = series[series["year"] == base_year].set_index("country")["women_held"]
    latest = series.sort_values("year").groupby("country").last()["women_held"]
    return (100 * (latest / base - 1)).reindex(latest.index)


def latest_by_country(series: pd.DataFrame) -> pd.DataFrame:
    """One row per country: latest year's count, share and rate, and growth since 2010 and since the
    first year the country reports (within the chapter's window)."""
    ordered = series.sort_values("year")
    first = ordered.groupby("country").first()
    latest = ordered.groupby("country").last()
    table = pd.DataFrame({
        "country_name": latest["country_name"],
        "latest_year": latest["year"],
        "women_held": latest["women_held"],
        "women_share_pct": latest["women_share_pct"].round(1),
        "women_per_100k_women": latest["women_per_100k_women"].round(1),
        "growth_since_2010_pct": growth_pct(series, 2010).round(1),
        "first_year": first["year"],
        "growth_since_first_year_pct": (100 * (latest["women_held"] / first["women_held"] - 1)).round(1),
    })
    return table.reset_index()


def share_chart(series: pd.DataFrame, focus: list[str], first_year: int) -> plt.Figure:
    """Women's share of all persons held, by country: focus countries in colour, the others in grey."""
    export.use_house_style()
    fig, ax = plt.subplots(figsize=(export.FIGURE_WIDTH_IN, 4.2))
    shares = series.dropna(subset=["women_share_pct"])
    for country, rows in shares.groupby("country"):
        if country not in focus:
            ax.plot(rows["year"], rows["women_share_pct"], color=export.MUTED, linewidth=0.8, alpha=0.6)
    for colour, country in zip(export.PALETTE, focus):
        rows = shares[shares["country"] == country]
        ax.plot(rows["year"], rows["women_share_pct"], color=colour, linewidth=2.2, marker="o", markersize=3,
                label=rows["country_name"].iloc[0] if len(rows) else country)
    ax.plot([], [], color=export.MUTED, linewidth=0.8, label="Other Latin American and Caribbean countries")
    ax.set_title(f"Women as a share of people held in prison, {first_year}–{int(shares['year'].max())}")
    ax.set_ylabel("Women, % of all persons held")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", ncols=2)
    fig.subplots_adjust(bottom=0.16)
    return fig


def comparability(focus: list[str], path=None) -> pd.DataFrame:
    """Definitions behind each focus country's numbers, one row per aspect and country, from a reviewed CSV
    (default data/regional/comparability.csv). Fails if a focus country lacks an aspect the others have."""
    from pipeline.errors import PipelineError

    path = path or paths.DATA / "regional" / "comparability.csv"
    columns = ["aspect", "country", "definition", "source", "note"]
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != columns:
        raise PipelineError(f"columns are {list(table.columns)}", file=path, fix=f"use exactly {columns}")
    table = table[table["country"].isin(focus)]
    expected = pd.MultiIndex.from_product([sorted(set(table["aspect"])), sorted(focus)])
    missing = expected.difference(pd.MultiIndex.from_frame(table[["aspect", "country"]]))
    if len(missing) or table.duplicated(["aspect", "country"]).any() or (table[["definition", "source"]] == "").any().any():
        raise PipelineError(f"each focus country needs one non-empty row per aspect (missing: {list(missing)})",
                            file=path, fix="add the missing definitions, with their source, or remove the duplicate")
    return table.sort_values(["aspect", "country"]).reset_index(drop=True)
