#!/usr/bin/env bash
# The project's whole test suite (what CI runs): the Swift tests, then the modeling-file suite in
# transformers 4.36.2 and 5.23.0.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test
scripts/test-python.sh
