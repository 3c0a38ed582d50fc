"""The briefing's three claims about Uruguay, each judged against the data: supported, contradicted or
not checkable — with the evidence used and the reason in words.

A figure counts as evidence only if it is independent of the claim: observatory figures quoted by the
briefing itself (template column `quoted_in`) state the claim, they cannot confirm it. The judgement
reads the template, the registry and UNODC at run time, so a new observatory row can change a verdict.
"""

from __future__ import annotations

import pandas as pd

from pipeline.rounding import fixed, signed
from pipeline.sources import published

COLUMNS = ["claim_id", "claim", "status", "evidence", "reason"]
PROSECUTION_SHARE = "women_share_of_persons_prosecuted_drug_offences"
DETENTIONS = "persons_detained_drug_offences"
POLICE_STAGE = "formal contact (police)"  # the stage of UNODC table 10.1's people in formal contact with the police
# Published indicators that count people or actions at the police and court stages (not stocks of prisoners).
JUSTICE_FLOWS = r"prosecut|charged|convicted|detain|proceedings|sale_points"


def assess(inputs, tables: dict[str, pd.DataFrame], settings) -> pd.DataFrame:
    rows = [_prosecution_share(inputs, tables, settings), _detentions_decline(inputs, settings),
            _rise_after_luc(inputs, tables, settings)]
    return pd.DataFrame(rows, columns=COLUMNS)


def _prosecution_share(inputs, tables, settings) -> dict:
    claim = {"claim_id": "1_prosecution_share",
             "claim": "Women's share of people prosecuted for drug offences fell between 2010 and 2021 "
                      "(30% to 20%, per the drug observatory)"}
    shares = inputs.observatory[(inputs.observatory["indicator"] == PROSECUTION_SHARE)
                                & (inputs.observatory["sex"] == "female")]
    quoted, read = shares[shares["quoted_in"] != ""], shares[shares["quoted_in"] == ""]
    if len(quoted) < 2:
        return claim | {"status": "not checkable", "evidence": "",
                        "reason": "the claimed start and end shares are not in the observatory template"}
    start, end = quoted.sort_values("period").iloc[0], quoted.sort_values("period").iloc[-1]
    checked = read.set_index("period")["value"]
    if start["period"] in checked.index and end["period"] in checked.index:
        gaps = {p: checked[p] - v for p, v in ((start["period"], start["value"]), (end["period"], end["value"]))}
        within = all(abs(g) <= settings.share_tolerance_pp for g in gaps.values())
        detail = "; ".join(f"{p}: {checked[p]:g}% read in the report vs {checked[p] - g:g}% claimed"
                           for p, g in gaps.items())
        return claim | {"status": "supported" if within else "contradicted", "evidence": f"oud: {detail}",
                        "reason": f"{detail} (tolerance {_points(settings.share_tolerance_pp)})"}
    stages = tables["drug_share_by_stage"]
    independent = stages[(stages["stage"] == "prosecution") & stages["independent"]]
    lo, hi = sorted([start["value"], end["value"]])
    between = [f"{r.reference} ({r.period}: {r.women_share_pct:g}%, "
               f"{'between' if lo <= r.women_share_pct <= hi else 'outside'} the two)" for r in independent.itertuples()]
    contact = stages[stages["stage"] == POLICE_STAGE]
    reason = (f"the {start['period']} and {end['period']} shares ({start['value']:g}% and {end['value']:g}%) exist "
              f"here only as quoted in {start['quoted_in']}; the observatory report was not available to check "
              "them. ")
    if between:
        reason += "Independent figures at the same stage: " + "; ".join(between) + \
                  ": consistent with a fall, not a test of it. "
    if len(contact):
        reason += (f"A different stage, police formal contact (UNODC 10.1), shows women at "
                   f"{fixed(contact['women_share_pct'].min(), 1)}-{fixed(contact['women_share_pct'].max(), 1)}% in "
                   f"{contact['period'].min()}-{contact['period'].max()}.")
    return claim | {"status": "not checkable", "evidence": ";".join(independent["reference"]), "reason": reason.strip()}


def _detentions_decline(inputs, settings) -> dict:
    first, last = settings.detention_claim_years
    claim = {"claim_id": "2_detentions_decline",
             "claim": f"Drug-related detentions declined steadily from {first} to {last} (drug observatory)"}
    series = inputs.observatory[(inputs.observatory["indicator"] == DETENTIONS)
                                & (inputs.observatory["sex"] == "total") & (inputs.observatory["quoted_in"] == "")
                                & inputs.observatory["period"].str.fullmatch(r"\d{4}")]
    series = series.assign(year=series["period"].astype(int)).query("@first <= year <= @last") \
        .set_index("year")["value"].sort_index()
    if len(series) >= 2 and series.index.min() == first and series.index.max() == last:
        rises = [f"{a}->{b}" for a, b in zip(series.index, series.index[1:]) if series[b] > series[a]]
        complete = len(series) == last - first + 1
        if rises or series.iloc[-1] >= series.iloc[0]:
            status, why = "contradicted", f"detentions rose in {', '.join(rises) or 'the period as a whole'}"
        elif complete:
            status, why = "supported", "detentions fell or held every year"
        else:
            status, why = "not checkable", "detentions fell overall, but years are missing to judge 'steady'"
        values = ", ".join(f"{y}: {v:g}" for y, v in series.items())
        return claim | {"status": status, "evidence": f"oud: {values}", "reason": f"{why} ({values})"}
    nearby = _drug_figures_in_window(inputs.registry, first, last)
    reason = (f"no series of drug-related detentions for {first}-{last} is available here (the briefing cites "
              "the observatory report without numbers, and the report is not among the project's source files).")
    if len(nearby):
        # One item per figure, codes and a number with its unit: data/translations.csv translates each item by its
        # unit (claims.uruguay.figure_*), so any figures the window takes read in every language.
        listed = "; ".join(f"{f.figure_id} {f.indicator} {f.period} = {f.value:,g} {f.unit}"
                           for f in nearby.itertuples())
        reason += (" Published figures in the window measure other things (prosecutions, sale points): "
                   f"{listed}. None of them is a count of detentions.")
    return claim | {"status": "not checkable", "evidence": ";".join(nearby["figure_id"]), "reason": reason}


def _rise_after_luc(inputs, tables, settings) -> dict:
    first, last = settings.luc_claim_years
    claim = {"claim_id": "3_rise_after_luc",
             "claim": f"Women's imprisonment rose sharply from {first} to {last}, after the urgent-consideration "
                      f"law (LUC, {settings.luc_month})"}
    changes = published.select(inputs.registry, indicator="change_in_persons_held")
    spans = changes["period"].str.split("/", expand=True)
    inside = changes[spans[0].str[:4].astype(int).ge(first) & spans[1].str[:4].astype(int).le(last)] \
        if len(changes) and spans.shape[1] == 2 else changes.iloc[0:0]
    women = inside[(inside["sex"] == "female")]
    decisive, decided_by, lines = [], [], []
    for w in women.itertuples():
        others = inside[(inside["period"] == w.period) & inside["sex"].isin(["total", "male"])]
        ratio = (w.value / others["value"].iloc[0]) if len(others) and others["value"].iloc[0] > 0 else None
        sharp = w.value >= settings.sharp_rise_min_pct and (ratio is None or ratio >= settings.sharp_rise_min_ratio)
        # The figure compared with is named: it may come from another source than the women's (ury-059 and ury-030).
        group = {"total": "total", "male": "men"}.get(others["sex"].iloc[0]) if len(others) else None
        compared = (f" vs {group} {others['value'].iloc[0]:+g}% in {others['figure_id'].iloc[0]} "
                    f"({fixed(ratio, 1)} times)") if ratio else ""
        lines.append(f"{w.figure_id} {w.period}: women {w.value:+g}%{compared}"
                     + (f" [{published.flag_words(w.flags)}]" if w.flags else ""))
        if not published._flag_set(w.flags) & published.KEEP_OUT_OF_LONG_TABLE:
            decisive.append(sharp)
            decided_by.append(w.figure_id)
    unodc = _unodc_women_change(tables["prison_series"], first, last, settings.luc_month)
    if not decisive:
        status, why = "not checkable", (f"no exact published change for {first}-{last}; UNODC's counts of women run "
                                      f"to {_unodc_last_year(tables['prison_series'])}")
    else:
        status = "supported" if any(decisive) else "contradicted"
        why = (f"a rise of at least {settings.sharp_rise_min_pct:g}% and {settings.sharp_rise_min_ratio:g} times "
               f"the total's rise counts as sharp, judged on {', '.join(decided_by)} (a figure whose flags keep it out "
               "of the long table, such as approximate, is shown, not counted)")
    reason = (f"{why}. Evidence: " + ("; ".join(lines + ([unodc] if unodc else [])) or "—")
              + ". The data show the size and timing of the rise, not that the LUC caused it; women held just "
                "before the law are listed in the prison table.")
    return claim | {"status": status, "evidence": ";".join(women["figure_id"]), "reason": reason}


def _points(value: float) -> str:
    """'1 percentage point', '2.5 percentage points'."""
    return f"{value:g} percentage point" + ("" if value == 1 else "s")


def _drug_figures_in_window(registry: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Published drug-enforcement flows dated inside the claim's window."""
    spans = registry["period"].str.split("/")
    start = spans.str[0].str[:4].astype(int)
    end = spans.str[-1].str[:4].astype(int)
    flows = registry["indicator"].str.contains(JUSTICE_FLOWS) & registry["indicator"].str.contains("drug")
    return registry[flows & (start >= first) & (end <= last)]


def _unodc_last_year(series: pd.DataFrame) -> str:
    """The last year of UNODC's counts of women in the prison series (as it is, not as the claim's window assumes)."""
    unodc = series[(series["reference"] == "unodc_prisons") & (series["sex"] == "female")]
    return str(unodc["period"].max()) if len(unodc) else "no year"


def _unodc_women_change(series: pd.DataFrame, first: int, last: int, luc_month: str) -> str:
    """UNODC's change in women held from the year before the claim's window to its last year within the window, and
    whether it lies before the law, after it, or partly before it (UNODC's yearly counts do not date the law)."""
    unodc = series[(series["reference"] == "unodc_prisons") & (series["sex"] == "female")].set_index("period")
    years = sorted(int(period) for period in unodc.index if str(period).isdigit())
    before, after = first - 1, min(last, years[-1]) if years else None
    if after is None or before not in years or after <= before:
        return ""
    a, b = unodc.at[str(before), "persons"], unodc.at[str(after), "persons"]
    law = int(luc_month[:4])
    when = "before the law" if after < law else "after the law" if before > law else "partly before the law"
    return f"UNODC women held {before}: {a:g} -> {after}: {b:g} ({signed(100 * (b / a - 1), 1)}%, {when})"