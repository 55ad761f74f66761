"""modeling_lsg_bert.py against lsg-converter 0.1.9's LSGBert* classes (transformers 4.36.2)."""
import json

import pytest
import torch
from transformers import (
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForMaskedLM,
    AutoModelForMultipleChoice,
    AutoModelForPreTraining,
    AutoModelForQuestionAnswering,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
)

from conftest import FIXTURES, load_case, max_abs, overlay

AUTO = {
    "LSGBertForPreTraining": AutoModelForPreTraining,
    "LSGBertForMaskedLM": AutoModelForMaskedLM,
    "LSGBertForSequenceClassification": AutoModelForSequenceClassification,
    "LSGBertForTokenClassification": AutoModelForTokenClassification,
    "LSGBertForQuestionAnswering": AutoModelForQuestionAnswering,
    "LSGBertForMultipleChoice": AutoModelForMultipleChoice,
    "LSGBertLMHeadModel": AutoModelForCausalLM,
    "LSGBertModel": AutoModel,
}
CASES = sorted(p.stem for p in (FIXTURES / "modeling").glob("bert-*.safetensors"))
OUTPUTS = ("logits", "prediction_logits", "seq_relationship_logits", "start_logits", "end_logits",
           "last_hidden_state", "pooler_output")


def test_every_reference_class_is_covered():
    covered = {load_case(f"modeling/{name}.safetensors").meta["class"] for name in CASES}
    assert covered == set(AUTO)


@pytest.mark.parametrize("name", CASES)
def test_bert_case(model_folder, name):
    """Pairs (token_type_ids 0/1), padded batches, dense (12 tokens) and sparse paths, sparsity types."""
    case = load_case(f"modeling/{name}.safetensors")
    folder = model_folder(case.meta["model"], module="modeling_lsg_bert")
    assert sorted(p.name for p in folder.glob("*.py")) == ["modeling_lsg_bert.py", "modeling_lsg_roberta.py"]
    model = AUTO[case.meta["class"]].from_pretrained(folder, trust_remote_code=True,
                                                     **json.loads(case.meta["overrides"])).eval()
    assert type(model).__name__ == case.meta["class"] and type(model).__module__.endswith("modeling_lsg_bert")
    overlay(model, case.weights_absent_from_folder(model))
    with torch.no_grad():
        out = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask"),
                    token_type_ids=case.tensor("token_type_ids"))
    checked = [key for key in OUTPUTS if case.has(key)]
    assert checked
    for key in checked:
        tolerance = 1e-5 if key == "last_hidden_state" else 1e-4
        assert max_abs(out[key], case.tensor(key)) < tolerance, key


def test_bert_token_types_matter_and_tie(model_folder):
    folder = model_folder("modeling/lsg-bert", module="modeling_lsg_bert")
    model = AutoModelForMaskedLM.from_pretrained(folder, trust_remote_code=True).eval()
    assert model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()
    ids = torch.full((1, 40), 7)
    with torch.no_grad():
        a = model(input_ids=ids).logits
        b = model(input_ids=ids, token_type_ids=torch.ones_like(ids)).logits
    assert max_abs(a, b) > 1e-3
    with pytest.raises(ValueError, match="190 position embeddings|192 position embeddings|position embeddings"):
        model(input_ids=torch.full((1, 200), 7))


def test_bert_trains_with_checkpointing_and_round_trips(model_folder, tmp_path):
    folder = model_folder("modeling/lsg-bert", module="modeling_lsg_bert")
    model = AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True, num_labels=2).train()
    ids = torch.randint(5, 80, (2, 43), generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1])
    torch.manual_seed(1)
    model(input_ids=ids, labels=labels).loss.backward()
    plain = {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    model.gradient_checkpointing_enable()
    torch.manual_seed(1)
    model(input_ids=ids, labels=labels).loss.backward()
    for k, p in model.named_parameters():
        if k in plain:
            assert max_abs(p.grad, plain[k]) < 1e-6, k
    model.eval().save_pretrained(tmp_path / "saved")
    assert (tmp_path / "saved/modeling_lsg_roberta.py").exists() and (tmp_path / "saved/modeling_lsg_bert.py").exists()
    reloaded = AutoModelForSequenceClassification.from_pretrained(tmp_path / "saved", trust_remote_code=True).eval()
    with torch.no_grad():
        assert max_abs(reloaded(input_ids=ids).logits, model(input_ids=ids).logits) == 0.0
