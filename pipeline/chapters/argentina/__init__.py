"""Argentina chapter (SNEEP): women held, their share and growth, from UNODC and SNEEP's published figures, or from
SNEEP's microdata when a user adds it. build.py computes, microdata.py counts the census, charts.py draws fig-10
and fig-11."""
