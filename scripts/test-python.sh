#!/usr/bin/env bash
# Runs the Python suite of the modeling files (modeling/tests) against every pinned transformers version,
# each in its own virtualenv (scripts/python-envs.sh). The suite drives the lsg-convert binary, so it is
# built first.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product lsg-convert
export LSG_CONVERT="$PWD/.build/debug/lsg-convert"
status=0
for env in $(scripts/python-envs.sh); do
    version=$("$env/bin/python" -c "import transformers; print(transformers.__version__)")
    echo "== modeling files with transformers $version ($env)"
    "$env/bin/python" -m pytest -p no:cacheprovider -q modeling/tests || status=1
done
exit $status
