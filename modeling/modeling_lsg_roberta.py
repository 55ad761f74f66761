# coding=utf-8
# LSG (Local + Sparse + Global) attention for the RoBERTa family, written by lsg-convert.
#
# This file is loaded by `AutoModel.from_pretrained(folder, trust_remote_code=True)` for folders that
# `lsg-convert` writes or upgrades. It keeps the module, class, config and parameter names of the
# `lsg-converter` 0.1.9 package (ccdv-ai, MIT), so that `auto_map`, existing LSG checkpoints and their
# model cards keep working, and it gives the same numbers as that package's classes. It relies only on
# the stable public API of transformers (PreTrainedModel, the config base class, model outputs,
# activations), so one file works with transformers 4.36 through 5.x and torch 2.x.
#
# Semantics (block-local + sparse + global attention, adaptive padding, pooling with the first global
# token) follow the reference exactly, including the quirks documented in lsg-convert's
# docs/runtime-quirks.md; where the reference crashes (configs whose sparse windows cannot be built, the
# causal short path) this file raises a clear error or implements what the reference intended.
"""LSG attention models for RoBERTa (`LSGRoberta*`), the base of the XLM-R and CamemBERT files."""

import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from torch.utils.checkpoint import checkpoint

from transformers import PreTrainedModel
from transformers.activations import ACT2FN
from transformers.modeling_outputs import (
    BaseModelOutputWithPoolingAndCrossAttentions,
    CausalLMOutputWithCrossAttentions,
    MaskedLMOutput,
    MultipleChoiceModelOutput,
    QuestionAnsweringModelOutput,
    SequenceClassifierOutput,
    TokenClassifierOutput,
)
from transformers.utils import logging

try:  # transformers >= 5 renamed the config base class (the old name stays as an alias there)
    from transformers import PreTrainedConfig as _ConfigBase
except ImportError:  # transformers 4.x
    from transformers import PretrainedConfig as _ConfigBase

try:  # transformers >= 5: init helpers that skip parameters already loaded from the checkpoint
    from transformers import initialization as _hf_init
except ImportError:  # transformers 4.x only calls _init_weights on modules whose weights are missing
    _hf_init = None

logger = logging.get_logger(__name__)

#: Version of this modeling file; `lsg-convert verify` checks that a folder carries the current one.
LSG_MODELING_VERSION = "1"

SPARSITY_TYPES = (None, "none", "norm", "lsh", "pooling", "stride", "block_stride", "bos_pooling")
MAX_GLOBAL_TOKENS = 512  # the global embedding table always has 512 rows (reference layout)


def _auto_map(module: str, stem: str) -> Dict[str, str]:
    """The `auto_map` of a family: the 7 model classes of the reference's AUTO_MAP plus AutoConfig."""
    heads = {
        "AutoModel": "Model",
        "AutoModelForCausalLM": "ForCausalLM",
        "AutoModelForMaskedLM": "ForMaskedLM",
        "AutoModelForMultipleChoice": "ForMultipleChoice",
        "AutoModelForQuestionAnswering": "ForQuestionAnswering",
        "AutoModelForSequenceClassification": "ForSequenceClassification",
        "AutoModelForTokenClassification": "ForTokenClassification",
    }
    out = {"AutoConfig": f"{module}.LSG{stem}Config"}
    out.update({key: f"{module}.LSG{stem}{suffix}" for key, suffix in heads.items()})
    return out


# ----------------------------------------------------------------------------------------------------
# Configuration
# ----------------------------------------------------------------------------------------------------


class LSGRobertaConfig(_ConfigBase):
    """Configuration of LSG-RoBERTa; mirrors `lsg_converter.roberta.modeling_lsg_roberta.LSGRobertaConfig`.

    It holds RoBERTa's keys (with `RobertaConfig`'s defaults) and the LSG keys with the reference's
    defaults. Values the reference silently clamps or ignores and that cannot work (an unknown
    sparsity type, `num_global_tokens` outside 1..512, block sizes that do not divide) raise a
    `ValueError` naming the key, instead of a shape error deep inside torch.
    """

    model_type = "roberta"
    base_model_prefix = "lsg"
    lsg_module = "modeling_lsg_roberta"
    lsg_stem = "Roberta"
    default_vocab_size = 50265  # RobertaConfig's
    default_special_ids = (1, 0, 2)  # RobertaConfig's pad, bos, eos

    def __init__(
        self,
        vocab_size=None,
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        hidden_act="gelu",
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        max_position_embeddings=512,
        type_vocab_size=2,
        initializer_range=0.02,
        layer_norm_eps=1e-12,
        pad_token_id=None,
        bos_token_id=None,
        eos_token_id=None,
        position_embedding_type="absolute",
        use_cache=True,
        classifier_dropout=None,
        adaptive=True,
        base_model_prefix="lsg",
        block_size=128,
        lsh_num_pre_rounds=1,
        mask_first_token=False,
        num_global_tokens=1,
        pool_with_global=True,
        sparse_block_size=128,
        sparsity_factor=2,
        sparsity_type="norm",
        **kwargs,
    ):
        # RoBERTa ties the MLM decoder to the word embeddings; transformers 5 only ties when the config
        # says so, and lsg-converter's configs do not write the key (4.x's default was True).
        kwargs.setdefault("tie_word_embeddings", True)
        kwargs.setdefault("is_decoder", False)
        kwargs.setdefault("add_cross_attention", False)
        pad_token_id, bos_token_id, eos_token_id = (
            self.default_special_ids[i] if value is None else value
            for i, value in enumerate((pad_token_id, bos_token_id, eos_token_id)))
        super().__init__(pad_token_id=pad_token_id, bos_token_id=bos_token_id, eos_token_id=eos_token_id, **kwargs)
        for key in ("tie_word_embeddings", "is_decoder", "add_cross_attention"):
            # transformers 5's base class no longer declares these: keep them as plain attributes.
            if not hasattr(self, key):
                setattr(self, key, kwargs[key])
        self.pad_token_id = pad_token_id
        self.bos_token_id = bos_token_id
        self.eos_token_id = eos_token_id
        self.vocab_size = vocab_size if vocab_size is not None else self.default_vocab_size
        self.hidden_size = hidden_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.intermediate_size = intermediate_size
        self.hidden_act = hidden_act
        self.hidden_dropout_prob = hidden_dropout_prob
        self.attention_probs_dropout_prob = attention_probs_dropout_prob
        self.max_position_embeddings = max_position_embeddings
        self.type_vocab_size = type_vocab_size
        self.initializer_range = initializer_range
        self.layer_norm_eps = layer_norm_eps
        self.position_embedding_type = position_embedding_type
        self.use_cache = use_cache
        self.classifier_dropout = classifier_dropout

        self.adaptive = adaptive
        self.auto_map = _auto_map(self.lsg_module, self.lsg_stem)
        self.base_model_prefix = base_model_prefix
        self.block_size = block_size
        self.lsh_num_pre_rounds = lsh_num_pre_rounds
        self.mask_first_token = mask_first_token
        self.num_global_tokens = num_global_tokens
        self.pool_with_global = pool_with_global
        self.sparse_block_size = sparse_block_size
        self.sparsity_factor = sparsity_factor
        self.sparsity_type = sparsity_type
        self._validate_lsg()

    def _validate_lsg(self) -> None:
        """Checks the LSG keys; see the class docstring. Models check again when they are built, because
        `from_pretrained(folder, key=value)` sets overrides on the config after `__init__`."""
        check_lsg_config(self)


def check_lsg_config(config) -> None:
    """Raises ValueError for unusable LSG keys and applies the reference's one coercion
    (`mask_first_token` forces `pool_with_global`)."""
    _require_lsg_config(config)
    if config.mask_first_token and not config.pool_with_global:
        logger.warning("mask_first_token=True needs pool_with_global=True (as in lsg-converter): setting it.")
        config.pool_with_global = True
    if getattr(config, "position_embedding_type", "absolute") != "absolute":
        logger.warning("LSG attention supports only absolute position embeddings; "
                       f"position_embedding_type={config.position_embedding_type!r} is treated as 'absolute'.")
    if config.sparsity_type in ("stride", "block_stride") and config.sparsity_factor > config.num_attention_heads:
        logger.warning("sparsity_factor > num_attention_heads is not recommended for stride/block_stride sparsity.")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require_lsg_config(config) -> None:
    """Raises ValueError for LSG settings the attention cannot run with (the reference crashes or clamps)."""
    def fail(message: str) -> None:
        raise ValueError(f"{type(config).__name__}: {message}")

    if config.sparsity_type not in SPARSITY_TYPES:
        fail(f"sparsity_type={config.sparsity_type!r} is unknown; use one of "
             f"{', '.join(repr(t) for t in SPARSITY_TYPES)}")
    for key in ("block_size", "sparse_block_size", "sparsity_factor", "num_global_tokens", "lsh_num_pre_rounds"):
        if not _is_int(getattr(config, key)):
            fail(f"{key} must be an integer, got {getattr(config, key)!r}")
    if not 1 <= config.num_global_tokens <= MAX_GLOBAL_TOKENS:
        fail(f"num_global_tokens={config.num_global_tokens} must be between 1 and {MAX_GLOBAL_TOKENS} "
             "(the global embedding table has 512 rows)")
    if config.block_size < 1:
        fail(f"block_size={config.block_size} must be >= 1")
    if config.sparse_block_size < 0 or config.sparsity_factor < 0:
        fail("sparse_block_size and sparsity_factor must be >= 0 (0 disables the sparse part)")
    if config.lsh_num_pre_rounds < 0:
        fail(f"lsh_num_pre_rounds={config.lsh_num_pre_rounds} must be >= 0")
    if config.hidden_size % config.num_attention_heads != 0:
        fail(f"hidden_size={config.hidden_size} is not a multiple of num_attention_heads={config.num_attention_heads}")
    if not _has_sparse_part(config):
        return
    sf, bs, sbs = config.sparsity_factor, config.block_size, config.sparse_block_size
    if bs % sf != 0:
        fail(f"block_size={bs} must be a multiple of sparsity_factor={sf}")
    step = bs // sf
    if step > 1 and step % 2 == 1:
        # The reference builds one sparse window fewer than there are blocks and crashes in `cat`.
        fail(f"block_size / sparsity_factor = {step} is odd: the sparse windows cannot be built "
             "(use an even ratio, or 1)")
    if sf > 1 and config.sparsity_type in ("norm", "lsh"):
        chunk = min(bs, sbs)
        if bs % chunk != 0:
            fail(f"{config.sparsity_type} sparsity selects per chunk of min(block_size, sparse_block_size) = "
                 f"{chunk} tokens, which must divide block_size={bs}")
        if chunk % sf != 0:
            fail(f"{config.sparsity_type} sparsity needs min(block_size, sparse_block_size) = {chunk} to be a "
                 f"multiple of sparsity_factor={sf}")
        if config.sparsity_type == "lsh" and sf != sbs and chunk // sf < 2:
            fail(f"lsh sparsity with min(block_size, sparse_block_size) / sparsity_factor = {chunk // sf} has no "
                 "hash bucket pair (the reference crashes); use a larger chunk or sparsity_factor == sparse_block_size")


def _has_sparse_part(config) -> bool:
    return bool(config.sparse_block_size) and config.sparsity_factor > 0 and config.sparsity_type not in (None, "none")


# ----------------------------------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------------------------------


_USE_SDPA = hasattr(F, "scaled_dot_product_attention")


def _attend(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: Optional[torch.Tensor],
            dropout: nn.Dropout) -> torch.Tensor:
    """softmax(Q Kᵀ / √d + mask) V over the last two dims; query (..., Lq, d), key/value (..., Lk, d),
    mask additive and broadcastable to (..., Lq, Lk).

    Without dropout, uses torch's fused scaled_dot_product_attention (leading dims flattened), which keeps
    no probability matrix; with dropout, torch would fall back to a path that also keeps scaled copies
    of Q and K for the backward pass, so the reference's formula is used (measured: docs/benchmarks.md)."""
    if _USE_SDPA and not (dropout.training and dropout.p > 0):
        lead = query.shape[:-2]
        q = query.reshape(-1, 1, *query.shape[-2:])
        k = key.expand(*lead, *key.shape[-2:]).reshape(-1, 1, *key.shape[-2:])
        v = value.expand(*lead, *value.shape[-2:]).reshape(-1, 1, *value.shape[-2:])
        m = None
        if mask is not None:
            m = mask.to(query.dtype).expand(*lead, mask.shape[-2], key.shape[-2]).reshape(-1, 1, mask.shape[-2], key.shape[-2])
        p = dropout.p if dropout.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=m, dropout_p=p)
        return out.reshape(*lead, *out.shape[-2:])
    scores = query @ key.transpose(-1, -2) / math.sqrt(query.shape[-1])
    if mask is not None:
        scores = scores + mask
    return dropout(torch.softmax(scores, dim=-1)) @ value


def _sparse_window_index(n_blocks: int, block_size: int, sparse_block_size: int, sparsity_factor: int,
                         causal: bool) -> List[int]:
    """Sparse-sequence coordinates each block sees, flattened (n_blocks x window), out-of-range allowed.

    This is the reference's pad/unfold/slice construction written as index arithmetic: window i covers
    coordinates [i*step - pad, i*step - pad + 6*sbs); the left part is window[u-sbs:u] and the right part
    window[-u2:-u2+sbs], with Python slice semantics (which is why some shapes lose part of a window).
    In the causal variant only the left part exists.
    """
    step = block_size // sparsity_factor
    odd = step % 2
    size = 6 * sparse_block_size
    pad = (size - step) // 2 + odd
    u = (size - (3 * block_size) // sparsity_factor) // 2 + odd
    u2 = u + odd
    out: List[int] = []
    for i in range(n_blocks):
        window = range(i * step - pad, i * step - pad + size)
        out.extend(window[u - sparse_block_size:u])
        if not causal:
            out.extend(window[-u2:-u2 + sparse_block_size])
    return out


class LSGSelfAttention(nn.Module):
    """Block-local + sparse + global self-attention; mirrors the reference's `LSGSelfAttention`.

    Parameters `query`, `key`, `value` as in RoBERTa. Input hidden states (n, G + t', D) with the G
    global tokens first; `token_mask` the additive mask of the t' non-global tokens (n, t').
    """

    def __init__(self, config):
        super().__init__()
        self.num_heads = config.num_attention_heads
        self.head_dim = config.hidden_size // config.num_attention_heads
        all_head = self.num_heads * self.head_dim
        self.query = nn.Linear(config.hidden_size, all_head)
        self.key = nn.Linear(config.hidden_size, all_head)
        self.value = nn.Linear(config.hidden_size, all_head)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

        self.block_size = config.block_size
        self.sparse_block_size = config.sparse_block_size
        self.sparsity_factor = config.sparsity_factor
        self.sparsity_type = config.sparsity_type
        self.num_global_tokens = config.num_global_tokens
        self.lsh_num_pre_rounds = config.lsh_num_pre_rounds
        self.is_causal = bool(config.is_decoder)
        self.has_sparse = _has_sparse_part(config)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """(n, T, D) -> (n, h, T, d)."""
        n, t, _ = x.shape
        return x.view(n, t, self.num_heads, self.head_dim).transpose(1, 2)

    def _merge(self, x: torch.Tensor) -> torch.Tensor:
        """(n, h, T, d) -> (n, T, D)."""
        n, h, t, d = x.shape
        return x.transpose(1, 2).reshape(n, t, h * d)

    def forward(self, hidden_states: torch.Tensor, token_mask: torch.Tensor,
                encoder_hidden_states: Optional[torch.Tensor] = None,
                encoder_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        query = self._heads(self.query(hidden_states))
        if encoder_hidden_states is not None:
            # Cross-attention is plain full attention over the encoder's states (as in the reference).
            key = self._heads(self.key(encoder_hidden_states))
            value = self._heads(self.value(encoder_hidden_states))
            mask = None if encoder_mask is None else encoder_mask[:, None, None, :]
            return self._merge(_attend(query, key, value, mask, self.dropout))
        key = self._heads(self.key(hidden_states))
        value = self._heads(self.value(hidden_states))
        if self.is_causal:
            return self._merge(self._causal(query, key, value, token_mask))
        return self._merge(self._bidirectional(query, key, value, token_mask))

    # -- bidirectional (encoder) ------------------------------------------------------------------
    def _bidirectional(self, query, key, value, token_mask):
        n, h, total, d = query.shape
        g = self.num_global_tokens
        full_mask = F.pad(token_mask, (g, 0), value=0.0)[:, None, None, :]  # globals are never masked
        if total <= 2 * self.block_size + g:
            return _attend(query, key, value, full_mask, self.dropout)
        global_out = _attend(query[:, :, :g], key, value, full_mask, self.dropout)
        q, k, v = query[:, :, g:], key[:, :, g:], value[:, :, g:]
        block_out = self._blocks(q, k, v, key[:, :, :g], value[:, :, :g], token_mask)
        return torch.cat([global_out, block_out], dim=2)

    # -- causal (decoder) -------------------------------------------------------------------------
    def _causal(self, query, key, value, token_mask):
        # The reference gives global tokens their own query vector as "context" (they attend to nothing);
        # non-global tokens attend to the globals, the sparse tokens on their left and, causally, to the
        # previous and current blocks.
        n, h, total, d = query.shape
        g = self.num_global_tokens
        t = total - g
        q, k, v = query[:, :, g:], key[:, :, g:], value[:, :, g:]
        if total <= 2 * self.block_size + g:
            # The reference crashes here (its causal mask is sized for one block); this is what it intends:
            # globals visible, causal over the tokens.
            future = torch.ones(t, t, dtype=torch.bool, device=query.device).triu(1)
            causal = torch.zeros(t, t, dtype=query.dtype, device=query.device)
            causal = causal.masked_fill(future, torch.finfo(query.dtype).min)
            mask = torch.cat([torch.zeros(t, g, dtype=query.dtype, device=query.device), causal], dim=-1)
            mask = torch.maximum(F.pad(token_mask, (g, 0), value=0.0)[:, None, None, :] + mask,
                                 torch.tensor(torch.finfo(query.dtype).min, dtype=query.dtype, device=query.device))
            out = _attend(q, key, value, mask, self.dropout)
        else:
            out = self._blocks(q, k, v, key[:, :, :g], value[:, :, :g], token_mask)
        return torch.cat([query[:, :, :g], out], dim=2)

    # -- block-local + sparse + global ------------------------------------------------------------
    def _blocks(self, q, k, v, global_k, global_v, token_mask):
        """Attention of the non-global queries q (n, h, t', d), t' a multiple of block_size, over: the G
        global keys, the sparse keys on both sides of the local window, and the 3 (causal: 2) local blocks.
        Out-of-range keys are zero vectors with a MIN mask, as in the reference. Returns (n, h, t', d)."""
        n, h, t, d = q.shape
        bs, g = self.block_size, self.num_global_tokens
        if t % bs != 0:
            raise ValueError(f"LSG attention needs a length that is a multiple of block_size={bs} once the "
                             f"{g} global tokens are removed, got {t}: enable `adaptive` (pads automatically) "
                             "or pad the input yourself")
        nb = t // bs
        mask_min = torch.finfo(q.dtype).min
        m = token_mask[:, None, :].to(q.dtype)  # (n, 1, t')

        keys = [global_k[:, :, None].expand(n, h, nb, g, d)]
        values = [global_v[:, :, None].expand(n, h, nb, g, d)]
        masks = [torch.zeros(n, 1, nb, g, dtype=q.dtype, device=q.device)]

        if self.has_sparse:
            sk, sv, sm = self._sparse_tokens(q, k, v, m)
            if sk is not None:
                wk, wv, wm = self._sparse_windows(sk, sv, sm, nb, mask_min)
                keys.append(wk)
                values.append(wv)
                masks.append(wm)

        # Local window of block i: blocks i-1, i, i+1 (causal: i-1 and i), zero-padded at both ends.
        span = (2 if self.is_causal else 3) * bs
        kp = F.pad(k, (0, 0, bs, bs))
        vp = F.pad(v, (0, 0, bs, bs))
        mp = F.pad(m, (bs, bs), value=mask_min)
        keys.append(kp.unfold(2, 3 * bs, bs)[..., :span].transpose(-1, -2))
        values.append(vp.unfold(2, 3 * bs, bs)[..., :span].transpose(-1, -2))
        masks.append(mp.unfold(2, 3 * bs, bs)[..., :span])

        key_blocks = torch.cat(keys, dim=-2)  # (n, h, nb, K, d)
        value_blocks = torch.cat(values, dim=-2)
        mask = torch.cat([x.expand(n, h, nb, -1) for x in masks], dim=-1)[:, :, :, None, :]  # (n, h, nb, 1, K)
        if self.is_causal:
            future = torch.ones(bs, bs, dtype=torch.bool, device=q.device).triu(1)
            causal = torch.zeros(bs, mask.shape[-1], dtype=q.dtype, device=q.device)
            causal[:, -bs:] = causal[:, -bs:].masked_fill(future, mask_min)
            mask = torch.maximum(mask + causal, torch.tensor(mask_min, dtype=q.dtype, device=q.device))
        out = _attend(q.reshape(n, h, nb, bs, d), key_blocks, value_blocks, mask, self.dropout)
        return out.reshape(n, h, t, d)

    def _sparse_windows(self, sk, sv, sm, nb, mask_min):
        """Gathers the sparse keys of every block's window: (n, h, nb, W, d) keys/values, (n, h, nb, W) mask."""
        n, h, s, d = sk.shape
        index = _sparse_window_index(nb, self.block_size, self.sparse_block_size, self.sparsity_factor, self.is_causal)
        width = len(index) // nb
        idx = torch.tensor(index, dtype=torch.long, device=sk.device)
        valid = (idx >= 0) & (idx < s)
        safe = idx.clamp(0, max(s - 1, 0))
        keep = valid.to(sk.dtype)[:, None]
        wk = (sk[:, :, safe] * keep).view(n, h, nb, width, d)
        wv = (sv[:, :, safe] * keep).view(n, h, nb, width, d)
        wm = torch.where(valid, sm[:, :, safe], torch.tensor(mask_min, dtype=sm.dtype, device=sm.device))
        return wk, wv, wm.view(sm.shape[0], sm.shape[1], nb, width).to(sk.dtype)

    # -- sparse selection (reference §7.4) --------------------------------------------------------
    def _sparse_tokens(self, q, k, v, m):
        """Sparse keys/values (n, h, S, d) and additive mask (n, h|1, S) for the sparsity type; m is (n, 1, t')."""
        if self.sparsity_factor == 1:
            return k, v, m
        select = {
            "norm": self._sparse_norm,
            "pooling": self._sparse_pooling,
            "stride": self._sparse_stride,
            "block_stride": self._sparse_block_stride,
            "bos_pooling": self._sparse_bos_pooling,
            "lsh": self._sparse_lsh,
        }[self.sparsity_type]
        return select(q, k, v, m)

    def _gather(self, k, v, m, index):
        """k/v (n, h, t, d) and m (n, 1, t) at positions index (n|1, h, S)."""
        n, h, _, d = k.shape
        index = index.expand(n, h, -1)
        gk = k.gather(2, index[..., None].expand(-1, -1, -1, d))
        gv = v.gather(2, index[..., None].expand(-1, -1, -1, d))
        gm = m.expand(n, h, -1).gather(2, index)
        return gk, gv, gm

    def _sparse_norm(self, q, k, v, m):
        # Per chunk of c = min(bs, sbs) tokens, keep the c/sf keys of largest norm (masked keys score 0),
        # in ascending order of norm, as the reference's argsort + split does.
        n, h, t, d = k.shape
        chunk = min(self.block_size, self.sparse_block_size)
        keep = chunk // self.sparsity_factor
        with torch.no_grad():
            score = k.detach().norm(dim=-1) * (m == 0)  # (n, h, t)
            order = score.view(n, h, t // chunk, chunk).argsort(dim=-1)[..., chunk - keep:]
            order = order + torch.arange(0, t, chunk, device=k.device)[None, None, :, None]
        return self._gather(k, v, m, order.reshape(n, h, -1))

    def _sparse_pooling(self, q, k, v, m):
        # Mean of the unmasked keys of each group of sf tokens; a fully masked group is masked.
        n, h, t, d = k.shape
        sf = self.sparsity_factor
        keep = (m == 0).to(k.dtype).view(n, 1, t // sf, sf, 1)
        count = keep.sum(dim=-2)  # (n, 1, S, 1)
        sk = (k.view(n, h, t // sf, sf, d) * keep).sum(dim=-2) / (count + 1e-6)
        sv = (v.view(n, h, t // sf, sf, d) * keep).sum(dim=-2) / (count + 1e-6)
        sm = (1.0 - count.clamp(0, 1)) * torch.finfo(count.dtype).min
        return sk, sv, sm[..., 0]

    def _sparse_stride(self, q, k, v, m):
        # Head hh takes positions j*sf + (hh mod sf).
        n, h, t, d = k.shape
        sf = self.sparsity_factor
        heads = torch.arange(h, device=k.device) % sf
        index = torch.arange(t // sf, device=k.device)[None, :] * sf + heads[:, None]
        return self._gather(k, v, m, index[None])

    def _sparse_block_stride(self, q, k, v, m):
        # Within every block, head hh takes the bs/sf consecutive offsets (hh*w + r) mod bs.
        n, h, t, d = k.shape
        bs = self.block_size
        width = bs // self.sparsity_factor
        offsets = (torch.arange(width, device=k.device)[None, :] + torch.arange(h, device=k.device)[:, None] * width) % bs
        starts = torch.arange(0, t, bs, device=k.device)
        index = (starts[None, :, None] + offsets[:, None, :]).reshape(h, -1)
        return self._gather(k, v, m, index[None])

    def _sparse_bos_pooling(self, q, k, v, m):
        # Attention-weighted mean of each group of sf keys, weighted by the first non-global query.
        n, h, t, d = k.shape
        sf = self.sparsity_factor
        groups = t // sf
        kg = k.view(n, h, groups, sf, d)
        vg = v.view(n, h, groups, sf, d)
        mg = m.view(n, 1, groups, 1, sf)
        scores = (q[:, :, None, :1, :] @ kg.transpose(-1, -2)) / math.sqrt(d) + mg  # (n, h, S, 1, sf)
        weights = torch.softmax(scores, dim=-1)
        sk = (weights @ kg)[..., 0, :]
        sv = (weights @ vg)[..., 0, :]
        # Reference quirk, reproduced: a group is masked only if the float mean of its mask equals MIN
        # exactly; summing >= 2 MINs overflows to -inf in float32, so padded groups stay attendable.
        mean = mg.mean(dim=-1)[..., 0]  # (n, 1, S)
        mask_min = torch.finfo(mean.dtype).min
        sm = torch.where(mean == mask_min, mean, torch.zeros_like(mean))
        return sk, sv, sm

    def _sparse_lsh(self, q, k, v, m):
        # Random-hyperplane hashing of the keys of each chunk into buckets, then bucket means. Projections
        # are drawn with torch.randn on every call, in the reference's order and shapes, so a fixed torch
        # seed gives the reference's draws.
        if self.sparsity_factor == self.sparse_block_size:
            return self._sparse_bos_pooling(q, k, v, m)
        n, h, t, d = k.shape
        chunk = min(self.block_size, self.sparse_block_size)
        blocks = t // chunk
        keep = (m == 0).view(n, 1, blocks, chunk, 1)
        keys = k.view(n, h, blocks, chunk, d) * keep
        values = v.view(n, h, blocks, chunk, d) * keep
        counts = keep.expand(n, h, blocks, chunk, 1).to(k.dtype)
        for _ in range(self.lsh_num_pre_rounds):
            keys, values, counts = self._lsh_round(keys, values, counts, chunk)
        keys, values, counts = self._lsh_round(keys, values, counts, chunk // self.sparsity_factor)
        keys = keys / (counts + 1e-8)
        values = values / (counts + 1e-8)
        sm = (1.0 - counts.clamp(0, 1)) * torch.finfo(counts.dtype).min
        return keys.reshape(n, h, -1, d), values.reshape(n, h, -1, d), sm.reshape(n, h, -1)

    def _lsh_round(self, keys, values, counts, buckets):
        n, h, b, t, d = keys.shape
        with torch.no_grad():
            projection = torch.randn(1, h, 1, d, buckets // 2, device=keys.device)
            hashed = (F.normalize(keys, dim=-1) * counts.clamp(0, 1)) @ projection
            index = torch.cat([hashed, -hashed], dim=-1).argmax(dim=-1, keepdim=True)  # (n, h, b, t, 1)
        zeros = torch.zeros(n, h, b, buckets, d, device=keys.device, dtype=keys.dtype)
        keys = zeros.scatter_add(-2, index.expand(-1, -1, -1, -1, d), keys)
        values = zeros.scatter_add(-2, index.expand(-1, -1, -1, -1, d), values)
        counts = torch.zeros(n, h, b, buckets, 1, device=keys.device, dtype=counts.dtype).scatter_add(-2, index, counts)
        return keys, values, counts


class LSGResidualOutput(nn.Module):
    """Projection to hidden_size + dropout + residual LayerNorm: RoBERTa's `attention.output` (from
    hidden_size) and `output` (from intermediate_size), parameters `dense` and `LayerNorm`."""

    def __init__(self, config, in_features: int):
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + residual)


class LSGAttention(nn.Module):
    """`attention.self` + `attention.output`; mirrors the reference's `LSGAttention`."""

    def __init__(self, config):
        super().__init__()
        self.self = LSGSelfAttention(config)
        self.output = LSGResidualOutput(config, config.hidden_size)

    def forward(self, hidden_states, token_mask, encoder_hidden_states=None, encoder_mask=None):
        context = self.self(hidden_states, token_mask, encoder_hidden_states, encoder_mask)
        return self.output(context, hidden_states)


class LSGIntermediate(nn.Module):
    """Feed-forward up projection + activation (`intermediate.dense`)."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        act = config.hidden_act
        self.intermediate_act_fn = ACT2FN[act] if isinstance(act, str) else act

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return self.intermediate_act_fn(self.dense(hidden_states))


class LSGRobertaLayer(nn.Module):
    """One transformer layer with LSG self-attention; mirrors the reference's `LSGRobertaLayer`."""

    def __init__(self, config):
        super().__init__()
        self.attention = LSGAttention(config)
        self.add_cross_attention = bool(config.add_cross_attention)
        if self.add_cross_attention:
            if not config.is_decoder:
                raise ValueError("add_cross_attention=True needs is_decoder=True")
            self.crossattention = _CrossAttention(config)
        self.intermediate = LSGIntermediate(config)
        self.output = LSGResidualOutput(config, config.intermediate_size)

    def forward(self, hidden_states, token_mask, encoder_hidden_states=None, encoder_mask=None):
        attention_output = self.attention(hidden_states, token_mask)
        if self.add_cross_attention and encoder_hidden_states is not None:
            attention_output = self.crossattention(attention_output, encoder_hidden_states, encoder_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class _CrossAttention(nn.Module):
    """Full cross-attention over an encoder's states, with the parameter names of RoBERTa's `crossattention`."""

    def __init__(self, config):
        super().__init__()
        self.self = LSGSelfAttention(config)
        self.output = LSGResidualOutput(config, config.hidden_size)

    def forward(self, hidden_states, encoder_hidden_states, encoder_mask):
        context = self.self(hidden_states, None, encoder_hidden_states, encoder_mask)
        return self.output(context, hidden_states)


class LSGRobertaEncoder(nn.Module):
    """The layer stack with adaptive padding, `mask_first_token` and `pool_with_global`; mirrors the
    reference's `LSGRobertaEncoder`. Input (n, G + t, D) embeddings, additive token mask (n, t)."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.layer = nn.ModuleList([LSGRobertaLayer(config) for _ in range(config.num_hidden_layers)])
        self.gradient_checkpointing = False
        self.num_global_tokens = config.num_global_tokens
        self.block_size = config.block_size
        self.adaptive = config.adaptive
        self.mask_first_token = config.mask_first_token
        self.pool_with_global = config.pool_with_global

    def forward(self, hidden_states: torch.Tensor, token_mask: torch.Tensor,
                encoder_hidden_states: Optional[torch.Tensor] = None, encoder_mask: Optional[torch.Tensor] = None,
                output_hidden_states: bool = False) -> Tuple[torch.Tensor, Optional[Tuple[torch.Tensor, ...]]]:
        """Returns the cropped last hidden state (n, t, D) and, if asked, every layer's uncropped states
        (n, G + t', D), embeddings first, the last one with the pool_with_global copy applied."""
        g = self.num_global_tokens
        t = token_mask.shape[-1]
        mask_min = torch.finfo(token_mask.dtype).min
        if not (self.config.is_decoder and encoder_hidden_states is not None):
            remainder = t % self.block_size
            if self.adaptive and t > 2 * self.block_size and remainder > 0:
                pad = self.block_size - remainder
                hidden_states = F.pad(hidden_states, (0, 0, 0, pad), value=0.0)
                token_mask = F.pad(token_mask, (0, pad), value=mask_min)
            if self.mask_first_token:
                token_mask = token_mask.clone()
                token_mask[:, 0] = mask_min

        all_states = [hidden_states] if output_hidden_states else None
        for layer in self.layer:
            if self.gradient_checkpointing and self.training and torch.is_grad_enabled():
                run = getattr(self, "_gradient_checkpointing_func", None) or _reentrant_checkpoint
                hidden_states = run(layer.__call__, hidden_states, token_mask, encoder_hidden_states, encoder_mask)
            else:
                hidden_states = layer(hidden_states, token_mask, encoder_hidden_states, encoder_mask)
            if all_states is not None:
                all_states.append(hidden_states)

        if self.pool_with_global:
            hidden_states = torch.cat([hidden_states[:, :g], hidden_states[:, :1], hidden_states[:, g + 1:]], dim=1)
            if all_states is not None:
                all_states[-1] = hidden_states
        return hidden_states[:, g:g + t], (tuple(all_states) if all_states is not None else None)


def _reentrant_checkpoint(function, *args):
    return checkpoint(function, *args, use_reentrant=True)


class LSGRobertaEmbeddings(nn.Module):
    """Word + position + token-type embeddings with the global tokens prepended, then LayerNorm;
    mirrors the reference's `LSGRobertaEmbeddings`. Positions start at pad + 1 (RoBERTa's offset)."""

    def __init__(self, config):
        super().__init__()
        self.padding_idx = config.pad_token_id
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size,
                                                padding_idx=config.pad_token_id)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        # Always 512 rows; only the first num_global_tokens are used (reference layout).
        self.global_embeddings = nn.Embedding(MAX_GLOBAL_TOKENS, config.hidden_size)
        self.num_global_tokens = config.num_global_tokens

    def position_ids_for(self, input_ids: Optional[torch.Tensor], inputs_embeds: Optional[torch.Tensor]) -> torch.Tensor:
        """RoBERTa's position ids: cumulative count of non-pad tokens + pad (pads keep pad); for
        `inputs_embeds`, pad + 1 .. pad + t."""
        if input_ids is not None:
            real = input_ids.ne(self.padding_idx).int()
            return (torch.cumsum(real, dim=1).type_as(real) * real).long() + self.padding_idx
        t = inputs_embeds.shape[1]
        ids = torch.arange(self.padding_idx + 1, t + self.padding_idx + 1, dtype=torch.long, device=inputs_embeds.device)
        return ids[None].expand(inputs_embeds.shape[0], t)

    def forward(self, input_ids=None, token_type_ids=None, position_ids=None, inputs_embeds=None) -> torch.Tensor:
        """Returns (n, G + t, D)."""
        if inputs_embeds is None:
            inputs_embeds = self.word_embeddings(input_ids)
        n, t, d = inputs_embeds.shape
        if position_ids is None:
            position_ids = self.position_ids_for(input_ids, inputs_embeds)
        _check_index_range(position_ids, self.position_embeddings.num_embeddings, "position", t)
        if token_type_ids is None:
            token_type_ids = torch.zeros(n, t, dtype=torch.long, device=inputs_embeds.device)
        _check_index_range(token_type_ids, self.token_type_embeddings.num_embeddings, "token type", t)
        embeddings = inputs_embeds + self.token_type_embeddings(token_type_ids) + self.position_embeddings(position_ids)
        globals_ = self.global_embeddings.weight[: self.num_global_tokens][None].expand(n, -1, d)
        embeddings = torch.cat([globals_.to(embeddings.dtype), embeddings], dim=1)
        return self.dropout(self.LayerNorm(embeddings))


def _check_index_range(ids: torch.Tensor, rows: int, what: str, length: int) -> None:
    if ids.numel() == 0:
        return
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= rows:
        if what == "position":
            raise ValueError(
                f"the input has {length} tokens, which needs position id {high}, but this model has only {rows} "
                f"position embeddings (max_position_embeddings={rows}): truncate the input "
                "(e.g. tokenizer(..., truncation=True)) or convert the model to a longer max length")
        raise ValueError(f"{what} ids must be in 0..{rows - 1} (type_vocab_size={rows}), got {low}..{high}")


class LSGRobertaPooler(nn.Module):
    """tanh(dense(first token)) (`pooler.dense`)."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return self.activation(self.dense(hidden_states[:, 0]))


class TiedBiasHead(nn.Module):
    """An MLM head whose `decoder.bias` and `bias` are one parameter (both names are in checkpoints)."""

    zero_init_bias = True

    def _tie_weights(self):
        # transformers 4.x calls this from tie_weights(): keep one bias parameter for both names.
        if self.decoder.bias.device.type == "meta":
            self.decoder.bias = self.bias
        else:
            self.bias = self.decoder.bias


class LSGRobertaLMHead(TiedBiasHead):
    """RoBERTa's MLM head: dense, gelu, layer_norm, decoder (tied to the word embeddings) + bias."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.decoder.bias = self.bias

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.layer_norm(ACT2FN["gelu"](self.dense(features)))
        return self.decoder(x)


class LSGRobertaClassificationHead(nn.Module):
    """RoBERTa's sentence classification head on the first token: dropout, dense, tanh, dropout, out_proj."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(_classifier_dropout(config))
        self.out_proj = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.dropout(features[:, 0, :])
        x = self.dropout(torch.tanh(self.dense(x)))
        return self.out_proj(x)


def _classifier_dropout(config) -> float:
    return config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob


# ----------------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------------


def _flag(value: Optional[bool], config, name: str, default: bool) -> bool:
    if value is not None:
        return bool(value)
    return bool(getattr(config, name, default))


def _return_dict(value: Optional[bool], config) -> bool:
    if value is not None:
        return bool(value)
    # `return_dict` exists in both versions; 5.x deprecates `use_return_dict` (4.x: return_dict and not torchscript).
    return bool(getattr(config, "return_dict", True)) and not getattr(config, "torchscript", False)


class LSGRobertaPreTrainedModel(PreTrainedModel):
    """Weight init and loading rules shared by the LSG classes; mirrors `LSGRobertaPreTrainedModel`."""

    config_class = LSGRobertaConfig
    base_model_prefix = "roberta"
    supports_gradient_checkpointing = True
    _no_split_modules = ["LSGRobertaLayer"]
    # Old checkpoints persisted these buffers; they are rebuilt from the inputs here.
    _keys_to_ignore_on_load_unexpected = [r"position_ids", r"token_type_ids"]

    def _init_weights(self, module: nn.Module) -> None:
        """Normal(0, initializer_range) for Linear/Embedding weights, zero biases, LayerNorm 1/0."""
        std = self.config.initializer_range
        with torch.no_grad():
            if isinstance(module, nn.Linear):
                _init_normal(module.weight, std)
                if module.bias is not None:
                    _init_zeros(module.bias)
            elif isinstance(module, nn.Embedding):
                _init_normal(module.weight, std)
                if module.padding_idx is not None and not getattr(module.weight, "_is_hf_initialized", False):
                    module.weight[module.padding_idx].zero_()
            elif isinstance(module, nn.LayerNorm):
                _init_ones(module.weight)
                _init_zeros(module.bias)
            elif getattr(module, "zero_init_bias", False):  # the MLM heads' separate bias parameter
                _init_zeros(module.bias)


def _init_normal(tensor: torch.Tensor, std: float) -> None:
    if _hf_init is not None:
        _hf_init.normal_(tensor, mean=0.0, std=std)
    else:
        tensor.normal_(mean=0.0, std=std)


def _init_zeros(tensor: torch.Tensor) -> None:
    if _hf_init is not None:
        _hf_init.zeros_(tensor)
    else:
        tensor.zero_()


def _init_ones(tensor: torch.Tensor) -> None:
    if _hf_init is not None:
        _hf_init.ones_(tensor)
    else:
        tensor.fill_(1.0)


class LSGRobertaModel(LSGRobertaPreTrainedModel):
    """The LSG encoder (embeddings with global tokens, LSG layers, optional pooler); mirrors the
    reference's `LSGRobertaModel`. Outputs `last_hidden_state` (n, t, D) and `pooler_output` (n, D)."""

    def __init__(self, config, add_pooling_layer: bool = True):
        super().__init__(config)
        check_lsg_config(config)
        self.embeddings = self._embeddings_class()(config)
        self.encoder = LSGRobertaEncoder(config)
        self.pooler = LSGRobertaPooler(config) if add_pooling_layer else None
        self.post_init()

    @staticmethod
    def _embeddings_class():
        return LSGRobertaEmbeddings

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embeddings.word_embeddings

    def set_input_embeddings(self, value: nn.Embedding) -> None:
        self.embeddings.word_embeddings = value

    def token_mask(self, attention_mask: Optional[torch.Tensor], shape: Tuple[int, int], device) -> torch.Tensor:
        """Additive mask (n, t) in the model's dtype: 0 to attend, finfo.min to mask."""
        if attention_mask is None:
            attention_mask = torch.ones(shape, device=device)
        if attention_mask.dim() != 2:
            raise ValueError(f"attention_mask must be 2-D (batch, tokens) for LSG attention, got shape "
                             f"{tuple(attention_mask.shape)}")
        if tuple(attention_mask.shape) != tuple(shape):
            raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)} but the input is {tuple(shape)}")
        dtype = self.dtype
        return (1.0 - attention_mask.to(dtype)) * torch.finfo(dtype).min

    def forward(
        self,
        input_ids: Optional[torch.Tensor] = None,
        attention_mask: Optional[torch.Tensor] = None,
        token_type_ids: Optional[torch.Tensor] = None,
        position_ids: Optional[torch.Tensor] = None,
        head_mask: Optional[torch.Tensor] = None,
        inputs_embeds: Optional[torch.Tensor] = None,
        encoder_hidden_states: Optional[torch.Tensor] = None,
        encoder_attention_mask: Optional[torch.Tensor] = None,
        past_key_values=None,
        use_cache: Optional[bool] = None,
        output_attentions: Optional[bool] = None,
        output_hidden_states: Optional[bool] = None,
        return_dict: Optional[bool] = None,
        **kwargs,
    ) -> Union[Tuple[torch.Tensor, ...], BaseModelOutputWithPoolingAndCrossAttentions]:
        """input_ids (n, t) or inputs_embeds (n, t, D); attention_mask (n, t) of 0/1. `head_mask` is
        ignored, as in the reference; key/value caching is not supported (`past_key_values` must be None)."""
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("pass exactly one of input_ids and inputs_embeds")
        if past_key_values is not None:
            raise ValueError("LSG models do not support past_key_values (no key/value cache)")
        if _flag(output_attentions, self.config, "output_attentions", False):
            raise ValueError("output_attentions is not supported by LSG attention (the reference fails with an "
                             "IndexError too): its block-sparse weights are never materialised as a (t x t) matrix")
        want_states = _flag(output_hidden_states, self.config, "output_hidden_states", False)
        shape = tuple(input_ids.shape) if input_ids is not None else tuple(inputs_embeds.shape[:2])
        device = input_ids.device if input_ids is not None else inputs_embeds.device
        token_mask = self.token_mask(attention_mask, shape, device)
        encoder_mask = None
        if encoder_hidden_states is not None:
            if encoder_attention_mask is None:
                encoder_attention_mask = torch.ones(encoder_hidden_states.shape[:2], device=device)
            encoder_mask = (1.0 - encoder_attention_mask.to(self.dtype)) * torch.finfo(self.dtype).min

        embeddings = self.embeddings(input_ids=input_ids, token_type_ids=token_type_ids,
                                     position_ids=position_ids, inputs_embeds=inputs_embeds)
        sequence_output, hidden_states = self.encoder(embeddings, token_mask, encoder_hidden_states, encoder_mask,
                                                      output_hidden_states=want_states)
        pooled = self.pooler(sequence_output) if self.pooler is not None else None
        if not _return_dict(return_dict, self.config):
            return (sequence_output, pooled) + ((hidden_states,) if hidden_states is not None else ())
        return BaseModelOutputWithPoolingAndCrossAttentions(
            last_hidden_state=sequence_output, pooler_output=pooled, hidden_states=hidden_states)


class _HeadModel(LSGRobertaPreTrainedModel):
    """Shared plumbing of the head classes: the backbone under `roberta` and tuple outputs."""

    add_pooling_layer = False

    def _backbone(self, config) -> None:
        setattr(self, self.base_model_prefix, self._model_class()(config, add_pooling_layer=self.add_pooling_layer))

    @staticmethod
    def _model_class():
        return LSGRobertaModel

    def _run_backbone(self, input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                      output_attentions, output_hidden_states, **extra):
        return getattr(self, self.base_model_prefix)(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
            position_ids=position_ids, inputs_embeds=inputs_embeds, output_attentions=output_attentions,
            output_hidden_states=output_hidden_states, return_dict=True, **extra)

    @staticmethod
    def _as_tuple(loss, outputs: Sequence[Optional[torch.Tensor]], hidden_states) -> Tuple:
        out = tuple(outputs) + ((hidden_states,) if hidden_states is not None else ())
        return ((loss,) + out) if loss is not None else out


class LSGRobertaForMaskedLM(_HeadModel):
    """LSG encoder + RoBERTa MLM head (`lm_head`, decoder tied to the word embeddings); mirrors
    `LSGRobertaForMaskedLM`. Logits (n, t, vocab)."""

    _expects_decoder = False
    _tied_weights_keys = {
        "lm_head.decoder.weight": "roberta.embeddings.word_embeddings.weight",
        "lm_head.decoder.bias": "lm_head.bias",
    }

    #: Attribute and class of the MLM head (BERT: `cls`, with `cls.predictions.*` parameters).
    lm_head_attribute = "lm_head"

    def __init__(self, config):
        super().__init__(config)
        if config.is_decoder != self._expects_decoder:
            logger.warning(f"{type(self).__name__} expects is_decoder={self._expects_decoder}.")
        self._backbone(config)
        setattr(self, self.lm_head_attribute, self._lm_head_class()(config))
        self.post_init()

    @staticmethod
    def _lm_head_class():
        return LSGRobertaLMHead

    def _mlm_head(self) -> nn.Module:
        return getattr(self, self.lm_head_attribute)

    def get_output_embeddings(self) -> nn.Linear:
        return self._mlm_head().decoder

    def set_output_embeddings(self, new_embeddings: nn.Linear) -> None:
        self._mlm_head().decoder = new_embeddings

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, encoder_hidden_states=None, encoder_attention_mask=None, labels=None,
                output_attentions=None, output_hidden_states=None, return_dict=None, **kwargs):
        """labels (n, t) with -100 for ignored positions."""
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states,
                                 encoder_hidden_states=encoder_hidden_states,
                                 encoder_attention_mask=encoder_attention_mask)
        logits = self._mlm_head()(out.last_hidden_state)
        loss = None
        if labels is not None:
            loss = CrossEntropyLoss()(logits.view(-1, logits.shape[-1]), labels.to(logits.device).view(-1))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (logits,), out.hidden_states)
        return MaskedLMOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


class LSGRobertaForCausalLM(LSGRobertaForMaskedLM):
    """LSG encoder with causal LSG attention + MLM head, trained with next-token loss; mirrors
    `LSGRobertaForCausalLM` (set `is_decoder=True`). Logits (n, t, vocab); no key/value cache."""

    _expects_decoder = True

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, encoder_hidden_states=None, encoder_attention_mask=None, labels=None,
                past_key_values=None, use_cache=None, output_attentions=None, output_hidden_states=None,
                return_dict=None, **kwargs):
        """labels (n, t): the loss predicts token i + 1 from positions <= i (-100 ignored)."""
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states,
                                 encoder_hidden_states=encoder_hidden_states,
                                 encoder_attention_mask=encoder_attention_mask, past_key_values=past_key_values)
        logits = self._mlm_head()(out.last_hidden_state)
        loss = None
        if labels is not None:
            shifted = logits[:, :-1, :].contiguous()
            targets = labels[:, 1:].contiguous().to(logits.device)
            loss = CrossEntropyLoss()(shifted.view(-1, logits.shape[-1]), targets.view(-1))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (logits,), out.hidden_states)
        return CausalLMOutputWithCrossAttentions(loss=loss, logits=logits, hidden_states=out.hidden_states)


class LSGRobertaForSequenceClassification(_HeadModel):
    """LSG encoder + RoBERTa classification head on the first token (global token 0's output when
    `pool_with_global`); mirrors `LSGRobertaForSequenceClassification`. Logits (n, num_labels)."""

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self._backbone(config)
        self._add_classifier(config)
        self.post_init()

    def _add_classifier(self, config) -> None:
        self.classifier = LSGRobertaClassificationHead(config)

    def _classify(self, backbone_output) -> torch.Tensor:
        """Logits (n, num_labels) from the backbone's output (RoBERTa: the head reads the first token)."""
        return self.classifier(backbone_output.last_hidden_state)

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, labels=None, output_attentions=None, output_hidden_states=None,
                return_dict=None, **kwargs):
        """labels (n,): class ids, or floats for regression (num_labels 1), or (n, num_labels) multi-label."""
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states)
        logits = self._classify(out)
        loss = None if labels is None else _sequence_classification_loss(self.config, logits, labels.to(logits.device))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (logits,), out.hidden_states)
        return SequenceClassifierOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


def _sequence_classification_loss(config, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """transformers' rule: regression for 1 label, single-label for integer labels, else multi-label."""
    num_labels = config.num_labels
    if config.problem_type is None:
        if num_labels == 1:
            config.problem_type = "regression"
        elif labels.dtype in (torch.long, torch.int):
            config.problem_type = "single_label_classification"
        else:
            config.problem_type = "multi_label_classification"
    if config.problem_type == "regression":
        if num_labels == 1:
            return MSELoss()(logits.squeeze(), labels.squeeze())
        return MSELoss()(logits, labels)
    if config.problem_type == "single_label_classification":
        return CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))
    return BCEWithLogitsLoss()(logits, labels)


class LSGRobertaForMultipleChoice(_HeadModel):
    """LSG encoder with pooler + linear scorer per choice; mirrors `LSGRobertaForMultipleChoice`.
    Inputs (n, choices, t); logits (n, choices)."""

    add_pooling_layer = True

    @staticmethod
    def _choice_dropout(config) -> float:
        return config.hidden_dropout_prob  # RoBERTa's (BERT's head uses classifier_dropout)

    def __init__(self, config):
        super().__init__(config)
        self._backbone(config)
        self.dropout = nn.Dropout(self._choice_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, 1)
        self.post_init()

    def forward(self, input_ids=None, token_type_ids=None, attention_mask=None, labels=None, position_ids=None,
                head_mask=None, inputs_embeds=None, output_attentions=None, output_hidden_states=None,
                return_dict=None, **kwargs):
        """labels (n,): the index of the right choice."""
        choices = input_ids.shape[1] if input_ids is not None else inputs_embeds.shape[1]

        def flat(x):
            return None if x is None else x.reshape(-1, *x.shape[2:])
        out = self._run_backbone(flat(input_ids), flat(attention_mask), flat(token_type_ids), flat(position_ids),
                                 flat(inputs_embeds), output_attentions, output_hidden_states)
        logits = self.classifier(self.dropout(out.pooler_output)).view(-1, choices)
        loss = None if labels is None else CrossEntropyLoss()(logits, labels.to(logits.device))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (logits,), out.hidden_states)
        return MultipleChoiceModelOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


class LSGRobertaForTokenClassification(_HeadModel):
    """LSG encoder + dropout + linear per token; mirrors `LSGRobertaForTokenClassification`.
    Logits (n, t, num_labels)."""

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self._backbone(config)
        self.dropout = nn.Dropout(_classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, labels=None, output_attentions=None, output_hidden_states=None,
                return_dict=None, **kwargs):
        """labels (n, t) with -100 for ignored tokens."""
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states)
        logits = self.classifier(self.dropout(out.last_hidden_state))
        loss = None
        if labels is not None:
            loss = CrossEntropyLoss()(logits.view(-1, self.num_labels), labels.to(logits.device).view(-1))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (logits,), out.hidden_states)
        return TokenClassifierOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


class LSGRobertaForQuestionAnswering(_HeadModel):
    """LSG encoder + span start/end scorer (`qa_outputs`); mirrors `LSGRobertaForQuestionAnswering`.
    start_logits / end_logits (n, t)."""

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self._backbone(config)
        self.qa_outputs = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, start_positions=None, end_positions=None, output_attentions=None,
                output_hidden_states=None, return_dict=None, **kwargs):
        """start_positions / end_positions (n,): token indices; out-of-range ones are ignored."""
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states)
        start_logits, end_logits = self.qa_outputs(out.last_hidden_state).split(1, dim=-1)
        start_logits = start_logits.squeeze(-1).contiguous()
        end_logits = end_logits.squeeze(-1).contiguous()
        loss = None
        if start_positions is not None and end_positions is not None:
            ignored = start_logits.shape[1]
            start = start_positions.reshape(-1).clamp(0, ignored).to(start_logits.device)
            end = end_positions.reshape(-1).clamp(0, ignored).to(end_logits.device)
            criterion = CrossEntropyLoss(ignore_index=ignored)
            loss = (criterion(start_logits, start) + criterion(end_logits, end)) / 2
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (start_logits, end_logits), out.hidden_states)
        return QuestionAnsweringModelOutput(loss=loss, start_logits=start_logits, end_logits=end_logits,
                                            hidden_states=out.hidden_states)


# ----------------------------------------------------------------------------------------------------
# Other RoBERTa-layout families (XLM-R, CamemBERT): same weights and semantics, other names
# ----------------------------------------------------------------------------------------------------

_HEAD_CLASSES = {
    "ForCausalLM": LSGRobertaForCausalLM,
    "ForMaskedLM": LSGRobertaForMaskedLM,
    "ForMultipleChoice": LSGRobertaForMultipleChoice,
    "ForQuestionAnswering": LSGRobertaForQuestionAnswering,
    "ForSequenceClassification": LSGRobertaForSequenceClassification,
    "ForTokenClassification": LSGRobertaForTokenClassification,
}

_AUTO_NAMES = {
    "Model": "AutoModel",
    "ForCausalLM": "AutoModelForCausalLM",
    "ForMaskedLM": "AutoModelForMaskedLM",
    "ForMultipleChoice": "AutoModelForMultipleChoice",
    "ForQuestionAnswering": "AutoModelForQuestionAnswering",
    "ForSequenceClassification": "AutoModelForSequenceClassification",
    "ForTokenClassification": "AutoModelForTokenClassification",
}


def lsg_family_classes(module: str, stem: str, config_class: type) -> Dict[str, type]:
    """The model classes `LSG{stem}Model`, `LSG{stem}ForMaskedLM`, ... of a RoBERTa-layout family, defined
    in `module` (so that save_pretrained copies that module) with `config_class`, registered for the
    Auto classes. Keys: "Model", "ForMaskedLM", ... as in `_AUTO_NAMES`."""
    reference = f"lsg_converter.{module.rsplit('.', 1)[-1].replace('modeling_lsg_', '')}"

    def define(suffix: str, base: type, extra: Dict[str, object]) -> type:
        name = f"LSG{stem}{suffix}"
        doc = f"{base.__doc__}\n\n    Mirrors `{reference}.{module.rsplit('.', 1)[-1]}.{name}`."
        return type(name, (base,), {"__module__": module, "__doc__": doc, "config_class": config_class, **extra})

    model = define("Model", LSGRobertaModel, {})
    classes = {"Model": model}
    for suffix, base in _HEAD_CLASSES.items():
        classes[suffix] = define(suffix, base, {"_model_class": staticmethod(lambda: model)})
    _register(config_class, {_AUTO_NAMES[k]: v for k, v in classes.items()})
    return classes


# ----------------------------------------------------------------------------------------------------
# Auto classes (so that save_pretrained writes auto_map and copies this file, as the reference does)
# ----------------------------------------------------------------------------------------------------


def _register(config_class, classes: Dict[str, type]) -> None:
    config_class.register_for_auto_class()
    for auto_name, cls in classes.items():
        cls.register_for_auto_class(auto_name)


_register(LSGRobertaConfig, {
    "AutoModel": LSGRobertaModel,
    "AutoModelForCausalLM": LSGRobertaForCausalLM,
    "AutoModelForMaskedLM": LSGRobertaForMaskedLM,
    "AutoModelForMultipleChoice": LSGRobertaForMultipleChoice,
    "AutoModelForQuestionAnswering": LSGRobertaForQuestionAnswering,
    "AutoModelForSequenceClassification": LSGRobertaForSequenceClassification,
    "AutoModelForTokenClassification": LSGRobertaForTokenClassification,
})
