"""Bad input gets a clear Python error naming the problem, not a shape error deep inside torch."""
import pytest
import torch
from transformers import AutoModel, AutoModelForMaskedLM

from conftest import max_abs


@pytest.fixture
def folder(model_folder):
    return model_folder("runtime/lsg-mlm")


def test_input_longer_than_the_positions(folder):
    model = AutoModelForMaskedLM.from_pretrained(folder, trust_remote_code=True).eval()
    ids = torch.full((1, 200), 5)  # 194 position rows: at most 192 tokens
    with pytest.raises(ValueError, match=r"200 tokens.*194 position embeddings.*truncat"):
        model(input_ids=ids)
    with torch.no_grad():
        model(input_ids=torch.full((1, 192), 5))  # the longest input that fits


@pytest.mark.parametrize("overrides,message", [
    ({"sparsity_type": "sparse"}, r"sparsity_type='sparse' is unknown"),
    ({"num_global_tokens": 0}, r"num_global_tokens=0 must be between 1 and 512"),
    ({"num_global_tokens": 513}, r"num_global_tokens=513 must be between 1 and 512"),
    ({"block_size": 0}, r"block_size=0 must be >= 1"),
    ({"block_size": 12, "sparsity_factor": 5}, r"block_size=12 must be a multiple of sparsity_factor=5"),
    ({"block_size": 12, "sparsity_factor": 4}, r"block_size / sparsity_factor = 3 is odd"),
    ({"block_size": 8, "sparse_block_size": 3, "sparsity_type": "norm"}, r"must divide block_size=8"),
    ({"block_size": 4, "sparse_block_size": 8, "sparsity_factor": 4, "sparsity_type": "lsh"}, r"no hash bucket pair"),
    ({"sparsity_factor": -1}, r"must be >= 0"),
    ({"block_size": 8.5}, r"block_size must be an integer"),
])
def test_unusable_lsg_config_is_refused(folder, overrides, message):
    with pytest.raises(ValueError, match=message):
        AutoModel.from_pretrained(folder, trust_remote_code=True, **overrides)


def test_accepted_corner_configs_run(folder):
    """Shapes the reference handles (step 1, sf 1, no sparse part) still load and run."""
    for overrides in ({"block_size": 8, "sparsity_factor": 8}, {"sparsity_factor": 1}, {"sparsity_type": None},
                      {"sparse_block_size": 0}):
        model = AutoModel.from_pretrained(folder, trust_remote_code=True, **overrides).eval()
        with torch.no_grad():
            out = model(input_ids=torch.full((2, 41), 5)).last_hidden_state
        assert out.shape == (2, 41, 32) and torch.isfinite(out).all()


def test_other_bad_inputs(folder):
    model = AutoModel.from_pretrained(folder, trust_remote_code=True).eval()
    ids = torch.full((2, 20), 5)
    with pytest.raises(ValueError, match="exactly one of input_ids and inputs_embeds"):
        model()
    with pytest.raises(ValueError, match="attention_mask must be 2-D"):
        model(input_ids=ids, attention_mask=torch.ones(2, 20, 20))
    with pytest.raises(ValueError, match=r"attention_mask has shape \(2, 19\)"):
        model(input_ids=ids, attention_mask=torch.ones(2, 19))
    with pytest.raises(ValueError, match=r"token type ids must be in 0..0"):
        model(input_ids=ids, token_type_ids=torch.ones_like(ids))
    with pytest.raises(ValueError, match="output_attentions is not supported"):
        model(input_ids=ids, output_attentions=True)
    adaptive_off = AutoModel.from_pretrained(folder, trust_remote_code=True, adaptive=False).eval()
    with pytest.raises(ValueError, match="multiple of block_size=8"):
        adaptive_off(input_ids=torch.full((1, 41), 5))


def test_config_overrides_reach_the_model(folder):
    """Every config key can be overridden at load time; the runtime cases cover their numerics."""
    model = AutoModel.from_pretrained(folder, trust_remote_code=True, sparsity_type="pooling", block_size=16,
                                      sparse_block_size=16, sparsity_factor=4, num_global_tokens=3,
                                      mask_first_token=True, pool_with_global=False).eval()
    attention = model.encoder.layer[0].attention.self
    assert (attention.sparsity_type, attention.block_size, attention.sparsity_factor, attention.num_global_tokens) == \
        ("pooling", 16, 4, 3)
    assert model.config.pool_with_global is True  # forced by mask_first_token, as in the reference
    default = AutoModel.from_pretrained(folder, trust_remote_code=True).eval()
    ids = torch.full((1, 50), 5)
    with torch.no_grad():
        assert max_abs(model(input_ids=ids).last_hidden_state, default(input_ids=ids).last_hidden_state) > 1e-3
