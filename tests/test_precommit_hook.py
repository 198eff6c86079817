"""The pre-commit hook: another repository validates its brand files with `cxscore-validate` on commit.

`pre-commit try-repo` installs cxscore from this repository's HEAD (with its tracked, uncommitted
changes, when there are any) into a hook environment of its own, as a user's `pre-commit install`
would, and runs the hook on the files given. The first run builds that environment (some seconds, a
download of cxscore's dependencies); pre-commit keeps it for later runs of the same commit.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

pytestmark = pytest.mark.slow


def _why_not() -> str | None:
    """Why the hook cannot be tried here, or None."""
    if shutil.which("git") is None:
        return "git is not installed"
    if importlib.util.find_spec("pre_commit") is None:
        return "pre-commit is not installed (it is in the test extra)"
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"],
        capture_output=True,
        check=False,
    )
    if tracked.returncode != 0:
        return "not a git checkout with .pre-commit-hooks.yaml committed: try-repo installs from a commit"
    return None


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of CX files: two brand files, a framework beside them and an unrelated YAML file."""
    reason = _why_not()
    if reason is not None:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("cx-files")
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / "brands" / "frameworks").mkdir(parents=True)
    (folder / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(EXAMPLES / "santa.yaml", folder / "brands" / "santa.yaml")
    shutil.copy(EXAMPLES / "invalid" / "broken.yaml", folder / "brands" / "broken.yaml")
    (folder / "brands" / "frameworks" / "mine.yaml").write_text("id: mine\n", encoding="utf-8")
    (folder / ".github" / "workflows" / "ci.yaml").write_text("on: push\n", encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=folder, check=True)
    return folder


def try_hook(project: Path, *files: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "cxscore-validate"]
    return subprocess.run(
        [*command, "--verbose", "--color", "never", "--files", *files],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_the_hook_passes_valid_brand_files_and_only_brand_files(project: Path) -> None:
    files = ["brands/santa.yaml", "brands/frameworks/mine.yaml", ".github/workflows/ci.yaml"]
    done = try_hook(project, *files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cxscore validate" in done.stdout
    assert "Passed" in done.stdout
    assert "1 file valid" in done.stdout  # the framework and the workflow were not handed to it


def test_the_hook_fails_on_an_invalid_brand_file_with_its_located_errors(project: Path) -> None:
    done = try_hook(project, "brands/santa.yaml", "brands/broken.yaml")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Failed" in done.stdout
    located = "brands/broken.yaml:6:3: ratings: unknown metric 'empathie' in cx-six; did you mean 'empathy'?"
    assert located in done.stdout
