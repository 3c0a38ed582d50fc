"""Briefing pipeline: official prison statistics from Latin America turned into the briefing's figures and tables.

Each module has one job: ``sources/`` turns one publisher's raw files into the common long table,
``fetch`` brings the raw files in with their provenance, ``run`` executes notebooks, ``export`` saves
figures and tables, ``longtable`` defines and validates the shape every source produces.
"""

import os

# pyarrow allocates from the C library's malloc in every process of the pipeline (the stages, their pool workers, the
# notebook kernels, which inherit the variable), unless the user sets ARROW_DEFAULT_MEMORY_POOL. The wheels' default
# allocator, mimalloc, made reading SISDEPEN's cached Parquet tables 8x slower on the benchmark machine (a rerun of
# the ingest from the cache: 3.0 s with mimalloc, 0.37 s with malloc or jemalloc; the SNEEP load, already on malloc,
# is unchanged). pyarrow reads the variable when it is imported, hence here, before any module of the pipeline
# imports it; a process that imported pyarrow before the pipeline (an interactive notebook) keeps its default.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
