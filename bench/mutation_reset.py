"""A pytest plugin for bench/mutation.py, copied into the mutated copy's tests/ and loaded with
`-p tests.mutation_reset`.

mutmut runs each mutant's tests in a process forked from one that has already run them once, and
it runs only the tests it saw reach the mutated function. A function whose result is cached (the
normaliser's table, the shipped lexicon and model) is reached by the first test that needs it and
then never again, and the forked process would keep the unmutated code's result. So every cache of
the project's modules is emptied when the tests start, and those of the module under mutation
(MUTATION_MODULE) before each test: each test that needs the cached result computes it, and is
seen to reach the functions behind it."""

import os
import sys

PROJECT = ("accounts", "config", "interventions", "fraud", "orders", "demo")


def _caches_clear(modules) -> None:
    for module in modules:
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def pytest_sessionstart(session) -> None:
    _caches_clear(m for name, m in list(sys.modules.items()) if m is not None and name.split(".")[0] in PROJECT)


def pytest_runtest_setup(item) -> None:
    module = sys.modules.get(os.environ.get("MUTATION_MODULE", ""))
    if module is not None:
        _caches_clear([module])
