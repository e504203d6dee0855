"""Smaller gaps an attacker found, each through the real CLI: ``.env`` interpolation bounded in
expanded size and depth, numeric options and variables that are not sane numbers, and a
descriptor file whose name is not UTF-8 under ``check --base``. Each is exit 2 with a message
(or a clean answer), never exit 3."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.helpers import REPO, assert_clean, commit_tree, depgraph

LANDSCAPE = REPO / "descriptors"


def test_env_variables_that_double_each_other_stop_at_the_expansion_limit(tmp_path):
    lines, previous = ["A=0123456789"], "A"
    for level in range(1, 12):  # under 0.5 KB that would expand to 10 * 8**11 characters
        lines.append(f"V{level}=" + "${%s}" % previous * 8)
        previous = f"V{level}"
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    (tmp_path / "compose.yaml").write_text(
        f"services:\n  web:\n    image: nginx\n    environment:\n      X: ${{{previous}}}\n")
    proc = depgraph("import", "compose", tmp_path, "-o", tmp_path / "out")
    assert_clean(proc, 2)
    assert ".env: variables expand to more than 4,000,000 characters" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_defaults_nested_thousands_deep_stop_at_the_depth_limit(tmp_path):
    value = "${A:-" * 5000 + "x" + "}" * 5000
    (tmp_path / "compose.yaml").write_text(
        f'services:\n  web:\n    image: nginx\n    environment:\n      X: "{value}"\n')
    proc = depgraph("import", "compose", tmp_path, "-o", tmp_path / "out")
    assert_clean(proc, 2)
    assert "compose.yaml: variables nest more than 32 deep" in proc.stderr


def test_env_variables_that_double_each_other_eleven_times_stop_at_the_expansion_limit(tmp_path):
    """Each variable twice the one before, from 4,000 characters: 8 MB at the eleventh."""
    lines = ["A=" + "x" * 4000] + [f"V{level}=" + "${%s}" % (f"V{level - 1}" if level > 1 else "A") * 2
                                    for level in range(1, 12)]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n    environment:\n      X: ${V11}\n")
    proc = depgraph("import", "compose", tmp_path, "-o", tmp_path / "out")
    assert_clean(proc, 2)
    assert f"{tmp_path / '.env'}: variables expand to more than 4,000,000 characters" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", [".env", "compose.yaml"])
def test_defaults_nested_a_hundred_thousand_deep_stop_at_the_depth_limit(tmp_path, where):
    value = "${A:-" * 100_000 + "x" + "}" * 100_000
    (tmp_path / ".env").write_text(f"DEEP={value}\n" if where == ".env" else "A=1\n")
    inline = "${DEEP}" if where == ".env" else value
    (tmp_path / "compose.yaml").write_text(
        f'services:\n  web:\n    image: nginx\n    environment:\n      X: "{inline}"\n')
    proc = depgraph("import", "compose", tmp_path, "-o", tmp_path / "out", timeout=60)
    assert_clean(proc, 2)
    assert f"{tmp_path / where}: variables nest more than 32 deep" in proc.stderr
    assert "RecursionError" not in proc.stderr and "MemoryError" not in proc.stderr


@pytest.mark.parametrize("args, env, named", [
    (["render", "-o", "OUT/x.svg"], {"DEPGRAPH_RENDER_TIMEOUT": "nan"}, "--timeout"),
    (["render", "--timeout", "1e400", "-o", "OUT/x.svg"], {}, "--timeout"),
    (["render", "--focus", "login", "--depth", str(10 ** 18)], {}, "--depth"),
    (["path", "--limit", "1e30", "login", "storage"], {}, "--limit"),
    (["path", "--limit", str(10 ** 30), "login", "storage"], {}, "--limit"),
    (["validate"], {"DEPGRAPH_MAX_ENTITIES": "-5"}, "--max-entities"),
    (["validate"], {"DEPGRAPH_MAX_DEPTH": "0"}, "--max-depth"),
    (["validate"], {"DEPGRAPH_MAX_FILE_BYTES": str(10 ** 30)}, "--max-file-bytes"),
    (["import", "backstage", REPO / "tests/fixtures/import/backstage", "-o", "OUT/imp"],
     {"DEPGRAPH_MAX_FILE_BYTES": "1e11"}, "--max-file-bytes"),
], ids=["timeout-nan", "timeout-1e400", "depth-10e18", "limit-1e30", "limit-10e30", "entities-negative",
        "depth-zero", "bytes-10e30", "import-bytes-1e11"])
def test_numbers_that_are_not_sane_are_usage_errors(tmp_path, args, env, named):
    args = [str(a).replace("OUT", str(tmp_path)) for a in args]
    if args[0] != "import":
        args = [args[0], "-d", str(LANDSCAPE), *args[1:]]
    proc = depgraph(*args, env=env)
    assert_clean(proc, 2)
    assert named in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_descriptor_file_name_that_is_not_utf8_under_check_base(tmp_path):
    work = tmp_path / "repo"
    shutil.copytree(LANDSCAPE, work / "descriptors")
    odd = os.path.join(os.fsencode(work / "descriptors" / "services"), b"caf\xe9.yaml")
    with open(odd, "wb") as handle:
        handle.write(b"kind: service\nname: odd-name\nowner: access-squad\n")
    commit_tree(work)
    for _ in range(2):  # computed, then (cache or not) again
        proc = depgraph("check", "--base", "HEAD", cwd=work, env={"DEPGRAPH_CACHE_DIR": str(tmp_path / "cache")})
        assert_clean(proc, 0)
        assert "identical" in proc.stdout


def _deep_folder(root, levels: int = 20) -> str:
    """Folders nested so deep that their path is longer than the system allows (PATH_MAX),
    made one level at a time relative to the last, with a descriptor at the bottom."""
    fd = os.open(root, os.O_RDONLY)
    name = "d" * 250
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        descriptor = os.open("deep.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(descriptor, b"kind: service\nname: deep\n")
        os.close(descriptor)
    finally:
        os.close(fd)
    return name


def test_a_folder_too_deep_to_read_is_an_error_not_silence(tmp_path):
    root = tmp_path / "descriptors"
    shutil.copytree(LANDSCAPE, root)
    _deep_folder(root / "services")
    proc = depgraph("validate", "-d", root)
    assert_clean(proc, 2)
    output = proc.stdout + proc.stderr
    assert "cannot read folder" in output and "its descriptors would be left out" in output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_an_error_not_silence(tmp_path):
    root = tmp_path / "descriptors"
    shutil.copytree(LANDSCAPE, root)
    locked = root / "services" / "identity"
    locked.chmod(0)
    try:
        proc = depgraph("validate", "-d", root)
    finally:
        locked.chmod(0o755)
    assert_clean(proc, 2)
    assert "services/identity/: error: cannot read folder: Permission denied" in proc.stdout + proc.stderr


def test_kubernetes_names_that_normalise_together_each_get_a_free_name(tmp_path):
    """``web`` in namespaces a and b become ``web.a`` and ``web.b``; a workload literally named
    ``web.a`` collides, and ``web.a-2`` is taken by a fourth: each still gets its own service,
    and the dependency stays with the workload that declares it."""
    docs = []
    for name, namespace, env in [("web.a", "default", "DB_HOST"), ("web.a-2", "default", ""),
                                 ("web", "a", ""), ("web", "b", ""), ("db", "default", "")]:
        variables = f", env: [{{name: {env}, value: db}}]" if env else ""
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
                    f"spec: {{template: {{metadata: {{labels: {{app: {name}}}}}, "
                    f"spec: {{containers: [{{name: c, image: x{variables}}}]}}}}}}\n")
    docs.append("apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: default}\nspec: {selector: {app: db}}\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "all.yaml").write_text("---\n".join(docs))
    proc = depgraph("import", "k8s", tmp_path / "k8s", "-o", tmp_path / "out")
    assert_clean(proc, 0)
    assert "both become 'web.a'; the second was written as 'web.a-3'" in proc.stderr
    written = {p.stem: p.read_text() for p in (tmp_path / "out" / "services").glob("*.yaml")}
    assert sorted(written) == ["db", "web.a", "web.a-2", "web.a-3", "web.b"]
    assert [stem for stem, text in written.items() if "service: db" in text] == ["web.a-3"]
    assert "namespace: default" in written["web.a-3"] and "namespace: a" in written["web.a"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_sarif_names_a_file_under_a_symlinked_folder_by_its_repository_path(tmp_path):
    """Every format names a descriptor by the path it was found at; SARIF too, not by the real
    path on the runner (which code scanning could not place in the repository)."""
    work = tmp_path / "repo"
    shutil.copytree(LANDSCAPE, work / "descriptors")
    (work / "shared").mkdir()
    (work / "shared" / "orphan.yaml").write_text("kind: service\nname: orphan\n")  # unowned: an error
    (work / "descriptors" / "linked").symlink_to("../shared")
    commit_tree(work)
    sarif = json.loads(depgraph("check", "--format", "sarif", cwd=work).stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"] if r["properties"]["subject"] == "service:orphan"}
    assert uris == {"descriptors/linked/orphan.yaml"}
    text = depgraph("check", cwd=work).stdout
    assert "descriptors/linked/orphan.yaml" in text
