#!/bin/sh
# Mutation testing of the modules that guard people: see bench/mutation.py. Run from anywhere;
# mutmut comes with the dev dependencies (make test installs them).
set -eu
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/mutation.py "$@"
