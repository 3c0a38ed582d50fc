"""The claims check: every number the manuscript states about these data, tested against the long table
(build.py), and every number printed in the manuscript found by rule (manuscript.py). It has no notebook."""
