"""The Uruguay chapter's statements about its data (pipeline/chapters/uruguay/notes.py), written from the build's
tables: a new UNODC drug-crimes file or observatory row changes them, where the notebook's text once said "women are
about one in five people for trafficking" and "the annex's two sheets disagree for 2020" whatever the data."""

from __future__ import annotations

import pandas as pd

from pipeline.chapters import interim
from pipeline.chapters.uruguay import notes
from pipeline.chapters.uruguay.claims import POLICE_STAGE


def test_the_notes_on_the_pinned_sources():
    tables = interim.read_all("uruguay")
    # Formal contact for trafficking: 636 of 2,940 in 2018, 18 of 108 in 2020, 1,073 of 4,673 in 2021. In 2018 and
    # 2021 no other type has anyone (2021's possession and other are 0, tab-32); in 2020 trafficking's 108 is one of
    # three types (1,147 people of known sex): a reviewer read 16.7% against 23.0% as a rise in women's share.
    assert notes.stages(tables["drug_share_by_stage"]) == (
        "At the police stage (UNODC formal contact) women are between 16.7% (2020) and 23.0% (2021) of the people of "
        "known sex in contact for trafficking, in the 3 years with that count (2018, 2020 and 2021), but trafficking "
        "is the only offence type with anyone counted in 2018 and 2021 and one of 3 in 2020, so these counts may not "
        "be of the same offences (table 32 of the briefing, offence_types_change); at the "
        "prosecution stage the figures are the shares of 2010 and 2021 that the briefing quotes from Observatorio "
        "Uruguayo de Drogas (hollow); and 24.5% for January–November 2015, independent of the briefing (Sudamérica "
        "Hoy (EFE wire), 2016-01-04).")
    # 'Sheet1' 4,675 against 'Formal contact' 1,156 in 2020 (4.04 times); 2,967 against 2,968 in 2022.
    assert notes.table_10_1_findings(tables["data_quality"]) == (
        "The offence types Uruguay reports change in 2020, 2021 and 2022 (against the year it reported before); the "
        "annex's two sheets disagree in 2020 and 2022, most in 2020, where its pivot ('Sheet1') gives 4,675 people "
        "(all types) and the 'Formal contact' sheet 1,156: the pivot 4.0 times as many; and a later stage counts more "
        "people than formal contact (ury-051: 518 (female, persons_charged_drug_offences) in 2020, more than the 243 "
        "in formal contact ('Formal contact' sheet, all types)). Every finding is in the table below.")


def _stages(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["stage", "period", "offence_scope", "women_share_pct", "source", "independent"])


def test_the_notes_follow_other_data():
    """One year of formal contact, no figure the briefing quotes; then no formal contact for trafficking at all."""
    shares = _stages((POLICE_STAGE, "2023", "trafficking", 18.25, "UNODC", True),
                     (POLICE_STAGE, "2023", "possession", 30.0, "UNODC", True),
                     ("prosecution", "2024-03", "all drug offences", 21.0, "Fiscalía", True))
    assert notes.stages(shares) == (
        "At the police stage (UNODC formal contact) women are 18.3% (2023) of the people of known sex in contact for "
        "trafficking, in the only year with that count (2023); at the prosecution stage the figures are 21.0% for "
        "March 2024, independent of the briefing (Fiscalía).")
    assert notes.stages(shares.iloc[1:]).startswith(
        "UNODC's table 10.1 counts no one in formal contact with the police for trafficking by sex; at the "
        "prosecution stage")


def test_trafficking_counted_alone_in_one_year_and_beside_other_types_in_another_is_said():
    shares = _stages((POLICE_STAGE, "2023", "trafficking", 20.0, "UNODC", True),
                     (POLICE_STAGE, "2024", "trafficking", 10.0, "UNODC", True),
                     (POLICE_STAGE, "2024", "possession", 30.0, "UNODC", True),
                     (POLICE_STAGE, "2024", "all types reported", 25.0, "UNODC", True))
    assert notes.stages(shares) == (
        "At the police stage (UNODC formal contact) women are between 10.0% (2024) and 20.0% (2023) of the people of "
        "known sex in contact for trafficking, in the 2 years with that count (2023 and 2024), but trafficking is the "
        "only offence type with anyone counted in 2023 and one of 2 in 2024, so these counts may not be of the same "
        "offences (table 32 of the briefing, offence_types_change).")
    assert notes.stages(shares[shares["period"] == "2024"]).endswith("(2024).")  # one year: nothing to compare


def test_the_findings_follow_other_data():
    """The widest disagreement of the sheets is the one furthest from 1 either way; no findings say so."""
    quality = pd.DataFrame([
        {"year": 2023, "offence_type": "all", "check": "sheets_disagree", "formal_contact": 1000.0, "sheet1": 300.0},
        {"year": 2024, "offence_type": "all", "check": "sheets_disagree", "formal_contact": 1000.0, "sheet1": 2000.0},
        {"year": 2024, "offence_type": "possession", "check": "sheets_disagree", "formal_contact": 10.0,
         "sheet1": 90.0},
    ]).assign(detail="")
    assert notes.table_10_1_findings(quality) == (
        "The annex's two sheets disagree in 2023 and 2024, most in 2023, where its pivot ('Sheet1') gives 300 people "
        "(all types) and the 'Formal contact' sheet 1,000: the 'Formal contact' sheet 3.3 times as many. Every "
        "finding is in the table below.")
    assert notes.table_10_1_findings(quality.iloc[0:0]) == (
        "The checks find nothing to say about UNODC table 10.1 for Uruguay.")
