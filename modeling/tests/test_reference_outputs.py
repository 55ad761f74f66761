"""Our classes against outputs recorded from lsg-converter 0.1.9's classes on transformers 4.36.2."""
import json
from pathlib import Path

import pytest
import torch
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForMaskedLM,
    AutoModelForMultipleChoice,
    AutoModelForQuestionAnswering,
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
)

from conftest import FIXTURES, RecordedRandn, load_case, max_abs, overlay

HIDDEN_TOLERANCE = 1e-5
LOGIT_TOLERANCE = 1e-4

AUTO_BY_HEAD = {
    "MaskedLM": AutoModelForMaskedLM,
    "SequenceClassification": AutoModelForSequenceClassification,
    "TokenClassification": AutoModelForTokenClassification,
    "QuestionAnswering": AutoModelForQuestionAnswering,
    "MultipleChoice": AutoModelForMultipleChoice,
    "Base": AutoModel,
}
AUTO_BY_CLASS = {
    "LSGRobertaForMaskedLM": AutoModelForMaskedLM,
    "LSGRobertaForSequenceClassification": AutoModelForSequenceClassification,
    "LSGRobertaForTokenClassification": AutoModelForTokenClassification,
    "LSGRobertaForQuestionAnswering": AutoModelForQuestionAnswering,
    "LSGRobertaForMultipleChoice": AutoModelForMultipleChoice,
    "LSGRobertaForCausalLM": AutoModelForCausalLM,
    "LSGRobertaModel": AutoModel,
}

RUNTIME_CASES = sorted(p.name for p in (FIXTURES / "runtime/cases").glob("*.safetensors")
                       if not p.name.startswith("roberta-"))


def load(model_folder, folder: str, auto, overrides):
    model = auto.from_pretrained(model_folder(folder), trust_remote_code=True, **overrides).eval()
    return model


@pytest.mark.parametrize("name", RUNTIME_CASES)
def test_runtime_case(model_folder, name):
    """Every sparsity type, block shape, length, padded batch, global count and head of the runtime cases."""
    case = load_case(f"runtime/cases/{name}")
    head = case.meta["head"]
    model = load(model_folder, f"runtime/{case.meta['model']}", AUTO_BY_HEAD[head], json.loads(case.meta["overrides"]))
    assert type(model).__module__.endswith("modeling_lsg_roberta"), "the folder's remote code must be ours"
    overlay(model, case.tensors)
    ids, mask = case.tensor("input_ids"), case.tensor("attention_mask")
    draws = [case.tensor(f"lsh_projection.{k}")[None, :, None]
             for k in range(sum(1 for key in case.tensors if key.startswith("lsh_projection.")))]
    backbone = model if head == "Base" else model.roberta
    with torch.no_grad(), RecordedRandn(draws):
        flat_ids = ids.view(-1, ids.shape[-1])
        hidden = backbone(input_ids=flat_ids, attention_mask=mask.view(-1, mask.shape[-1])).last_hidden_state
    assert max_abs(hidden, case.tensor("last_hidden_state")) < HIDDEN_TOLERANCE
    if draws:
        return  # the heads below would draw new projections
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask)
    for key in ("logits", "start_logits", "end_logits", "pooler_output"):
        if case.has(key):
            assert max_abs(out[key], case.tensor(key)) < LOGIT_TOLERANCE, key


HEAD_CASES = ["head-MaskedLM", "head-SequenceClassification", "head-SequenceClassificationRegression",
              "head-TokenClassification", "head-QuestionAnswering", "head-Model"]


@pytest.mark.parametrize("name", HEAD_CASES)
def test_head_forward_with_labels_and_hidden_states(model_folder, name):
    """Each head's own forward: loss, logits, all hidden states (uncropped), tuple output."""
    case = load_case(f"modeling/{name}.safetensors")
    model = load(model_folder, case.meta["model"], AUTO_BY_CLASS[case.meta["class"]], json.loads(case.meta["overrides"]))
    overlay(model, case.weights_absent_from_folder(model))
    labels = {k: case.tensor(k) for k in ("labels", "start_positions", "end_positions") if case.has(k)}
    ids, mask = case.tensor("input_ids"), case.tensor("attention_mask")
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, **labels)
        plain = model(input_ids=ids, attention_mask=mask, return_dict=False)
    for key in ("loss", "logits", "start_logits", "end_logits", "last_hidden_state", "pooler_output"):
        if case.has(key):
            tolerance = HIDDEN_TOLERANCE if key == "last_hidden_state" else LOGIT_TOLERANCE
            assert max_abs(out[key], case.tensor(key)) < tolerance, key
    count = int(case.meta["hidden_states"])
    assert len(out.hidden_states) == count
    for i in range(count):
        assert max_abs(out.hidden_states[i], case.tensor(f"hidden_states.{i}")) < HIDDEN_TOLERANCE, i
    assert len(plain) == int(case.meta["tuple_length"])
    first = plain[0]
    expected_first = out.logits if hasattr(out, "logits") and out.logits is not None else (
        out.start_logits if getattr(out, "start_logits", None) is not None else out.last_hidden_state)
    assert max_abs(first, expected_first) == 0.0


def test_multiple_choice(model_folder):
    case = load_case("modeling/head-MultipleChoice.safetensors")
    model = load(model_folder, case.meta["model"], AutoModelForMultipleChoice, {})
    overlay(model, case.weights_absent_from_folder(model))
    with torch.no_grad():
        out = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask"),
                    labels=case.tensor("labels"))
    assert max_abs(out.logits, case.tensor("logits")) < LOGIT_TOLERANCE
    assert max_abs(out.loss, case.tensor("loss")) < LOGIT_TOLERANCE


@pytest.mark.parametrize("length", [12, 43])
def test_inputs_embeds_position_ids_token_type_ids(model_folder, length):
    """Dense (12) and sparse (43) paths with inputs_embeds, explicit position_ids and token_type_ids."""
    case = load_case(f"modeling/inputs-{length}.safetensors")
    model = load(model_folder, case.meta["model"], AutoModelForMaskedLM, {})
    mask = case.tensor("attention_mask")
    with torch.no_grad():
        a = model(inputs_embeds=case.tensor("inputs_embeds"), attention_mask=mask)
        b = model(input_ids=case.tensor("input_ids"), attention_mask=mask, position_ids=case.tensor("position_ids"),
                  token_type_ids=torch.zeros_like(case.tensor("input_ids")))
    assert max_abs(a.logits, case.tensor("embeds_logits")) < LOGIT_TOLERANCE
    assert max_abs(b.logits, case.tensor("positions_logits")) < LOGIT_TOLERANCE


@pytest.mark.parametrize("sparsity", ["norm", "pooling"])
def test_causal_lm_long_path(model_folder, sparsity):
    """LSGRobertaForCausalLM with is_decoder=True: the reference's causal block attention and its loss."""
    case = load_case(f"modeling/causal-{sparsity}.safetensors")
    model = load(model_folder, case.meta["model"], AutoModelForCausalLM, json.loads(case.meta["overrides"]))
    overlay(model, case.weights_absent_from_folder(model))
    with torch.no_grad():
        out = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask"),
                    labels=case.tensor("labels"))
    assert max_abs(out.logits, case.tensor("logits")) < LOGIT_TOLERANCE
    assert max_abs(out.loss, case.tensor("loss")) < LOGIT_TOLERANCE


@pytest.mark.parametrize("length", [5, 16, 43])
def test_causal_outputs_do_not_see_the_future(model_folder, length):
    """Changing later tokens leaves earlier outputs unchanged, on the short path (which crashes in the
    reference) and on the block path."""
    model = load(model_folder, "runtime/lsg-mlm", AutoModelForCausalLM, {"is_decoder": True})
    generator = torch.Generator().manual_seed(3)
    ids = torch.randint(4, 279, (1, length), generator=generator)
    changed = ids.clone()
    changed[0, length // 2:] = torch.randint(4, 279, (length - length // 2,), generator=generator)
    with torch.no_grad():
        a = model(input_ids=ids).logits
        b = model(input_ids=changed).logits
    cut = length // 2
    assert max_abs(a[:, :cut], b[:, :cut]) < 1e-5
    assert max_abs(a[:, cut:], b[:, cut:]) > 1e-3


def test_gradients_match_the_reference(model_folder):
    case = load_case("modeling/gradients.safetensors")
    model = load(model_folder, case.meta["model"], AutoModelForMaskedLM, json.loads(case.meta["overrides"]))
    out = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask"),
                labels=case.tensor("labels"))
    out.loss.backward()
    assert max_abs(out.loss, case.tensor("loss")) < LOGIT_TOLERANCE
    parameters = dict(model.named_parameters())
    checked = [k[len("grad."):] for k in case.tensors if k.startswith("grad.")]
    assert len(checked) == 6
    for name in checked:
        expected = case.tensor(f"grad.{name}")
        scale = float(expected.abs().max())
        assert max_abs(parameters[name].grad, expected) <= 1e-4 * max(scale, 1.0), name


@pytest.mark.parametrize("name", ["lsh-seed-8-8-2-1", "lsh-seed-16-8-2-2"])
def test_lsh_matches_under_the_same_torch_seed(model_folder, name):
    """lsh draws its projections with torch.randn in the reference's order and shapes."""
    case = load_case(f"modeling/{name}.safetensors")
    model = load(model_folder, case.meta["model"], AutoModel, json.loads(case.meta["overrides"]))
    torch.manual_seed(int(case.meta["seed"]))
    with torch.no_grad():
        hidden = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask")).last_hidden_state
    assert max_abs(hidden, case.tensor("last_hidden_state")) < HIDDEN_TOLERANCE


@pytest.mark.parametrize("model_type,module,cls", [
    ("xlm-roberta", "modeling_lsg_xlm_roberta", "LSGXLMRobertaForMaskedLM"),
    ("camembert", "modeling_lsg_camembert", "LSGCamembertForMaskedLM"),
])
def test_other_families(model_folder, model_type, module, cls):
    case = load_case(f"modeling/family-{model_type}.safetensors")
    folder = model_folder(case.meta["model"], module=module, weights=case.meta["weights"])
    assert sorted(p.name for p in Path(folder).glob("*.py")) == sorted([f"{module}.py", "modeling_lsg_roberta.py"])
    config = AutoConfig.from_pretrained(folder, trust_remote_code=True)
    assert type(config).__name__ == cls.replace("ForMaskedLM", "Config") and config.model_type == model_type
    model = AutoModelForMaskedLM.from_pretrained(folder, trust_remote_code=True).eval()
    assert type(model).__name__ == cls and type(model).__module__.endswith(module)
    with torch.no_grad():
        out = model(input_ids=case.tensor("input_ids"), attention_mask=case.tensor("attention_mask"))
    assert max_abs(out.logits, case.tensor("logits")) < LOGIT_TOLERANCE
    assert model.config.auto_map["AutoModelForMaskedLM"] == f"{module}.{cls}"
