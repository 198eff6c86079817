"""Where a report may go: -o never replaces a device, a FIFO, an input or a directory; every write to
stdout is checked; anything unexpected is one line and exit 3."""

from __future__ import annotations

import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

ROOT = Path(__file__).resolve().parent.parent
SANTA = str(ROOT / "examples" / "santa.yaml")

Cli = Callable[..., Result]


def run(*args: str, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "cxscore", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        **options,
    )


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_dev_null_stays_a_device(cli: Cli) -> None:
    # As root (CI, containers) an atomic rename over /dev/null would turn it into a regular file.
    before = Path("/dev/null").stat()
    result = cli("rate", SANTA, "--format", "json", "-o", "/dev/null")
    assert result.exit_code == 0, result.output
    after = Path("/dev/null").stat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_dev, after.st_ino, after.st_rdev) == (before.st_dev, before.st_ino, before.st_rdev)


def test_a_fifo_is_written_to_not_replaced(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = cli("rate", SANTA, "--format", "json", "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert b'"overall_percent": 68.0' in received[0]


@pytest.mark.parametrize("kind", ["directory", "socket"])
def test_directories_and_sockets_are_refused(cli: Cli, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target"
    if kind == "directory":
        target.mkdir()
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    result = cli("rate", SANTA, "-o", target)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"{target}: cannot write: it is a ")
    assert result.stderr.count("\n") == 1


def test_dash_means_standard_output(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("rate", SANTA, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    assert '"overall_percent": 68.0' in result.stdout
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_a_symlinked_report_keeps_its_link(cli: Cli, tmp_path: Path) -> None:
    real = tmp_path / "reports" / "santa.md"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    result = cli("rate", SANTA, "--format", "markdown", "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert "68.0%" in real.read_text()


def _limit_file_size() -> None:
    # 8 KiB, and a write past it fails with EFBIG instead of killing the process with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))


def test_a_short_write_to_stdout_is_an_error(tmp_path: Path) -> None:
    brands = tmp_path / "brands"
    brands.mkdir()
    for index in range(60):
        (brands / f"b{index:02}.yaml").write_text(f"brand: Brand {index}\nratings: {{empathy: 3}}\n")
    report = tmp_path / "report.json"
    with report.open("w") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "cxscore", "rank", str(brands), "--format", "json"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
            preexec_fn=_limit_file_size,
        )
    assert report.stat().st_size == 8192  # the system stopped the report here...
    assert done.returncode == 2, done.stderr  # ...and the run says so instead of exiting 0
    assert done.stderr == "cxscore: cannot write the output: File too large\n"


def test_an_unexpected_error_is_one_line_and_exit_3(tmp_path: Path) -> None:
    probe = (
        "import sys, cxscore.scorecard\n"
        "def broken(*_):\n"
        "    raise RuntimeError('secret text from a file')\n"
        "cxscore.scorecard.score_brand = broken\n"
        f"sys.argv = ['cxscore', 'rate', {SANTA!r}]\n"
        "from cxscore.cli import main; main()\n"
    )
    quiet = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CXSCORE_DEBUG": ""},
    )
    assert quiet.returncode == 3, quiet.stderr
    assert quiet.stdout == ""
    lines = quiet.stderr.splitlines()
    assert len(lines) == 1, quiet.stderr
    assert lines[0].startswith("cxscore: internal error (RuntimeError at cxscore/")
    assert "CXSCORE_DEBUG=1" in lines[0]
    assert "secret text" not in quiet.stderr  # an exception's message may quote an input file

    debug = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CXSCORE_DEBUG": "1"},
    )
    assert debug.returncode == 3
    assert "Traceback" in debug.stderr
    assert "RuntimeError: secret text from a file" in debug.stderr


@pytest.mark.parametrize("which", ["brand", "framework", "baseline", "data"])
def test_a_report_never_replaces_a_file_the_run_read(cli: Cli, tmp_path: Path, which: str) -> None:
    framework = tmp_path / "fw.yaml"
    framework.write_text(
        "id: tiny\nname: Tiny\nscale: {min: 1, max: 5}\nbands: [{name: All, min: 0}]\n"
        "metrics: [{id: speed, name: Speed, description: How fast., weight: 1}]\n"
    )
    brand = tmp_path / "brand.yaml"
    brand.write_text("brand: A\nframework: fw.yaml\nratings: {speed: 4}\n")
    baseline = tmp_path / "last.yaml"
    baseline.write_text("brand: A\nframework: fw.yaml\nratings: {speed: 3}\n")
    data = tmp_path / "survey.csv"
    data.write_text("ltr\n9\n10\n3\n")
    kpis = tmp_path / "kpis.yaml"
    kpis.write_text("brand: A\nframework: cx-kpis\nratings:\n  nps: {from: survey.csv, column: ltr}\n")
    target = {"brand": brand, "framework": framework, "baseline": baseline, "data": data}[which]
    args = ["rate", kpis] if which == "data" else ["rate", brand, "--baseline", baseline]
    before = target.read_bytes()
    result = cli(*args, "--format", "json", "-o", target)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{target}: refusing to write the report over a file this run read\n"
    assert target.read_bytes() == before


def test_dev_stdout_redirected_to_a_file_appends_to_it(tmp_path: Path) -> None:
    log = tmp_path / "ci.log"
    log.write_text("EARLIER LOG\n")
    with log.open("a") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "cxscore", "rate", SANTA, "-f", "total", "-o", "/dev/stdout"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert log.read_text() == "EARLIER LOG\n68.0\n"  # written through the stream, not renamed over


def test_closed_stdout_is_a_user_error_not_a_bug() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cxscore", "rate", SANTA],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "stdout: cannot write the report: standard output is closed\n"


def test_proc_is_refused(cli: Cli) -> None:
    result = cli("rate", SANTA, "-o", "/proc/sys/kernel/hostname")
    assert result.exit_code == 2, result.output
    assert result.stderr == "/proc/sys/kernel/hostname: cannot write: /proc holds no files for reports\n"


def test_a_fifo_named_as_an_input_is_refused_not_waited_on(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "brand.yaml"
    os.mkfifo(fifo)
    for args in (["validate", fifo], ["frameworks", "show", fifo]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"{fifo}: is not a regular file: give a YAML file\n"
