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
