#!/usr/bin/env bash
# Creates (once) the virtualenvs of the modeling-file suite, one per pinned transformers version, and
# prints their paths, one per line. They live outside the clone, keyed by the hash of their requirements
# file, so CI and later runs reuse them: ${LSG_VENV_CACHE:-~/.cache/lsg-convert/venvs}/<name>-<hash>.
#   LSG_TORCH=torch==2.13.0   pip spec that replaces the pinned torch (2.13.0+cpu exists only as the
#                             local CPU build of the project machines; PyPI's torch is the CUDA build)
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${LSG_VENV_CACHE:-$HOME/.cache/lsg-convert/venvs}"
python="${PYTHON:-python3}"
mkdir -p "$cache"
for requirements in modeling/requirements-transformers-*.txt; do
    name=$(basename "$requirements" .txt)
    name=${name#requirements-}
    key=$( (cat "$requirements"; echo "${LSG_TORCH:-}") | sha256sum | cut -c1-12)
    env="$cache/$name-$key"
    if [ ! -f "$env/.complete" ]; then
        rm -rf "$env"
        echo "creating $env" >&2
        "$python" -m venv "$env"
        if [ -n "${LSG_TORCH:-}" ]; then
            grep -v '^torch==' "$requirements" > "$env/requirements.txt"
            echo "$LSG_TORCH" >> "$env/requirements.txt"
        else
            cp "$requirements" "$env/requirements.txt"
        fi
        "$env/bin/pip" install --quiet --disable-pip-version-check -r "$env/requirements.txt" >&2
        touch "$env/.complete"
    fi
    echo "$env"
done
