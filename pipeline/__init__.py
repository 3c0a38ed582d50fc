"""Briefing pipeline: official prison statistics from Latin America turned into the briefing's figures and tables.

Each module has one job: ``sources/`` turns one publisher's raw files into the common long table,
``fetch`` brings the raw files in with their provenance, ``run`` executes notebooks, ``export`` saves
figures and tables, ``longtable`` defines and validates the shape every source produces.
"""

from pipeline import interrupt as _interrupt
from pipeline import missing_libraries as _missing_libraries

if _interrupt.starting_as_command():  # Ctrl-C during the command's imports: one line, not a traceback
    _interrupt.install()
    _missing_libraries.install()  # nor a library this Python lacks
