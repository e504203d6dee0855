"""Outputs are replaced whole or not at all."""

from __future__ import annotations

import os

import pytest

from depgraph.output.atomic import OutputError, write_text


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out" / "report.md"
    write_text(target, "old")
    write_text(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(target.parent) == ["report.md"]


def test_refuses_to_overwrite_when_asked(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_text("mine")
    with pytest.raises(OutputError, match="already exists"):
        write_text(target, "theirs", overwrite=False)
    assert target.read_text() == "mine"


def test_failure_mid_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    write_text(target, "previous")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OutputError, match="No space left on device"):
        write_text(target, "half")
    assert target.read_text() == "previous"
    assert os.listdir(tmp_path) == ["report.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    with pytest.raises(OutputError, match="cannot write"):
        write_text(folder / "x", "data")
