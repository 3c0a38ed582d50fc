"""Brazil chapter (SISDEPEN): people in cells, under electronic monitoring and in home detention, drug-law
offence incidences. build.py computes; plausibility.py (plausibility rules), reconcile.py (against SENAPPEN's published
figures) and claim.py (the monitoring-growth claim) are its helpers; charts.py draws fig-20 to fig-22."""
