"""The README's documented experiment, typed in a fresh shell: `python` is not the venv's (here there is no
`python` on PATH at all), no venv is activated. Every stage command runs `bin/python`, which finds the checkout's
.venv, also inside the temporary copy `dvc exp run --temp` makes. The two commands are read from the README and run
as written, in a built copy of the project; `dvc exp diff` must give the README's table of metrics."""

from __future__ import annotations

import re

import pytest
from system import built_copy

from pipeline import paths

SECTION = "### One documented experiment"


def readme_experiment() -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The commands of the section's bash block, and its table: metric -> (keep, exclude, change)."""
    text = paths.README.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ")]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [line.strip() for line in block.splitlines() if line.strip()]
    table = {row[0].strip("` "): tuple(cell.strip() for cell in row[1:4])
             for row in (line.strip("|").split("|") for line in section.splitlines() if line.startswith("| `"))}
    return commands, {re.sub(r"\s*\(.*\)$", "", name).strip("` "): values for name, values in table.items()}


def test_the_readme_documents_two_commands_and_four_metrics():
    commands, table = readme_experiment()
    assert commands == [".venv/bin/dvc exp run --temp -n outliers-kept -S brazil.outlier_treatment=keep",
                        ".venv/bin/dvc exp diff outliers-kept"]
    assert table == {"sisdepen-men-drug-law-share-pct-2019-12": ("19.1", "28.7", "9.6"),
                     "sisdepen-women-drug-law-share-pct-2019-12": ("50.5", "57.0", "6.5"),
                     "sisdepen-men-drug-law-share-pct": ("28.4", "30.4", "2.0"),
                     "sisdepen-women-drug-law-share-pct": ("55.9", "56.9", "1.0")}
    for name in table:
        assert (paths.METRICS / f"{name}.json").is_file(), name


@pytest.mark.e2e
def test_the_readme_experiment_runs_from_a_shell_without_the_venv(tmp_path):
    copy = built_copy.make(tmp_path / "repo")
    env = built_copy.plain_environment()
    (run_command, diff_command), table = readme_experiment()

    ran = built_copy.run(run_command, copy, env)
    assert ran.returncode == 0, ran.stdout[-4000:]
    assert "ModuleNotFoundError" not in ran.stdout and "command not found" not in ran.stdout
    assert "Running stage 'brazil'" in ran.stdout

    diff = built_copy.run(diff_command, copy, env)
    assert diff.returncode == 0, diff.stdout[-4000:]
    header, rows = None, {}
    for line in diff.stdout.splitlines():
        cells = line.split()
        if cells[:2] == ["Path", "Metric"]:
            header = cells  # Path, Metric, the experiment, the workspace, Change (workspace minus experiment)
        elif len(cells) == 5 and cells[0].startswith("reports/metrics/"):
            rows[cells[0].removeprefix("reports/metrics/").removesuffix(".json"), cells[1]] = cells[2:]
    assert header == ["Path", "Metric", "outliers-kept", "workspace", "Change"], diff.stdout
    assert {name for name, _ in rows} == set(table)  # the four metrics of the README, no other
    for name, (keep, exclude, change) in table.items():
        assert [float(number) for number in rows[name, "BRA"]] == [float(keep), float(exclude), float(change)], name
    # The experiment ran in a temporary copy: the project's own outputs did not change.
    assert built_copy.git("status", "--porcelain", "--", "reports", "figures", "data/processed", "dvc.lock",
                          cwd=copy) == ""
