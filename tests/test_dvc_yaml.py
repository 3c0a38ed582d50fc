"""dvc.yaml is generated (pipeline/dvc_yaml.py) from the stages and the registry: the committed file is the generated
one, every stage follows the naming rule, declares the sections of params.yaml its settings models describe, and
depends on the list of the pipeline modules it runs (the `code` stage's); data/sources.yaml is a file the fetch
stages depend on, never a params file."""

from __future__ import annotations

import re

from pipeline import dvc_yaml, paths, registry, settings
from pipeline.code_inputs import closure

RULE = re.compile(r"^(code|fetch|fetch_manual|ingest_[a-z_]+|indicators|codebook|claims|report|profiles|"
                  r"profiles_notebook|datapackage|values|"
                  rf"({'|'.join(registry.CHAPTERS)})(_figures|_notebook)?)$")


def test_the_committed_dvc_yaml_is_the_generated_one():
    assert paths.DVC_YAML.read_text(encoding="utf-8") == dvc_yaml.text(), "run `make dvc-yaml` and commit dvc.yaml"


def test_every_stage_follows_the_naming_rule_and_every_chapter_has_its_three_stages():
    stages = dvc_yaml.stages()
    assert all(RULE.match(name) for name in stages), [name for name in stages if not RULE.match(name)]
    for chapter in registry.CHAPTERS:
        assert {chapter, f"{chapter}_figures", f"{chapter}_notebook"} <= set(stages)
        assert stages[chapter]["cmd"] == f"bin/python -m pipeline.chapters.{chapter}"


def test_each_stage_declares_the_sections_of_its_settings_models():
    stages = dvc_yaml.stages()
    for stage in dvc_yaml.definitions():
        declared = stages[stage.name].get("params", [])
        if len(stage.settings) == len(settings.SECTIONS):
            assert declared == [{"params.yaml": None}], stage.name  # the whole file: the briefing states it all
        else:
            assert declared == [model.SECTION for model in stage.settings], stage.name


def test_sources_yaml_is_a_file_the_fetch_stages_depend_on_not_a_params_file():
    text = paths.DVC_YAML.read_text(encoding="utf-8")
    assert "data/sources.yaml:" not in text  # never `params: - data/sources.yaml: ...`
    for name in ("fetch", "fetch_manual"):
        stage = dvc_yaml.stages()[name]
        assert "data/sources.yaml" in stage.get("do", stage)["deps"]


def test_one_fetch_stage_brings_every_pinned_source_and_outputs_each_raw_folder():
    """The merged `fetch` stage: every source of data/sources.yaml that is not downloaded by hand, named in its
    command and each data/raw/<source>/ its own (persisted) output; the hand-kept ones keep a stage each."""
    from pipeline import fetch

    sources = fetch.registry()
    pinned = [name for name, source in sources.items() if not source.get("manual_download")]
    stage = dvc_yaml.stages()["fetch"]
    assert stage["cmd"] == "bin/python -m pipeline.fetch " + " ".join(pinned)
    assert stage["outs"] == [{f"data/raw/{name}": {"persist": True}} for name in pinned]
    assert dvc_yaml.stages()["fetch_manual"]["foreach"] == [n for n in sources if sources[n].get("manual_download")]


def test_a_stage_depends_on_the_list_of_every_module_it_imports_and_no_stage_on_a_module():
    stages = dvc_yaml.stages()
    assert stages["brazil"]["deps"][0] == "data/interim/code/brazil.md5"
    code = closure.code_files(*dvc_yaml.code_entries()["brazil"])
    for module in ("pipeline/chapters/brazil/build.py", "pipeline/chapters/brazil/plausibility.py",
                   "pipeline/chapters/brazil/claim.py", "pipeline/chapters/brazil/reconcile.py",
                   "pipeline/registry.py", "pipeline/settings.py"):
        assert module in code
    assert not any(name.startswith("pipeline/chapters/uruguay") for name in code)
    notebook = closure.modules("notebooks/regional.ipynb")  # a notebook: the imports of its code cells
    assert notebook[0] == "notebooks/regional.ipynb" and "pipeline/chapters/regional/notes.py" in notebook
    # A notebook stage depends on its list and on the notebook itself.
    assert stages["regional_notebook"]["deps"][:2] == ["data/interim/code/regional_notebook.md5",
                                                        "notebooks/regional.ipynb"]
    # Only `code` reads the pipeline folder (and every notebook), and writes the lists every other stage reads.
    assert stages["code"]["deps"] == ["pipeline", *sorted(paths.relative(p) for p in paths.NOTEBOOKS.glob("*.ipynb"))]
    for name, body in stages.items():
        deps = body.get("do", body)["deps"]
        assert not any(dep.startswith("pipeline/") and dep.endswith(".py") for dep in deps), name
        if name != "code":
            assert deps[0] == f"data/interim/code/{name}.md5", name
    # What the stage reads, each module named: its deps with the list replaced by the modules it lists.
    inputs = dvc_yaml.stage_inputs("regional_notebook")
    assert "notebooks/regional.ipynb" in inputs and "pipeline/chapters/regional/notes.py" in inputs
    assert not any(name.startswith("data/interim/code/") for name in inputs) and inputs == sorted(set(inputs))


def test_the_code_stage_lists_each_module_with_its_md5_as_md5sum_writes_it():
    import subprocess

    text = closure.listing(*dvc_yaml.code_entries()["brazil_notebook"])
    lines = text.splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == closure.code_files("pipeline.run",
                                                                                   "notebooks/brazil_sisdepen.ipynb")
    assert "pipeline/run.py" in text and "notebooks/" not in text  # the notebook is a dependency of its own
    checked = subprocess.run(["md5sum", "--check", "--quiet", "-"], input=text, cwd=paths.ROOT, text=True,
                             capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_figures_and_tables_of_the_registry_are_outputs_of_their_chapters_stages():
    stages = dvc_yaml.stages()
    outputs = {name: [next(iter(out)) for out in body.get("outs", [])] for name, body in stages.items()}
    for figure in registry.FIGURES:
        assert f"figures/es/{figure.id}.png" in outputs[f"{figure.chapter}_figures"]
    for table in registry.TABLES:
        assert f"reports/tables/{table.id}.md" in outputs[table.chapter]


def test_dvc_lock_records_only_the_stages_dvc_yaml_defines():
    assert dvc_yaml.stale_lock_entries() == [], "run `make dvc-yaml` and commit dvc.lock"


def test_make_dvc_yaml_drops_the_record_of_a_stage_no_longer_defined_and_keeps_every_other_line(tmp_path):
    lock = tmp_path / "dvc.lock"
    committed = paths.DVC_LOCK.read_text(encoding="utf-8")
    old_record = ("  fetch@unodc_prisons:\n    cmd: bin/python -m pipeline.fetch unodc_prisons\n    outs:\n"
                  "    - path: data/raw/unodc_prisons\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef.dir\n")
    lock.write_text(committed.replace("stages:\n", "stages:\n" + old_record, 1), encoding="utf-8")
    assert dvc_yaml.stale_lock_entries(lock) == ["fetch@unodc_prisons"]
    assert dvc_yaml.prune_lock(lock) == ["fetch@unodc_prisons"]
    assert lock.read_text(encoding="utf-8") == committed
    assert dvc_yaml.prune_lock(lock) == []
