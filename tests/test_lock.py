"""`make setup` and the Dockerfile install pinned versions: requirements.lock (issue #14).

pyproject.toml states open ranges (`>=`); the lock pins each package `make setup` installs, so
a machine set up next year gets today's versions. A dependency added to pyproject.toml without
`make lock` fails here, as does a lock that breaks one of pyproject's ranges.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)", re.MULTILINE)


def pins() -> dict[str, Version]:
    """The lock's `name==version` lines, by canonical name."""
    text = LOCK.read_text(encoding="utf-8")
    return {canonicalize_name(name): Version(v) for name, v in PIN.findall(text)}


def declared() -> list[Requirement]:
    """pyproject's dependencies and the extras `make setup` installs (dev, bench)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    lines = [*project["dependencies"], *extras["dev"], *extras["bench"]]
    return [Requirement(line) for line in lines]


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    locked = pins()
    assert len(locked) > 50  # the whole tree, not only the direct dependencies
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} breaks pyproject's {requirement.specifier}: `make lock`"
        )


def test_lock_pins_exact_versions_only() -> None:
    text = LOCK.read_text(encoding="utf-8")
    requirement_lines = [
        line for line in text.splitlines() if line and not line.startswith((" ", "#"))
    ]
    assert requirement_lines and all("==" in line for line in requirement_lines)
    assert "-e " not in text and "file://" not in text  # nothing of this machine's


def test_setup_and_dockerfile_install_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert '-m pip install --quiet -c requirements.lock -e ".[dev,bench]"' in makefile
    assert "$(STAMP): pyproject.toml requirements.lock" in makefile  # a new lock reinstalls
    assert "pip-compile" in makefile  # `make lock` refreshes it
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY pyproject.toml requirements.lock" in dockerfile
    assert "pip install --no-cache-dir -c requirements.lock ." in dockerfile
