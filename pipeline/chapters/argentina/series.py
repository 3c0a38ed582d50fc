"""The series of the Argentina chapter's figures (fig-10, fig-11): the build labels every row of its women-held table
with one, and the charts draw each in its own colour, marker and line."""

UNODC_SERIES = "UNODC CTS"  # UNODC's 'Persons held', fed by SNEEP
CITED_SERIES = "SNEEP as cited by the briefing"  # SNEEP's counts known here only as the briefing cites them
MICRODATA_SERIES = "SNEEP microdata"  # counted from the census files a user added
