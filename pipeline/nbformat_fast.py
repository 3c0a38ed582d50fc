"""nbformat without the grammars it never uses. Imported before nbformat (or anything that imports it: nbconvert,
nbclient, papermill, jsonschema) by every process that reads or runs notebooks: the notebook stages (pipeline.run)
and pytest, whose nbval plugin imports nbformat as pytest starts (pyproject.toml's addopts load this module first,
`-p pipeline.nbformat_fast`).

nbformat imports jsonschema, whose optional `iri` format checker imports rfc3987_syntax, and that module compiles
about 35 Earley grammars when it is imported: 1.8 s of every notebook stage and 2.3 s of every pytest process (each
xdist worker too), for a checker nothing here uses (nbformat validates notebooks without a format checker; upstream:
python-jsonschema/jsonschema#1428). A None in sys.modules is Python's way of saying a module is absent, and
jsonschema registers that optional checker only when its module imports, as it does when the package is not
installed. tests/test_run.py checks both facts, and that pytest's own process keeps the module out.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
