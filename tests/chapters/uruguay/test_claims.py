"""The briefing's Uruguay claims (pipeline/chapters/uruguay/claims.py): which published figures can speak to the
claim of falling drug detentions — drug-enforcement flows dated inside its window, nothing else."""

from __future__ import annotations

import pandas as pd

from pipeline.chapters.uruguay import claims


def test_only_drug_enforcement_flows_inside_the_window_are_named():
    registry = pd.DataFrame({"figure_id": ["ury-1", "ury-2", "ury-3", "ury-4"],
                             "indicator": ["persons_prosecuted_drug_offences", "persons_prosecuted_drug_offences",
                                           "persons_held", "drug_sale_points_dismantled_proceedings"],
                             "period": ["2015", "2020", "2015", "2013/2016"]})
    found = claims._drug_figures_in_window(registry, 2012, 2018)
    assert found["figure_id"].tolist() == ["ury-1", "ury-4"]
    assert claims._drug_figures_in_window(registry.iloc[1:3], 2012, 2018).empty


def test_unodcs_change_spans_the_window_and_says_where_the_law_falls():
    """From the year before the claim's window to its last year UNODC counts; a law of July 2020 falls inside
    2019-2020, after 2017-2018, before 2021-2022."""
    series = pd.DataFrame({"reference": "unodc_prisons", "sex": "female",
                           "period": ["2016", "2017", "2018", "2019", "2020", "2021", "2022"],
                           "persons": [400, 420, 440, 500, 600, 700, 720]})
    assert claims._unodc_women_change(series, 2020, 2021, "2020-07") == \
        "UNODC women held 2019: 500 -> 2021: 700 (+40.0%, partly before the law)"
    assert claims._unodc_women_change(series, 2017, 2018, "2020-07").endswith("(+10.0%, before the law)")
    assert claims._unodc_women_change(series, 2022, 2023, "2020-07") == \
        "UNODC women held 2021: 700 -> 2022: 720 (+2.9%, after the law)"
    assert claims._unodc_women_change(series, 2016, 2016, "2020-07") == ""  # no year before the window
    assert claims._unodc_last_year(series) == "2022" and claims._unodc_last_year(series.iloc[0:0]) == "no year"


def test_a_tolerance_of_one_point_is_singular():
    assert (claims._points(1.0), claims._points(2.5), claims._points(0.5)) == (
        "1 percentage point", "2.5 percentage points", "0.5 percentage points")
