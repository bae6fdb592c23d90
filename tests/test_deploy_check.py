"""The deploy check of docs/deploy.md, run as the page gives it, so that the page cannot go stale:
a new required variable, or a production setting that fails the check, fails this test."""

import os
import re
import shlex
import subprocess
import sys

import pytest
from django.conf import settings

PAGE = settings.BASE_DIR / "docs" / "deploy.md"


def _section(title: str) -> str:
    """The text of the page's `## title` section."""
    text = PAGE.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _page_command() -> str:
    """The first shell block of "The deploy check"."""
    return re.search(r"```sh\n(.*?)```", _section("The deploy check"), re.DOTALL).group(1)


def _page_expected_output() -> str:
    return re.search(r"Expected output.*?```\n(.*?)```", _section("The deploy check"), re.DOTALL).group(1).strip()


def _run_page_command(**overrides: str) -> subprocess.CompletedProcess:
    """The page's command in bash, from the release directory (the repository), with `overrides`
    set as the operator's real environment would set them. Unlike `process_environment`, the
    environment holds nothing of this test run (no test settings, no DATABASE_URL): only what the
    block sets reaches the check. The page's `.venv/bin/python` is this interpreter."""
    python = shlex.quote(sys.executable)
    command = _page_command().replace(".venv/bin/python", python)
    assert command.count(f"{python} manage.py") == 1, command
    extra = " ".join(f"{name}={shlex.quote(value)}" for name, value in overrides.items())
    command = command.replace(f"{python} manage.py", f"{extra} {python} manage.py".lstrip())
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    return subprocess.run(
        ["bash", "-c", command],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_passes_as_the_page_writes_it():
    result = _run_page_command()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == _page_expected_output()


@pytest.mark.parametrize(
    ("name", "value", "warning"),
    [("SECRET_KEY", "short-and-guessable", "security.W009"), ("SECURE_HSTS_SECONDS", "0", "security.W004")],
)
def test_the_deploy_check_fails_on_what_the_page_says_it_catches(name, value, warning):
    result = _run_page_command(**{name: value})
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_the_deploy_check_sets_every_variable_the_page_calls_required():
    required = set(re.findall(r"^\| `(\w+)` \| \*\*required\*\* \|", _section("Environment"), re.MULTILINE))
    assigned = set(re.findall(r"^(\w+)=", _page_command(), re.MULTILINE))
    assert required
    assert assigned == required | {"DJANGO_SETTINGS_MODULE"}
