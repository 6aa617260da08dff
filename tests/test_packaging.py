"""The wheel is what an operator installs: it must carry every package and every template.

The install test builds the wheel as `pip install .` would, installs it without its
dependencies into a fresh virtualenv (which borrows this venv's third-party packages through
a ``.pth`` line, so no download is needed), and runs ``bob demo`` from an empty folder.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _listed_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"])


def test_every_package_folder_is_listed_for_the_wheel():
    found = set()
    for top in ("app", "bot", "exports", "mailer", "ops", "rules", "store", "web"):
        for folder in [ROOT / top, *(ROOT / top).rglob("*")]:
            if folder.is_dir() and "migrations" not in folder.parts and any(folder.glob("*.py")):
                found.add(".".join(folder.relative_to(ROOT).parts))
    assert found | {"bob_templates"} == _listed_packages()


def test_the_installed_wheel_runs_the_demo_from_another_folder(tmp_path):
    # A clean copy of the sources, so no build/ or egg-info left by an earlier build can fill gaps.
    source = tmp_path / "source"
    junk = shutil.ignore_patterns(".*", "build", "*.egg-info", "var", "__pycache__", "tests", "bench")
    shutil.copytree(ROOT, source, ignore=junk)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist, source],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    (wheel,) = dist.glob("bob-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel],
        check=True,
        capture_output=True,
    )
    target = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Dependencies come from this venv; a plain path line does not run its editable-install hook.
    (target / "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOB_")} | {"PYTHONNOUSERSITE": "1"}
    where = subprocess.run(
        [python, "-c", "import app, rules.templating as t; print(app.__file__); print(t.TEMPLATES)"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(path.startswith(str(target)) for path in where), where
    demo = subprocess.run(
        [venv / "bin" / "bob", "demo", "--agencies", "1", "--consumers", "120", "--days", "1"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "digests delivered to mailboxes" in demo.stdout and "failed: 0" in demo.stdout
    assert list((work / "var" / "mail").glob("*.eml"))
