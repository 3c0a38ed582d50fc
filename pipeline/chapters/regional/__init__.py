"""Regional chapter (UNODC): women held across Latin America and the Caribbean, the world, pre-trial detention by
sex, the Americas. build.py computes, charts.py draws fig-01, notes.py writes the notebook's findings in words."""
