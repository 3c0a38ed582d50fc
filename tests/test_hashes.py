"""Hashes computed the way DVC records them (pipeline/hashes.py): equal to dvc.lock's for a file and a folder."""

from __future__ import annotations

import yaml

from pipeline import hashes, paths


def test_a_file_and_a_folder_hash_as_dvc_lock_records_them():
    lock = yaml.safe_load(paths.DVC_LOCK.read_text(encoding="utf-8"))["stages"]["brazil"]
    recorded = {out["path"]: out["md5"] for out in lock["outs"]}
    for name in ("data/interim/brazil", "reports/tables/tab-20-brazil-monitoring-growth.csv"):
        assert hashes.dvc_md5(paths.ROOT / name) == recorded[name], name
    assert hashes.dvc_md5(paths.ROOT / "no such file") is None
