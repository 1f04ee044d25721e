"""The CI workflow: triggers on the right paths, installs as the README says, reports, shares."""

import re

import yaml

from .conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "editions.yml"


def load():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data, data[True] if True in data else data["on"]  # YAML 1.1 reads the key `on` as true


def test_triggers_on_changes_to_text_references_styles_and_code():
    _, triggers = load()
    for event in ("push", "pull_request"):
        paths = triggers[event]["paths"]
        for folder in ("manuscripts/**", "bibliography/**", "styles/**", "pipeline/**"):
            assert folder in paths


def test_steps_install_as_the_readme_says_report_and_upload():
    data, _ = load()
    steps = data["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up and build", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    install = setup.strip().splitlines()[0].split("#")[0].strip()
    assert any(run.splitlines()[:1] == [install] for run in runs if run)
    assert any("make-book refs" in r and "GITHUB_STEP_SUMMARY" in r for r in runs)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "dist/*.pdf" in upload["with"]["path"] and "dist/*.epub" in upload["with"]["path"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"


def test_pages_only_from_the_default_branch_and_actions_pinned():
    data, _ = load()
    publish = data["jobs"]["publish"]
    assert "default_branch" in publish["if"] and publish["needs"] == "build"
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [s["uses"] for job in data["jobs"].values() for s in job["steps"] if "uses" in s]
    assert uses and all(re.search(r"@(v\d+\.\d+\.\d+|[0-9a-f]{40})$", u) for u in uses), uses
