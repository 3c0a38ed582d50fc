"""Uruguay chapter (UNODC, the drug observatory, published figures): women and men in prison around the LUC, women's
share of drug-offence cases by stage, the briefing's three claims. build.py computes, claims.py judges the claims,
charts.py draws fig-30 and fig-31."""
