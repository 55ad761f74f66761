"""Folders written by `lsg-convert convert` and `lsg-convert upgrade` load, match the reference and serve
the transformers pipelines, with the modeling files the binary carries."""
import json
import shutil
from pathlib import Path

import pytest
import torch
import transformers
from transformers import AutoModelForMaskedLM, AutoModelForSequenceClassification, AutoTokenizer, pipeline

from conftest import FIXTURES, MODELING, load_case, max_abs, run_lsg_convert

LOGIT_TOLERANCE = 1e-4


def picked_logits(model, case):
    with torch.no_grad():
        logits = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask")).logits
    return logits[:, case.tensor("positions")]


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    """The shipped tiny model converted by lsg-convert to 1024 tokens (deterministic: 514 positions)."""
    out = tmp_path_factory.mktemp("convert") / "tiny-lsg-1024"
    run_lsg_convert("convert", str(FIXTURES / "models/tiny-roberta-mlm"), "--max-len", "1024",
                    "--output", str(out), "--no-verify")
    return out


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """Folders the reference wrote (fixtures/verify), upgraded by lsg-convert."""
    root = tmp_path_factory.mktemp("upgrade")

    def make(name: str) -> Path:
        out = root / name
        if not out.exists():
            run_lsg_convert("upgrade", str(FIXTURES / "verify" / name), "--output", str(out))
        return out
    return make


def test_conversion_carries_our_modeling_file_and_matches_the_reference(converted):
    assert (converted / "modeling_lsg_roberta.py").read_bytes() == (MODELING / "modeling_lsg_roberta.py").read_bytes()
    case = load_case("modeling/convert-tiny-roberta-mlm-1024.safetensors")
    model = AutoModelForMaskedLM.from_pretrained(converted, trust_remote_code=True).eval()
    assert type(model).__module__.endswith("modeling_lsg_roberta")
    tokenizer = AutoTokenizer.from_pretrained(converted)
    texts = json.loads(case.meta["texts"])
    enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    assert torch.equal(enc["input_ids"], case.tensor("input_ids"))
    assert max_abs(picked_logits(model, case), case.tensor("logits")) < LOGIT_TOLERANCE


def test_upgraded_reference_folder_matches_the_reference(upgraded):
    folder = upgraded("tiny-lsg-1024")
    source = FIXTURES / "verify/tiny-lsg-1024"
    assert (folder / "model.safetensors").read_bytes() == (source / "model.safetensors").read_bytes()
    case = load_case("modeling/folder-tiny-lsg-1024.safetensors")
    model = AutoModelForMaskedLM.from_pretrained(folder, trust_remote_code=True).eval()
    assert type(model).__module__.endswith("modeling_lsg_roberta")
    assert max_abs(picked_logits(model, case), case.tensor("logits")) < LOGIT_TOLERANCE


def test_upgraded_folder_trains_and_round_trips(upgraded, tmp_path):
    folder = upgraded("tiny-lsg-1024")
    model = AutoModelForMaskedLM.from_pretrained(folder, trust_remote_code=True).train()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    enc = tokenizer(["The quick brown fox jumps over the lazy dog. " * 12], return_tensors="pt")
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss = model(**enc, labels=enc["input_ids"]).loss
    loss.backward()
    optimizer.step()
    model.eval()
    model.save_pretrained(tmp_path / "tuned")
    tokenizer.save_pretrained(tmp_path / "tuned")
    reloaded = AutoModelForMaskedLM.from_pretrained(tmp_path / "tuned", trust_remote_code=True).eval()
    with torch.no_grad():
        assert max_abs(reloaded(**enc).logits, model(**enc).logits) == 0.0


def lsg_fill_mask(folder: Path, text: str):
    return json.loads(run_lsg_convert("fill-mask", str(folder), text, "--json").stdout)


@pytest.mark.parametrize("text", ["Paris is the <mask> of France.",
                                  "The quick brown fox jumps over the lazy dog. " * 20 + "Paris is the <mask> of France."])
def test_fill_mask_pipeline_equals_lsg_convert_fill_mask(converted, text):
    """Dense and sparse paths: pipeline("fill-mask", trust_remote_code=True) and `lsg-convert fill-mask`."""
    fill = pipeline("fill-mask", model=str(converted), trust_remote_code=True)
    ours = fill(text)
    swift = lsg_fill_mask(converted, text)
    assert [p["token"] for p in ours] == [p["token"] for p in swift]
    assert max(abs(a["score"] - b["score"]) for a, b in zip(ours, swift)) < 1e-5


def test_fill_mask_pipeline_equals_the_reference_pipeline(upgraded):
    """fixtures/fill_mask/tiny-lsg-1024.json: the reference pipeline on the reference's 1024 conversion."""
    recorded = json.loads((FIXTURES / "fill_mask/tiny-lsg-1024.json").read_text())
    fill = pipeline("fill-mask", model=str(upgraded("tiny-lsg-1024")), trust_remote_code=True)
    runs = [r for r in recorded["runs"] if r["model"] == "tiny-lsg-1024" and not r["truncation"]]
    assert len(runs) >= 8
    for run in runs:
        got = fill(run["text"])
        got = got if isinstance(got[0], list) else [got]
        for mine, theirs in zip(got, run["predictions"]):
            assert [p["token"] for p in mine] == [p["token"] for p in theirs], run["text"]
            assert max(abs(a["score"] - b["score"]) for a, b in zip(mine, theirs)) < 1e-5


def float32_kwargs():
    """Load bf16 weights as float32, as the reference did: transformers 5 loads in the stored dtype by default."""
    major = int(transformers.__version__.split(".")[0])
    return {"dtype": torch.float32} if major >= 5 else {"torch_dtype": torch.float32}


def test_text_classification_pipeline_equals_the_reference(upgraded):
    case = load_case("modeling/folder-tiny-lsg-cls-600-bf16.safetensors")
    assert case.meta["dtype"] == "torch.float32"
    folder = upgraded("tiny-lsg-cls-600-bf16")
    classify = pipeline("text-classification", model=str(folder), trust_remote_code=True, top_k=None,
                        model_kwargs=float32_kwargs())
    got = classify(json.loads(case.meta["texts"]), truncation=True)
    expected = json.loads(case.meta["pipeline"])
    for mine, theirs in zip(got, expected):
        assert [p["label"] for p in mine] == [p["label"] for p in theirs]
        assert max(abs(a["score"] - b["score"]) for a, b in zip(mine, theirs)) < 1e-5
    model = AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True, **float32_kwargs()).eval()
    with torch.no_grad():
        logits = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask")).logits
    assert max_abs(logits, case.tensor("logits")) < LOGIT_TOLERANCE


@pytest.mark.parametrize("model_type,stem,module", [("xlm-roberta", "XLMRoberta", "modeling_lsg_xlm_roberta"),
                                                    ("camembert", "Camembert", "modeling_lsg_camembert")])
def test_other_family_conversions_load(tmp_path, model_type, stem, module):
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "models/tiny-roberta-mlm", source)
    config = json.loads((source / "config.json").read_text())
    config["model_type"] = model_type
    config["architectures"] = [f"{stem}ForMaskedLM"]
    (source / "config.json").write_text(json.dumps(config))
    out = tmp_path / "converted"
    run_lsg_convert("convert", str(source), "--max-len", "512", "--output", str(out), "--no-verify")
    assert sorted(p.name for p in out.glob("*.py")) == sorted([f"{module}.py", "modeling_lsg_roberta.py"])
    model = AutoModelForMaskedLM.from_pretrained(out, trust_remote_code=True).eval()
    assert type(model).__module__.endswith(module)
    roberta = tmp_path / "roberta"
    run_lsg_convert("convert", str(FIXTURES / "models/tiny-roberta-mlm"), "--max-len", "512", "--output", str(roberta),
                    "--no-verify")
    same_weights = AutoModelForMaskedLM.from_pretrained(roberta, trust_remote_code=True).eval()
    ids = torch.randint(4, 300, (2, 300), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert max_abs(model(input_ids=ids).logits, same_weights(input_ids=ids).logits) == 0.0


def test_bert_conversion_and_upgrade_load_and_agree(tmp_path, upgraded):
    """A BERT conversion by lsg-convert and the reference's own conversion of the same source (upgraded)
    load with modeling_lsg_bert.py and give identical outputs (the tensors are bit-identical)."""
    from transformers import AutoModelForPreTraining
    out = tmp_path / "bert-lsg-1024"
    run_lsg_convert("convert", str(FIXTURES / "bert-conversion/sources/bert-pretraining"), "--max-len", "1024",
                    "--output", str(out), "--no-verify")
    assert sorted(p.name for p in out.glob("*.py")) == ["modeling_lsg_bert.py", "modeling_lsg_roberta.py"]
    ours = AutoModelForPreTraining.from_pretrained(out, trust_remote_code=True).eval()
    reference = AutoModelForPreTraining.from_pretrained(upgraded("bert-lsg-pretraining-1024"), trust_remote_code=True).eval()
    assert type(ours).__name__ == "LSGBertForPreTraining" and type(ours).__module__.endswith("modeling_lsg_bert")
    tokenizer = AutoTokenizer.from_pretrained(out)
    enc = tokenizer(["the quick brown fox", "paris is the capital of france . " * 30],
                    ["jumps over the lazy dog", "a long document"], padding=True, truncation=True, return_tensors="pt")
    assert int(enc["token_type_ids"].max()) == 1 and enc["input_ids"].shape[1] > 256
    with torch.no_grad():
        a, b = ours(**enc), reference(**enc)
    assert max_abs(a.prediction_logits, b.prediction_logits) == 0.0
    assert max_abs(a.seq_relationship_logits, b.seq_relationship_logits) == 0.0
    fill = pipeline("fill-mask", model=str(out), trust_remote_code=True)
    swift = json.loads(run_lsg_convert("fill-mask", str(out), "paris is the [MASK] of france .", "--json").stdout)
    mine = fill("paris is the [MASK] of france .")
    assert [p["token"] for p in mine] == [p["token"] for p in swift]
    assert max(abs(x["score"] - y["score"]) for x, y in zip(mine, swift)) < 1e-5


@pytest.mark.parametrize("text", ["Paris est la <mask> de la France.",
                                  "Le renard brun saute par-dessus le chien paresseux. " * 12 + "Paris est la <mask>."])
def test_xlm_roberta_fill_mask_pipeline_equals_lsg_convert(tmp_path, text):
    """A converted XLM-R (SentencePiece Unigram tokenizer): the transformers pipeline with our
    modeling_lsg_xlm_roberta.py against `lsg-convert fill-mask` (dense and sparse paths)."""
    out = tmp_path / "xlmr-lsg-1024"
    run_lsg_convert("convert", str(FIXTURES / "models/tiny-xlmr-mlm"), "--max-len", "1024", "--output", str(out),
                    "--no-verify")
    fill = pipeline("fill-mask", model=str(out), trust_remote_code=True)
    assert type(fill.model).__module__.endswith("modeling_lsg_xlm_roberta")
    ours = fill(text)
    swift = lsg_fill_mask(out, text)
    assert [p["token"] for p in ours] == [p["token"] for p in swift]
    assert max(abs(a["score"] - b["score"]) for a, b in zip(ours, swift)) < 1e-5
