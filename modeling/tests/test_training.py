"""Training with our classes: backward, dropout, the model card's recipe, gradient checkpointing,
save/load round trips and DDP on PyTorch's own engine."""
import os
import socket
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from transformers import AutoModelForMaskedLM, AutoModelForSequenceClassification

from conftest import max_abs

NO_DROPOUT = {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}


def batch(n=4, length=43, vocab=280, seed=0):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, vocab - 1, (n, length), generator=generator)
    ids[:, 0], ids[:, -1] = 0, 2
    mask = torch.ones_like(ids)
    mask[1, length - 9:] = 0
    ids[1, length - 9:] = 1
    return ids, mask


def classifier(model_folder, **overrides):
    return AutoModelForSequenceClassification.from_pretrained(
        model_folder("runtime/lsg-mlm"), trust_remote_code=True, num_labels=3, **overrides)


def gradients(model):
    return {k: p.grad.detach().clone() for k, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("sparsity", ["norm", "pooling", "lsh", "bos_pooling", "stride", "block_stride", "none"])
def test_backward_reaches_every_used_parameter(model_folder, sparsity):
    model = classifier(model_folder, sparsity_type=sparsity, num_global_tokens=2).train()
    ids, mask = batch()
    model(input_ids=ids, attention_mask=mask, labels=torch.tensor([0, 1, 2, 1])).loss.backward()
    grads = gradients(model)
    assert all(torch.isfinite(g).all() for g in grads.values())
    trainable = {k for k, p in model.named_parameters() if p.requires_grad}
    assert set(grads) == trainable
    globals_grad = grads["roberta.embeddings.global_embeddings.weight"]
    assert float(globals_grad[:2].abs().sum()) > 0 and float(globals_grad[2:].abs().sum()) == 0
    assert float(grads["classifier.out_proj.weight"].abs().sum()) > 0


def test_dropout_only_in_train_mode(model_folder):
    model = classifier(model_folder)
    ids, mask = batch()
    model.train()
    torch.manual_seed(1)
    a = model(input_ids=ids, attention_mask=mask).logits
    torch.manual_seed(2)
    b = model(input_ids=ids, attention_mask=mask).logits
    assert max_abs(a, b) > 1e-4
    model.eval()
    with torch.no_grad():
        c = model(input_ids=ids, attention_mask=mask).logits
        d = model(input_ids=ids, attention_mask=mask).logits
    assert max_abs(c, d) == 0.0


def test_model_card_recipe_trains_only_globals_and_head(model_folder):
    """requires_grad False everywhere but global_embeddings and the classifier; a few AdamW steps."""
    model = classifier(model_folder, **NO_DROPOUT).train()
    trained = [k for k, p in model.named_parameters() if "global_embeddings" in k or k.startswith("classifier.")]
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name in trained
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    ids, mask = batch()
    losses = []
    for _ in range(4):
        optimizer.zero_grad()
        loss = model(input_ids=ids, attention_mask=mask, labels=torch.tensor([0, 1, 2, 1])).loss
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == set(trained)
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("kwargs", [None, {"use_reentrant": True}, {"use_reentrant": False}, "activation"])
def test_gradient_checkpointing_gives_the_same_gradients(model_folder, kwargs):
    """gradient_checkpointing_enable() (both versions) and, on transformers 5, its successor
    activation_checkpointing_enable()."""
    model = classifier(model_folder).train()  # dropout on: checkpointing must replay the same masks
    if kwargs == "activation" and not hasattr(model, "activation_checkpointing_enable"):
        pytest.skip("activation_checkpointing_enable() is new in transformers 5")
    ids, mask = batch()
    labels = torch.tensor([0, 1, 2, 1])
    torch.manual_seed(5)
    model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
    plain = gradients(model)
    model.zero_grad()
    if kwargs == "activation":
        model.activation_checkpointing_enable()
    elif kwargs is None:
        model.gradient_checkpointing_enable()
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
    calls = []
    # The layer's first projection runs again when the backward pass recomputes the layer (non-reentrant
    # checkpointing may stop recomputing early, so a hook at the layer's end would not see it).
    hook = model.roberta.encoder.layer[0].attention.self.query.register_forward_hook(lambda *args: calls.append(1))
    torch.manual_seed(5)
    model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
    hook.remove()
    assert len(calls) == 2, "the layer should be recomputed in the backward pass"
    checkpointed = gradients(model)
    assert set(checkpointed) == set(plain)
    for name, grad in plain.items():
        assert max_abs(checkpointed[name], grad) < 1e-6, name


def test_save_then_load_gives_identical_outputs(model_folder, tmp_path):
    model = AutoModelForMaskedLM.from_pretrained(model_folder("runtime/lsg-mlm"), trust_remote_code=True).eval()
    ids, mask = batch()
    with torch.no_grad():
        expected = model(input_ids=ids, attention_mask=mask).logits
    saved = tmp_path / "saved"
    model.save_pretrained(saved)
    assert (saved / "modeling_lsg_roberta.py").read_text() == (Path(__file__).parents[1] / "modeling_lsg_roberta.py").read_text()
    reloaded = AutoModelForMaskedLM.from_pretrained(saved, trust_remote_code=True).eval()
    assert reloaded.lm_head.decoder.weight.data_ptr() == reloaded.roberta.embeddings.word_embeddings.weight.data_ptr()
    with torch.no_grad():
        got = reloaded(input_ids=ids, attention_mask=mask).logits
    assert max_abs(got, expected) == 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank: int, world: int, port: int, folder: str, weights: str, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        torch.set_num_threads(1)
        model = AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True, num_labels=3,
                                                                   **NO_DROPOUT)
        model.load_state_dict(torch.load(weights))  # the single-process model's random head
        ddp = torch.nn.parallel.DistributedDataParallel(model.train())
        ids, mask = batch()
        labels = torch.tensor([0, 1, 2, 1])
        part = slice(rank * 2, rank * 2 + 2)
        ddp(input_ids=ids[part], attention_mask=mask[part], labels=labels[part]).loss.backward()
        if rank == 0:
            torch.save(gradients(model), out)
        # Both ranks leave together: a rank tearing gloo down while the other still works aborts
        # ("terminate called without an active exception", seen once in 6 runs without this).
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_ddp_two_processes_give_the_full_batch_gradients(model_folder, tmp_path):
    folder = model_folder("runtime/lsg-mlm")
    model = AutoModelForSequenceClassification.from_pretrained(folder, trust_remote_code=True, num_labels=3,
                                                               **NO_DROPOUT).train()
    weights = tmp_path / "weights.pt"
    torch.save(model.state_dict(), weights)
    ids, mask = batch()
    model(input_ids=ids, attention_mask=mask, labels=torch.tensor([0, 1, 2, 1])).loss.backward()
    single = gradients(model)
    out = tmp_path / "ddp-grads.pt"
    mp.spawn(_ddp_worker, args=(2, _free_port(), str(folder), str(weights), str(out)), nprocs=2, join=True)
    distributed = torch.load(out)
    assert set(distributed) == set(single)
    worst = max(max_abs(distributed[k], g) / max(float(g.abs().max()), 1e-3) for k, g in single.items())
    assert worst < 1e-4, worst  # float32 summation order differs between a batch of 4 and two of 2
