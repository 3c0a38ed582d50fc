# Two commands on a fresh machine: `make repro` builds every output, `make test` proves it.
# Both create .venv when missing and install the locked dependencies (requirements.lock).

VENV := .venv
PYTHON ?= python3
# The Python .venv is made with: pyproject.toml's requires-python and environment.yml's (tests/test_setup.py)
PYTHON_VERSION := 3.11
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Committed pipeline outputs: a fresh `dvc repro` must leave them exactly as committed.
OUTPUTS := figures reports data/processed dvc.lock

.PHONY: help setup repro test test-fast lock lab bench browser readme dvc-yaml check-sources changes accept-verdicts test-e2e test-e2e-shared-rebuild test-e2e-built-checkout test-units test-bench

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

setup: $(VENV)/.installed ## Create .venv and install the project with the locked dependencies

# uv (pinned in the lock) installs the locked packages: it downloads them side by side and compiles them to bytecode
# on every core, 33 s on a fresh clone where pip took 80 s (pip fetches one package after another). Compiled up
# front, not on first import: where PYTHONDONTWRITEBYTECODE is set, an import caches nothing, and each process would
# compile pandas again. uv reads no pip configuration: where packages come only from an index set up for pip, uv
# fails and pip installs them.
UV_INSTALL := $(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python --compile-bytecode
$(VENV)/.installed: pyproject.toml requirements.lock
	@sh bin/make-venv $(PYTHON_VERSION) "$(PYTHON)" $(VENV)
	$(VENV)/bin/python -m pip install --quiet "$$(grep -E '^uv==' requirements.lock)"
	$(UV_INSTALL) -r requirements.lock || $(VENV)/bin/python -m pip install --quiet -r requirements.lock
	$(UV_INSTALL) --no-deps -e . || $(VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

# The build: DVC's stages, two at a time where they do not depend on each other, recorded by DVC's own code
# (pipeline/repro.py). It prints DVC's lines, without the "Use `dvc push` …" a plain `dvc repro` ends with (this
# project has no DVC remote: the sources come from their publishers).
DVC_REPRO := PYTHONUNBUFFERED=1 python -m pipeline.repro

# After every build, and after a failed one too, say what changed against the last commit (git-ignored report).
CHANGES_AFTER_BUILD := python -m pipeline.changes || echo "note: the changes report could not be written (see above)"
CHANGES_AFTER_FAILED_BUILD := python -m pipeline.changes --after-failed-build || \
	echo "note: the changes report could not be written (see above)"

repro: setup ## Fetch the sources and rebuild every figure, table and notebook (dvc repro, 2 stages at once); then what changed
	$(DVC_REPRO) || { status=$$?; $(CHANGES_AFTER_FAILED_BUILD); exit $$status; }
	@$(CHANGES_AFTER_BUILD)

browser: ## Install Debian's chromium for the browser test when it is missing (needs root)
	@command -v chromium >/dev/null 2>&1 || { test "$$(id -u)" = 0 && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "note: chromium is not installed and cannot be installed here; the browser test will skip (or fail in CI)"

# pytest-xdist: two workers, each test file (so each notebook's nbval cells, in order, in one kernel) on one worker,
# the files in the order tests/conftest.py sets (xdist would sort them by their number of tests).
XDIST := -n 2 --dist loadfile --no-loadscope-reorder

# The build first: a clean copy of this checkout (tracked and new files, no outputs, no fetched data) in a temporary
# folder, built by make repro's runner from the mirror. It is the one clean rebuild the end-to-end tests share
# (tests/system/faults/rebuild.py), and it gives this work tree the built files it lacks or holds with other bytes
# (outputs, data/raw, data/interim, DVC's cache), so a fresh clone is built once; then the outputs are checked
# against the last commit. The tests run as three pytest processes side by side, each one's output printed whole
# when it ends: the unit, fault and nbval tests (on two xdist workers), the end-to-end tests on the clean copy, and
# the end-to-end tests that copy this built checkout. The end-to-end sets are long chains of steps, one after
# another; the unit tests are many short ones, so they run at a lower priority (nice) and fill the cores the chains
# leave idle instead of stretching them (the unit tests read this work tree and write only to data/interim/logs,
# which no copy takes; tests/conftest.py fails a run that writes anything else of the project). The temporary
# folder is removed at the end.
test: setup browser ## Build a clean copy (make repro's runner) into this tree, check the committed outputs, run the tests and nbval (not test-bench)
	@rebuild="$$(mktemp -d "$${TMPDIR:-/tmp}/briefing-test-rebuild.XXXXXX")" && trap 'rm -rf "$$rebuild"' EXIT && \
	PYTHONPATH=tests python -m system.faults.rebuild "$$rebuild" && \
	{ changed="$$(git status --porcelain -- $(OUTPUTS))"; test -z "$$changed" || { echo "$$changed"; \
		echo "error: these outputs differ from what dvc repro builds — run make repro and commit them"; exit 1; }; } && \
	BRIEFING_TEST_REBUILD="$$rebuild" $(MAKE) --no-print-directory -j3 --output-sync=target \
		test-units test-e2e-shared-rebuild test-e2e-built-checkout

test-units:
	nice -n 10 python -m pytest $(XDIST) -m "not e2e"

# The end-to-end tests as two pytest processes side by side: the shared clean rebuild and the tests that use it, and
# the tests that copy this built checkout (the marks are set in tests/system/conftest.py). One process per set, not
# xdist: the shared rebuild must be made once, by the process that runs its tests (xdist's loadgroup does not keep a
# group on one worker with pytest 9).
test-e2e: setup ## The end-to-end tests only (needs a tree built by make repro)
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-e2e-shared-rebuild test-e2e-built-checkout

test-e2e-shared-rebuild test-e2e-built-checkout: test-e2e-%:
	python -m pytest tests/system -m "e2e and $(subst -,_,$*) and not bench_smoke"

# Not in make test (a smoke run of a developer's tool, about two CPU-minutes; its unit tests are): CI runs it after
# make test (.ci/run).
test-bench: setup ## The benchmarks' quick smoke run end to end (python -m bench --quick); run it when bench/ or what it calls changes
	python -m pytest tests/system/test_bench.py -m bench_smoke

test-fast: setup ## The inner loop: unit and fault tests on two workers; no rebuild, no e2e, no nbval (needs a built tree)
	python -m pytest tests $(XDIST) -m "not e2e" --deselect tests/system/test_bench.py

check-sources: setup ## Ask each source's URL if it still serves the pinned file (TIMEOUT=s, STRICT=1); not dvc repro
	python -m pipeline.check_sources$(if $(TIMEOUT), --timeout $(TIMEOUT))$(if $(filter 1 yes true,$(STRICT)), --strict)

changes: setup ## What changed against HEAD (BASE=rev, SNAPSHOT=dir): reports/changes.md and .html; not dvc repro
	python -m pipeline.changes$(if $(BASE), --base $(BASE))$(if $(SNAPSHOT), --snapshot $(SNAPSHOT))

accept-verdicts: setup ## Accept the claims' new verdicts after reading reports/changes.md (REASON="why", required)
	python -m pipeline.changes accept-verdicts --reason "$$REASON"

lock: setup ## Regenerate requirements.lock from pyproject.toml (after changing dependencies)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --quiet -o requirements.lock \
		--custom-compile-command "make lock   (uv pip compile pyproject.toml --extra dev, Python 3.11, x86_64 Linux)"

# JupyterLab's file browser starts at the project's root (notebooks/, reports/, figures/, params.yaml in reach); as
# root (a container) it needs --allow-root. A notebook run there writes no file: see README "Running a notebook".
lab: setup ## Open JupyterLab at the project's root; a notebook run there reads the builds and writes nothing
	jupyter lab --ServerApp.root_dir="$(CURDIR)"$(if $(filter 0,$(shell id -u)), --allow-root)

bench: setup ## Run the benchmarks (QUICK=1 for the small smoke sizes)
	python -m bench $(if $(QUICK),--quick,)

dvc-yaml: setup ## Regenerate dvc.yaml from the stages (pipeline/dvc_yaml.py) and the registry (pipeline/registry.py)
	python -m pipeline.dvc_yaml

readme: setup ## Redraw the pipeline diagram in README.md and docs/architecture.md from dvc.yaml
	python -m pipeline.readme
