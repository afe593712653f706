"""The Dockerfile: the same Debian packages as scripts/bootstrap.sh, and (where a container
engine runs) an image that builds the shipped project."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def bootstrap_packages() -> set[str]:
    """The Debian packages bootstrap.sh installs for `build`: its list, and g++ (added when
    no compiler is there, as on a bare image)."""
    text = (REPO / "scripts/bootstrap.sh").read_text()
    listed = re.search(r"^packages=\(([^)]*)\)", text, re.M)
    assert listed is not None
    extra = re.findall(r"command -v \S+ >/dev/null \|\| packages\+=\((\S+)\)\n", text)
    build_only = text.split('if [ "$task" = test ]')[0]
    return set(listed.group(1).split()) | {p for p in extra if f"packages+=({p})" in build_only}


def dockerfile_packages() -> set[str]:
    text = (REPO / "Dockerfile").read_text()
    installs = re.findall(r"apt-get install -y --no-install-recommends((?:[^&]|\\\n)*)", text)
    assert len(installs) == 1
    return set(installs[0].replace("\\\n", " ").split())


def test_the_image_installs_exactly_the_packages_bootstrap_installs() -> None:
    assert "g++" in bootstrap_packages() and "fonts-noto-cjk" in bootstrap_packages()
    assert dockerfile_packages() == bootstrap_packages()


def test_the_image_runs_briefgen_from_its_wheel_as_a_user_not_root() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM debian:\S+", text, re.M)
    assert "pip wheel" in text and "/tmp/wheel/briefgen-*.whl" in text
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    readme = (REPO / "README.md").read_text()
    assert "docker build -t briefgen ." in readme
    assert 'docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" briefgen briefgen build' \
        in readme


def _engine() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no container engine: docker is not installed")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        pytest.skip("no container engine: `docker info` failed: "
                    + (info.stderr.strip().splitlines() or ["?"])[-1])
    return docker


def test_the_image_builds_the_shipped_project(tmp_path: Path) -> None:
    docker = _engine()
    tag = "briefgen-test:latest"
    subprocess.run([docker, "build", "-t", tag, str(REPO)], check=True, timeout=3600)
    project = tmp_path / "p"
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, project / folder)
    ids = subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip()
    gid = subprocess.run(["id", "-g"], capture_output=True, text=True).stdout.strip()
    subprocess.run([docker, "run", "--rm", "--user", f"{ids}:{gid}", "-v",
                    f"{project}:/work", tag, "briefgen", "build"], check=True, timeout=1800)
    built = sorted(p.relative_to(project / "build").as_posix()
                   for p in (project / "build").rglob("*.pdf"))
    assert len(built) == 5, built


def test_the_workflow_example_runs_the_image_as_the_readme_does() -> None:
    text = (REPO / ".github/workflows/briefs.yml").read_text()
    example = text[text.index("# --- Example: the same build in briefgen's container"):]
    assert "#      - run: docker build -t briefgen ." in example
    assert '#      - run: docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" briefgen ' \
        "briefgen build --strict" in example
