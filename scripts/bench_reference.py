"""The Python reference side of `lsg-bench` (issue 5), one operation per process.

    python scripts/bench_reference.py convert SRC OUT MAX_LEN   # LSGConverter + save_pretrained
    python scripts/bench_reference.py lsg MODEL TOKENS          # LSG MLM forward, 1 x TOKENS
    python scripts/bench_reference.py roberta MODEL TOKENS      # RoBERTa MLM forward, 1 x TOKENS
    python scripts/bench_reference.py fillmask MODEL TEXT_FILE  # pipeline("fill-mask") on an LSG model
    python scripts/bench_reference.py tokenize TOKENIZER_JSON TEXT_FILE RUNS IDS_OUT
                                  # tokenizers' Tokenizer.encode of the whole file as one text, RUNS times

`lsg-bench` runs it as a child process (whole-process wall time, CPU time and peak RSS come from
wait4) with the Python environment of ../shared/oracle/README.md (lsg-converter 0.1.9,
transformers 4.36.2, CPU torch). The last stdout line is JSON with the in-process seconds of the
operation itself (without interpreter start and imports). Threads: LSG_BENCH_THREADS (default 2).
"""
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

torch.set_num_threads(int(os.environ.get("LSG_BENCH_THREADS", "2")))


def token_ids(n):
    # The same ids as lsg-bench: <s>, a deterministic stream in [4, 50004), </s>.
    ids, state = [0], 12345
    for _ in range(n - 2):
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        ids.append(4 + (state >> 33) % 50000)
    ids.append(2)
    return torch.tensor([ids], dtype=torch.long)


def main():
    mode = sys.argv[1]
    if mode == "convert":
        import shutil
        import transformers
        from lsg_converter import LSGConverter
        src, out, max_len = sys.argv[2], sys.argv[3], int(sys.argv[4])
        start = time.perf_counter()
        transformers.set_seed(123)  # the CLI's seeding; the API ignores its own seed argument
        model, tok = LSGConverter(max_sequence_length=max_len).convert_from_pretrained(src)
        shutil.rmtree(out, ignore_errors=True)
        model.save_pretrained(out)
        tok.save_pretrained(out)
        seconds = time.perf_counter() - start
    elif mode in ("lsg", "roberta"):
        path, n = sys.argv[2], int(sys.argv[3])
        if mode == "lsg":
            from lsg_converter.roberta.modeling_lsg_roberta import LSGRobertaForMaskedLM as cls
        else:
            from transformers import RobertaForMaskedLM as cls
        model = cls.from_pretrained(path).eval()
        ids = token_ids(n)
        with torch.inference_mode():
            start = time.perf_counter()
            logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
            seconds = time.perf_counter() - start
        assert logits.shape == (1, n, model.config.vocab_size), logits.shape
    elif mode == "fillmask":
        # transformers' fill-mask pipeline on the converted LSG model, as the model card runs it
        # (the pipeline computes the decoder at every position, then picks the masks).
        from transformers import AutoTokenizer, pipeline
        from lsg_converter.roberta.modeling_lsg_roberta import LSGRobertaForMaskedLM
        path, text_file = sys.argv[2], sys.argv[3]
        with open(text_file, encoding="utf-8") as f:
            text = f.read()
        model = LSGRobertaForMaskedLM.from_pretrained(path).eval()
        tokenizer = AutoTokenizer.from_pretrained(path)
        fill = pipeline("fill-mask", model=model, tokenizer=tokenizer, top_k=5)
        start = time.perf_counter()
        result = fill(text)
        seconds = time.perf_counter() - start
        assert len(result) == 5, result
    elif mode == "tokenize":
        # A fresh Tokenizer per run (its word cache empty, as ours), load excluded; one warm-up.
        from tokenizers import Tokenizer
        path, text_file, runs, ids_out = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
        with open(text_file, encoding="utf-8") as f:
            text = f.read()
        times = []
        for run in range(runs + 1):
            tok = Tokenizer.from_file(path)
            start = time.perf_counter()
            ids = tok.encode(text, add_special_tokens=False).ids
            if run > 0:
                times.append(time.perf_counter() - start)
        seconds = sorted(times)[len(times) // 2]
        with open(ids_out, "w") as f:
            json.dump(ids, f)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps({"mode": mode, "seconds": seconds}))


if __name__ == "__main__":
    main()
