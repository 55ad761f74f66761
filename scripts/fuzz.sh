#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Fuzz/ against the CheckpointIO sources (Tokenizer: the
# Tokenization sources), with the address sanitizer. Usage: scripts/fuzz.sh TARGET [SECONDS]
# (TARGET: Safetensors, JSON, Zip, Pickle, Legacy, Torch, Tokenizer = Fuzz/Fuzz<TARGET>.swift)
# Corpus: .build-fuzz/corpus-<TARGET> seeded from fixtures/; crashes: .build-fuzz/crashes-<TARGET>/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
out=.build-fuzz
mkdir -p "$out/corpus-$target" "$out/crashes-$target"
binary="$out/fuzz-$target"
module=CheckpointIO
max_len=65536
if [ "$target" = Tokenizer ]; then
    # A real precompiled_charsmap is ~240 KB; the tokenizer.json seeds are cut-down fixture files.
    module=Tokenization
    max_len=300000
fi
sources=$(find "Sources/$module" -name '*.swift')
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "$module" \
    -I Sources/CZlib -lz $sources "Fuzz/Fuzz$target.swift" -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
[ -x "$binary" ] || { echo "build failed"; exit 1; }
# Seeds: the fixtures each parser reads (files over 200 KB only slow the fuzzer down).
torch_zips() { for f in $(find fixtures/torch -type f -size -200k); do head -c 4 "$f" | grep -q '^PK' && echo "$f"; done; return 0; }
torch_legacy() { for f in $(find fixtures/torch -type f -size -200k); do head -c 2 "$f" | od -An -tx1 | grep -q '80 02' && echo "$f"; done; return 0; }
case "$target" in
    Safetensors) seeds=$(find fixtures -name '*.safetensors' -size -200k) ;;
    JSON) seeds=$(find fixtures -name '*.json' -size -200k) ;;
    Zip) seeds=$(torch_zips) ;;
    Legacy) seeds=$(torch_legacy) ;;
    Pickle)
        # The data.pkl of every torch zip (hostile ones included), plus the legacy files (which
        # start with their pickles).
        pickles="$out/pickles"; rm -rf "$pickles"; mkdir -p "$pickles"
        for zip in $(torch_zips); do
            for member in $(unzip -Z1 "$zip" 2>/dev/null | grep 'data\.pkl$' || true); do
                unzip -p "$zip" "$member" > "$pickles/$(basename "$zip").$(echo "$member" | tr / _)" 2>/dev/null || true
            done
        done
        seeds="$(find "$pickles" -type f -size +0) $(torch_legacy)" ;;
    Tokenizer)
        # First byte 0: a charsmap; 1: a tokenizer.json; 2: text (FuzzTokenizer.swift).
        seedDir="$out/tokenizer-seeds"; rm -rf "$seedDir"; mkdir -p "$seedDir"
        python3 - "$seedDir" <<'PY'
import base64, json, sys
out = sys.argv[1]
base = json.load(open("fixtures/models/tiny-xlmr-mlm/tokenizer.json", encoding="utf-8"))
charsmap = base64.b64decode(base["normalizer"]["normalizers"][0]["precompiled_charsmap"])
open(f"{out}/charsmap", "wb").write(b"\x00" + charsmap)
small = dict(base)   # the Unigram file with a short vocab and no charsmap (kept under max_len)
small["model"] = dict(base["model"], vocab=base["model"]["vocab"][:300] + [["<mask>", 0.0]])
small["added_tokens"] = [dict(t, id=min(t["id"], 300)) for t in base["added_tokens"]]
small["normalizer"] = base["normalizer"]["normalizers"][1]
open(f"{out}/unigram.json", "wb").write(b"\x01" + json.dumps(small, ensure_ascii=False).encode())
bpe = json.load(open("fixtures/tokenizer/roberta-bpe/tokenizer.json", encoding="utf-8"))
open(f"{out}/bpe.json", "wb").write(b"\x01" + json.dumps(bpe, ensure_ascii=False).encode())
for i, text in enumerate(["Paris is the <mask> of France.", "Le café est très bon. 東京 😀 ﬁ ｆｕｌｌ", "  \t\n <s> </s>"]):
    open(f"{out}/text{i}", "wb").write(b"\x02" + text.encode())
PY
        seeds=$(find "$seedDir" -type f) ;;
    *) seeds=$(find fixtures/torch -type f -size -200k 2>/dev/null || true) ;;
esac
for seed in $seeds; do cp "$seed" "$out/corpus-$target/$(basename "$seed").$(cksum < "$seed" | cut -d' ' -f1)"; done
# symbolize=0: after a crash the symbolizer can hang (../shared/docs/design.md).
ASAN_OPTIONS=symbolize=0:detect_leaks=0 timeout $((seconds + 60)) "$binary" \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$out/crashes-$target/" "$out/corpus-$target" > "$out/log-$target.txt" 2>&1 || status=$?
tail -25 "$out/log-$target.txt"
echo "corpus: $(ls "$out/corpus-$target" | wc -l) files; crashes: $(ls "$out/crashes-$target" | wc -l)"
exit ${status:-0}
