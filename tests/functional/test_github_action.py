"""The GitHub Action (`action.yml`) and the example CI files in docs/examples/, checked offline:
against the schemas check-jsonschema ships, by zizmor's audits, and by running the action's
shell steps the way the runner does, on a real git repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tests.helpers import ROOT, tool
from tests.landscapes import BASE_TREE
from tests.helpers import GitRepo
from tests.landscapes import CYCLE

ACTION = ROOT / "action.yml"
EXAMPLES = ROOT / "docs" / "examples"
WORKFLOW, GITLAB_CI, PRE_COMMIT_CONFIG = (EXAMPLES / "depgraph.yml", EXAMPLES / "gitlab-ci.yml",
                                          EXAMPLES / "pre-commit-config.yaml")
ZIZMOR_POLICY = EXAMPLES / "zizmor.yml"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)


@pytest.mark.parametrize("schema, path", [
    ("vendor.github-actions", ACTION),
    ("vendor.github-workflows", WORKFLOW),
    ("vendor.gitlab-ci", GITLAB_CI),
])
def test_validates_against_the_schema_check_jsonschema_ships(schema, path):
    done = run(tool("check-jsonschema"), "--builtin-schema", schema, path)
    assert done.returncode == 0, done.stdout + done.stderr


def _zizmor(*args) -> list[dict]:
    done = run(tool("zizmor"), "--offline", "--format", "json", "--min-severity", "medium", *args)
    assert done.returncode in (0, 11, 12, 13, 14), done.stderr  # 1x: findings of some severity
    return json.loads(done.stdout)


def test_zizmor_finds_nothing_of_medium_or_high_severity():
    assert _zizmor(ACTION) == []
    # The example names depgraph's action by its release tag; every other action is pinned by SHA.
    assert _zizmor("--config", ZIZMOR_POLICY, WORKFLOW) == []


def test_zizmor_would_see_an_input_expanded_into_a_script(tmp_path):
    """The audit above really runs: an input spliced into a `run:` script is found."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    action["runs"]["steps"].append({"shell": "bash", "run": "echo ${{ inputs.descriptors }}"})
    (tmp_path / "action.yml").write_text(yaml.safe_dump(action), encoding="utf-8")
    assert {f["ident"] for f in _zizmor(tmp_path / "action.yml")} == {"template-injection"}


def test_inputs_reach_the_shell_only_through_env():
    steps = yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]
    scripts = [step["run"] for step in steps if "run" in step]
    assert scripts and not any("${{" in script for script in scripts)
    names = set(yaml.safe_load(ACTION.read_text(encoding="utf-8"))["inputs"])
    assert {"descriptors", "base", "policy", "fail"} <= names


def test_the_docs_show_the_example_files_as_they_are():
    check_md = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in (WORKFLOW, GITLAB_CI, PRE_COMMIT_CONFIG):
        block = f"```yaml\n{path.read_text(encoding='utf-8')}```"
        assert block in check_md, f"docs/check.md does not show {path.name} as it is"
    assert f"```yaml\n{GITLAB_CI.read_text(encoding='utf-8')}```" in readme
    assert f"```yaml\n{PRE_COMMIT_CONFIG.read_text(encoding='utf-8')}```" in readme
    uses = re.search(r"```yaml\n(- uses: depgraph/depgraph@v[\d.]+\n  with:\n    descriptors: \S+\n)```", check_md)
    assert uses and uses.group(0) in readme, "the three-line uses: form is missing"
    assert uses.group(1).splitlines()[0].strip() in WORKFLOW.read_text(encoding="utf-8")


def test_the_pre_commit_example_is_a_valid_config():
    done = run(tool("pre-commit"), "validate-config", PRE_COMMIT_CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr


# --- the action's shell steps, run as the runner runs them ---------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


class Runner:
    """Runs the ``run:`` steps of action.yml in order (``uses:`` steps and the install step are
    left out: depgraph is already installed beside this Python), with ``${{ … }}`` in ``env:``
    filled from a context, ``GITHUB_OUTPUT`` collected into ``steps.<id>.outputs``."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str], github: dict[str, str]):
        action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
        defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
        self.steps = action["runs"]["steps"]
        self.workspace, self.temp = workspace, temp
        self.context = {**{f"inputs.{k}": v for k, v in {**defaults, **inputs}.items()},
                        **{f"github.{k}": v for k, v in github.items()},
                        "runner.temp": str(temp), "runner.os": "Linux"}

    def run(self) -> tuple[int, str]:
        """The exit code of the first failing step (0 if none) and everything printed."""
        printed = ""
        for step in self.steps:
            if "run" not in step or step["name"] == "Install depgraph":
                continue
            output = self.temp / "github-output"
            output.write_text("")
            env = {**os.environ, "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(self.temp),
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                   **{k: EXPRESSION.sub(lambda m: self.context.get(m.group(1), ""), str(v))
                      for k, v in step.get("env", {}).items()}}
            done = run("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"],
                       cwd=self.workspace, env=env)
            printed += done.stdout + done.stderr
            for line in output.read_text().splitlines():
                key, _, value = line.partition("=")
                self.context[f"steps.{step.get('id')}.outputs.{key}"] = value
            if done.returncode:
                return done.returncode, printed
        return 0, printed

    def output(self, key: str) -> str:
        return self.context.get(f"steps.check.outputs.{key}", "")


@pytest.fixture
def pull_request(tmp_path):
    """A repository whose branch adds a hard cycle to what main has; origin/main is main."""
    tool("depgraph")
    repo = GitRepo(tmp_path / "repo")
    repo.write(BASE_TREE)
    repo.commit("base")
    repo.git("update-ref", "refs/remotes/origin/main", "main")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(CYCLE)
    repo.commit("cycle")
    (tmp_path / "temp").mkdir()
    return repo


def test_on_a_pull_request_the_new_cycle_blocks_with_sarif_and_an_annotation(pull_request, tmp_path):
    runner = Runner(pull_request.root, tmp_path / "temp", {}, {"base_ref": "main", "event.before": ""})
    code, printed = runner.run()
    assert code == 1 and runner.output("exit-code") == "1" and runner.output("sarif-written") == "true"
    log = json.loads(Path(runner.output("sarif-file")).read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results if r["properties"]["blocking"]] == ["hard-cycle"]
    assert any(r["baselineState"] == "unchanged" for r in results)  # there on main: old news
    line = pull_request.line_of("services/index.yaml", "- search")
    assert f"::error file=descriptors/services/index.yaml,line={line},title=depgraph hard-cycle::" in printed


def test_fail_false_reports_without_failing(pull_request, tmp_path):
    runner = Runner(pull_request.root, tmp_path / "temp", {"fail": "false"}, {"base_ref": "main"})
    code, printed = runner.run()
    assert code == 0 and runner.output("exit-code") == "1"
    assert "not failing, as asked" in printed


def test_on_a_push_the_commit_before_is_the_base(pull_request, tmp_path):
    before = pull_request.git("rev-parse", "HEAD~1")
    runner = Runner(pull_request.root, tmp_path / "temp", {}, {"base_ref": "", "event.before": before})
    assert runner.run()[0] == 1
    assert (tmp_path / "temp" / "depgraph-args").read_bytes().split(b"\0")[-3:-1] == [b"--base", before.encode()]
    # Pushing nothing new to the gate: the same tree before and after passes.
    runner = Runner(pull_request.root, tmp_path / "temp", {"base": "HEAD"}, {"event.before": before})
    assert runner.run()[0] == 0


def test_invalid_descriptors_fail_even_with_fail_false(pull_request, tmp_path):
    pull_request.write({"services/broken.yaml": "kind: service\nname: Broken\n"})
    runner = Runner(pull_request.root, tmp_path / "temp", {"fail": "false"}, {"base_ref": "main"})
    code, printed = runner.run()
    assert code == 2 and "descriptors/services/broken.yaml:2:" in printed
