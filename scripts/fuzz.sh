#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Fuzz/ against the CheckpointIO sources, with the address
# sanitizer. Usage: scripts/fuzz.sh TARGET [SECONDS]   (TARGET: Safetensors, JSON, ... = Fuzz/Fuzz<TARGET>.swift)
# Corpus: .build-fuzz/corpus-<TARGET> seeded from fixtures/; crashes: .build-fuzz/crashes-<TARGET>/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
out=.build-fuzz
mkdir -p "$out/corpus-$target" "$out/crashes-$target"
binary="$out/fuzz-$target"
sources=$(find Sources/CheckpointIO -name '*.swift')
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name CheckpointIO \
    -I Sources/CZlib -lz $sources "Fuzz/Fuzz$target.swift" -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
[ -x "$binary" ] || { echo "build failed"; exit 1; }
case "$target" in
    Safetensors) seeds=$(find fixtures -name '*.safetensors' -size -200k) ;;
    JSON) seeds=$(find fixtures -name '*.json' -size -200k) ;;
    *) seeds=$(find fixtures/torch -type f -size -200k 2>/dev/null || true) ;;
esac
for seed in $seeds; do cp "$seed" "$out/corpus-$target/$(basename "$seed").$(cksum < "$seed" | cut -d' ' -f1)"; done
# symbolize=0: after a crash the symbolizer can hang (../shared/docs/design.md).
ASAN_OPTIONS=symbolize=0:detect_leaks=0 timeout $((seconds + 60)) "$binary" \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$out/crashes-$target/" "$out/corpus-$target" 2>&1 | tail -25
