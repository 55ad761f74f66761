"""Speed and memory of the modeling files in PyTorch, against lsg-converter 0.1.9's classes in the same run.

Forward (eval, no grad) and forward + backward (train mode, default dropout) of a roberta-base-shaped LSG
model (12 layers, hidden 768, 12 heads, block 128 / sparse block 128 / factor 2, norm, 1 global) at 4096
tokens, 2 threads. Each measurement runs in its own child process (a fresh peak RSS), after one warm-up
pass in that process; the reference and ours alternate. Needs an environment with lsg-converter 0.1.9
and transformers 4.36.2 (../shared/oracle/README.md):

    .venv-oracle/bin/python scripts/bench_modeling.py [--repeats 2] [--write-docs]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- modeling-bench:begin -->", "<!-- modeling-bench:end -->"


def child(implementation: str, mode: str, layers: int, tokens: int) -> None:
    """Builds the model, runs one warm-up and one timed pass, prints a JSON line."""
    import torch
    torch.set_num_threads(2)
    if implementation == "reference":
        from lsg_converter.roberta.modeling_lsg_roberta import LSGRobertaConfig, LSGRobertaModel
    else:
        import importlib.util
        spec = importlib.util.spec_from_file_location("modeling_lsg_roberta", REPO / "modeling/modeling_lsg_roberta.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["modeling_lsg_roberta"] = module
        spec.loader.exec_module(module)
        LSGRobertaConfig, LSGRobertaModel = module.LSGRobertaConfig, module.LSGRobertaModel
    config = LSGRobertaConfig(num_hidden_layers=layers, max_position_embeddings=tokens + 2, type_vocab_size=1,
                              layer_norm_eps=1e-5, vocab_size=50265)
    torch.manual_seed(0)
    model = LSGRobertaModel(config)
    ids = torch.randint(4, 50000, (1, tokens))
    ids[:, 0] = 0

    def run() -> None:
        if mode == "forward":
            with torch.no_grad():
                model(input_ids=ids)
        else:
            model.zero_grad(set_to_none=True)
            model(input_ids=ids).last_hidden_state.square().mean().backward()

    model.train(mode != "forward")
    run()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                      "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "torch": torch.__version__}))


def measure(implementation: str, mode: str, layers: int, tokens: int) -> Dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", implementation, mode, str(layers), str(tokens)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(results: Dict[str, Dict[str, List[Dict[str, float]]]], load: str, versions: str) -> str:
    lines = [BEGIN, "", f"Measured {time.strftime('%Y-%m-%d')} by `scripts/bench_modeling.py` ({versions}; load average "
             f"{load}): roberta-base shape, 1 x 4096 tokens, 2 threads, medians; peak RSS of the whole process "
             "(model included).", "",
             "| pass | reference wall s | reference CPU s | reference peak MiB | ours wall s | ours CPU s | ours peak MiB | CPU ratio (ref / ours) | memory ratio (ours / ref) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for mode in results["ours"]:
        ref, ours = results["reference"][mode], results["ours"][mode]

        def med(rows, key):
            return statistics.median(r[key] for r in rows)
        lines.append(f"| {mode} | {med(ref, 'wall'):.2f} | {med(ref, 'cpu'):.2f} | {med(ref, 'rss_mib'):.0f} | "
                     f"{med(ours, 'wall'):.2f} | {med(ours, 'cpu'):.2f} | {med(ours, 'rss_mib'):.0f} | "
                     f"{med(ref, 'cpu') / med(ours, 'cpu'):.2f} | {med(ours, 'rss_mib') / med(ref, 'rss_mib'):.2f} |")
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--tokens", type=int, default=4096)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--modes", nargs="+", default=["forward", "forward+backward"])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        implementation, mode, layers, tokens = args.child
        child(implementation, mode, int(layers), int(tokens))
        return
    import transformers
    results: Dict[str, Dict[str, List[Dict[str, float]]]] = {"reference": {}, "ours": {}}
    for mode in args.modes:
        for _ in range(args.repeats):
            for implementation in ("reference", "ours"):
                row = measure(implementation, mode, args.layers, args.tokens)
                results[implementation].setdefault(mode, []).append(row)
                print(f"{implementation:9} {mode:16} wall {row['wall']:6.2f} s  CPU {row['cpu']:6.2f} s  "
                      f"peak {row['rss_mib']:6.0f} MiB", flush=True)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    text = table(results, load, f"transformers {transformers.__version__}, torch {row['torch']}")
    print(text)
    if args.write_docs:
        docs = DOCS.read_text()
        if BEGIN in docs:
            docs = docs[:docs.index(BEGIN)] + text + docs[docs.index(END) + len(END):]
        else:
            docs += "\n## PyTorch modeling files\n\n" + text + "\n"
        DOCS.write_text(docs)


if __name__ == "__main__":
    main()
