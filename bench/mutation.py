"""Mutation testing of the modules that guard people: how many small breakages of the code (a
condition turned round, a number changed, a call left out) the tests notice. Run by
bench/mutation.sh; the figures and the command are in docs/development.md.

Usage, from the repository root:

    bench/mutation.sh [--only accounts/crypto.py ...] [--children 2]

For each module below, mutmut (a maintained mutation tester) mutates that module alone in a copy
of the repository under var/mutation/, runs the listed tests once to learn which test reaches
which function, then for each mutant runs only the tests that reach the mutated function. A
mutant is killed when a test fails. The bench prints, per module, the mutants killed, survived
and not reached by any test, the share killed, and every survivor, and exits non-zero when a
module is under the target.

The tests use PostgreSQL database shouhu_mutation (created by pytest-django, kept between the
mutants with --reuse-db) and Redis database 9. Caches that a process fills once (the normaliser's
table, the shipped lexicon and model) are emptied when the tests start, and the mutated module's
before each test (bench/mutation_reset.py), so that the mutant is what the tests see.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from _common import figure, results_write

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"
TARGET = 0.85

# The modules that guard people, each with the tests that should notice a change in it.
MODULES: dict[str, list[str]] = {
    "accounts/access.py": ["tests/test_portal_access.py", "tests/test_second_factor.py", "tests/test_sessions.py"],
    "accounts/crypto.py": ["tests/test_encryption.py", "tests/test_buyer_contact.py"],
    "interventions/scanner/normalise.py": ["tests/test_scanner.py"],
    "fraud/indicators.py": ["tests/test_fraud_signals.py", "tests/test_orders_and_fraud.py"],
    "fraud/lookalike.py": ["tests/test_fraud_signals.py"],
    "interventions/services/outbox.py": ["tests/test_reminders.py"],
}
SOURCES = ["accounts", "config", "interventions", "fraud", "orders", "demo"]
ALSO_COPY = ["templates", "static", "locale", "manage.py"]


def _config(module: str, tests: list[str]) -> str:
    lines = ["[mutmut]", "source_paths=", *(f"    {path}" for path in SOURCES), f"only_mutate={module}"]
    lines += ["also_copy=", *(f"    {path}" for path in ALSO_COPY)]
    lines += ["pytest_add_cli_args_test_selection=", *(f"    {path}" for path in tests)]
    lines += ["pytest_add_cli_args=", "    -p", "    tests.mutation_reset", "    --reuse-db", "    -q", "    -x"]
    return "\n".join(lines) + "\n"


def _copy(into: Path) -> None:
    """The repository's files as git knows them (what a clean checkout holds), and the compiled
    translations, which the tests read."""
    if into.exists():
        shutil.rmtree(into)
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in [*files, *(str(p.relative_to(ROOT)) for p in (ROOT / "locale").rglob("*.mo"))]:
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    shutil.copy2(ROOT / "bench" / "mutation_reset.py", into / "tests" / "mutation_reset.py")


def run(module: str, tests: list[str], children: int) -> dict:
    into = WORK / re.sub(r"[^a-z0-9]+", "_", module.removesuffix(".py"))
    _copy(into)
    (into / "setup.cfg").write_text(_config(module, tests))
    # mutmut reads [tool.mutmut] from pyproject.toml first; without it, setup.cfg.
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("MUTATION_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shouhu_mutation"),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
        "MUTATION_MODULE": module.removesuffix(".py").replace("/", "."),
    }
    subprocess.run(
        [str(MUTMUT), "run", "--max-children", str(children)], cwd=into, env=env, stdout=subprocess.DEVNULL, check=False
    )
    listed = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=into, env=env, capture_output=True, text=True, check=True
    ).stdout
    results = dict(re.findall(r"^\s*(\S+): (.+)$", listed, re.MULTILINE))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=list(MODULES), help="modules to mutate")
    parser.add_argument("--children", type=int, default=1, help="mutants tested at once (the tests share a database)")
    options = parser.parse_args()
    failing = False
    print(f"{'module':42} {'mutants':>8} {'killed':>7} {'survived':>9} {'no test':>8} {'other':>6} {'killed %':>9}")
    survivors: dict[str, list[str]] = {}
    figures: dict[str, dict] = {}
    for module in options.only:
        results = run(module, MODULES[module], options.children)
        statuses = list(results.values())
        killed, survived = statuses.count("killed"), statuses.count("survived")
        untested = statuses.count("no tests")
        other = len(statuses) - killed - survived - untested
        share = killed / len(statuses) if statuses else 0.0
        failing |= share < TARGET
        print(f"{module:42} {len(statuses):8} {killed:7} {survived:9} {untested:8} {other:6} {share:9.1%}")
        figures |= {
            f"{module} killed": figure(share * 100, "%", 1),
            f"{module} mutants": figure(len(statuses)),
            f"{module} survived": figure(survived),
            f"{module} no test": figure(untested),
        }
        survivors[module] = [f"{name}: {status}" for name, status in results.items() if status != "killed"]
    for module, lines in survivors.items():
        if lines:
            print(f"\nnot killed in {module} (mutmut show NAME, in var/mutation/, shows the change):")
            print("\n".join(f"  {line}" for line in lines))
    print(f"\ntarget: at least {TARGET:.0%} of each module's mutants killed: {'not met' if failing else 'met'}")
    results_write(
        "mutation",
        figures=figures,
        headline=[f"{module} killed" for module in options.only],
        target=f"at least {TARGET:.0%} of each module's mutants killed",
        met=not failing,
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
