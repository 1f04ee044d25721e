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
    assert uses and all(re.search(r"@[0-9a-f]{40}$", u) for u in uses), uses  # pinned by commit, not by tag


def test_least_privilege_and_no_persisted_token():
    data, _ = load()
    assert data["permissions"] == {}
    assert data["jobs"]["build"]["permissions"] == {"contents": "read"}
    checkout = [s for job in data["jobs"].values() for s in job["steps"] if s.get("uses", "").startswith(
        "actions/checkout@")]
    assert checkout and all(s["with"]["persist-credentials"] is False for s in checkout)


def test_zizmor_finds_nothing_even_pedantic():
    """zizmor (GitHub Actions static analysis), offline, with every audit and no threshold: zero findings."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    # Installed beside the interpreter running the tests (.venv/bin), which need not be on PATH.
    beside = Path(sys.executable).parent / "zizmor"
    zizmor = str(beside) if beside.is_file() else shutil.which("zizmor")
    assert zizmor, "zizmor is a test dependency: pip install -e '.[test]'"
    proc = subprocess.run([zizmor, "--offline", "--persona", "pedantic", "--format", "plain", str(WORKFLOW)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr
