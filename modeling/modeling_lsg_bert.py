# coding=utf-8
# LSG attention for BERT, written by lsg-convert. The encoder (LSG self-attention, layers, adaptive padding,
# pool_with_global) is the one of modeling_lsg_roberta.py, copied beside this file: RoBERTa's layers are
# BERT's. What differs is here: the embeddings (positions 0.. with no offset, token types), the `bert.`
# prefix and BERT's heads (`cls.predictions` with its transform, `cls.seq_relationship`, the pooler).
# Module, class, config and parameter names are those of lsg-converter 0.1.9 (ccdv-ai, MIT).
"""LSG attention models for BERT (`LSGBert*`)."""

from dataclasses import dataclass
from typing import Optional, Tuple

import torch
from torch import nn
from torch.nn import CrossEntropyLoss
from transformers.activations import ACT2FN
from transformers.modeling_outputs import NextSentencePredictorOutput
from transformers.utils import ModelOutput

from .modeling_lsg_roberta import (
    LSG_MODELING_VERSION,
    LSGRobertaConfig,
    LSGRobertaEmbeddings,
    LSGRobertaForCausalLM,
    LSGRobertaForMaskedLM,
    LSGRobertaForMultipleChoice,
    LSGRobertaForQuestionAnswering,
    LSGRobertaForSequenceClassification,
    LSGRobertaForTokenClassification,
    LSGRobertaModel,
    LSGRobertaPreTrainedModel,
    TiedBiasHead,
    _classifier_dropout,
    _HeadModel,
    _register,
    _return_dict,
)


class LSGBertConfig(LSGRobertaConfig):
    """Configuration of LSG-BERT; mirrors `lsg_converter.bert.modeling_lsg_bert.LSGBertConfig` (BertConfig's
    keys and defaults plus the LSG keys)."""

    model_type = "bert"
    lsg_module = "modeling_lsg_bert"
    lsg_stem = "Bert"
    default_vocab_size = 30522  # BertConfig's
    default_special_ids = (0, None, None)  # BertConfig's pad, bos, eos

    def __init__(self, **kwargs):
        # An explicit __init__: transformers 5 replaces a config subclass's inherited __init__ by a generated one.
        super().__init__(**kwargs)
        # BERT's auto_map has AutoModelForPreTraining and names the causal LM LSGBertLMHeadModel.
        self.auto_map = {
            "AutoConfig": "modeling_lsg_bert.LSGBertConfig",
            "AutoModel": "modeling_lsg_bert.LSGBertModel",
            "AutoModelForCausalLM": "modeling_lsg_bert.LSGBertLMHeadModel",
            "AutoModelForMaskedLM": "modeling_lsg_bert.LSGBertForMaskedLM",
            "AutoModelForMultipleChoice": "modeling_lsg_bert.LSGBertForMultipleChoice",
            "AutoModelForPreTraining": "modeling_lsg_bert.LSGBertForPreTraining",
            "AutoModelForQuestionAnswering": "modeling_lsg_bert.LSGBertForQuestionAnswering",
            "AutoModelForSequenceClassification": "modeling_lsg_bert.LSGBertForSequenceClassification",
            "AutoModelForTokenClassification": "modeling_lsg_bert.LSGBertForTokenClassification",
        }


class LSGBertEmbeddings(LSGRobertaEmbeddings):
    """BERT's embeddings with the global tokens prepended; mirrors `LSGBertEmbeddings`. Positions are
    0 .. t-1 (no padding offset, no padding row); token types come from `token_type_ids` (default 0)."""

    def __init__(self, config):
        super().__init__(config)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)

    def position_ids_for(self, input_ids: Optional[torch.Tensor], inputs_embeds: Optional[torch.Tensor]) -> torch.Tensor:
        source = input_ids if input_ids is not None else inputs_embeds
        n, t = source.shape[:2]
        return torch.arange(t, dtype=torch.long, device=source.device)[None].expand(n, t)


class LSGBertPreTrainedModel(LSGRobertaPreTrainedModel):
    """Weight init and loading rules of the LSG-BERT classes; mirrors `LSGBertPreTrainedModel`."""

    config_class = LSGBertConfig
    base_model_prefix = "bert"


class LSGBertModel(LSGBertPreTrainedModel, LSGRobertaModel):
    """The LSG-BERT encoder with pooler; mirrors `LSGBertModel`. `last_hidden_state` (n, t, D),
    `pooler_output` (n, D)."""

    @staticmethod
    def _embeddings_class():
        return LSGBertEmbeddings


class LSGBertPredictionHeadTransform(nn.Module):
    """dense, activation, LayerNorm (`cls.predictions.transform`)."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        act = config.hidden_act
        self.transform_act_fn = ACT2FN[act] if isinstance(act, str) else act
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.transform_act_fn(self.dense(hidden_states)))


class LSGBertLMPredictionHead(TiedBiasHead):
    """transform + decoder tied to the word embeddings + bias (`cls.predictions`)."""

    def __init__(self, config):
        super().__init__()
        self.transform = LSGBertPredictionHeadTransform(config)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.decoder.bias = self.bias

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.transform(hidden_states))


class LSGBertOnlyMLMHead(nn.Module):
    """`cls.predictions` alone (MaskedLM, LMHeadModel)."""

    def __init__(self, config):
        super().__init__()
        self.predictions = LSGBertLMPredictionHead(config)

    def forward(self, sequence_output: torch.Tensor) -> torch.Tensor:
        return self.predictions(sequence_output)


class LSGBertPreTrainingHeads(nn.Module):
    """`cls.predictions` on every token + `cls.seq_relationship` on the pooled output (ForPreTraining)."""

    def __init__(self, config):
        super().__init__()
        self.predictions = LSGBertLMPredictionHead(config)
        self.seq_relationship = nn.Linear(config.hidden_size, 2)

    def forward(self, sequence_output, pooled_output):
        return self.predictions(sequence_output), self.seq_relationship(pooled_output)


class LSGBertOnlyNSPHead(nn.Module):
    """`cls.seq_relationship` alone (NextSentencePrediction)."""

    def __init__(self, config):
        super().__init__()
        self.seq_relationship = nn.Linear(config.hidden_size, 2)

    def forward(self, pooled_output: torch.Tensor) -> torch.Tensor:
        return self.seq_relationship(pooled_output)


@dataclass
class LSGBertForPreTrainingOutput(ModelOutput):
    """Output of `LSGBertForPreTraining` (the fields of transformers' BertForPreTrainingOutput)."""

    loss: Optional[torch.FloatTensor] = None
    prediction_logits: Optional[torch.FloatTensor] = None
    seq_relationship_logits: Optional[torch.FloatTensor] = None
    hidden_states: Optional[Tuple[torch.FloatTensor, ...]] = None
    attentions: Optional[Tuple[torch.FloatTensor, ...]] = None


class _BertHead(LSGBertPreTrainedModel, _HeadModel):
    """The head classes' backbone is `bert` (LSGBertModel)."""

    @staticmethod
    def _model_class():
        return LSGBertModel


_MLM_TIES = {
    "cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight",
    "cls.predictions.decoder.bias": "cls.predictions.bias",
}


class _BertMLMHeadModel(_BertHead):
    _tied_weights_keys = _MLM_TIES

    def get_output_embeddings(self) -> nn.Linear:
        return self.cls.predictions.decoder

    def set_output_embeddings(self, new_embeddings: nn.Linear) -> None:
        self.cls.predictions.decoder = new_embeddings


class LSGBertForPreTraining(_BertMLMHeadModel):
    """LSG-BERT + MLM and next-sentence heads; mirrors `LSGBertForPreTraining`. prediction_logits
    (n, t, vocab), seq_relationship_logits (n, 2)."""

    add_pooling_layer = True

    def __init__(self, config):
        super().__init__(config)
        self._backbone(config)
        self.cls = LSGBertPreTrainingHeads(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, labels=None, next_sentence_label=None, output_attentions=None,
                output_hidden_states=None, return_dict=None, **kwargs):
        """labels (n, t) with -100 ignored; next_sentence_label (n,) 0 = B follows A."""
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states)
        prediction, relationship = self.cls(out.last_hidden_state, out.pooler_output)
        loss = None
        if labels is not None and next_sentence_label is not None:
            criterion = CrossEntropyLoss()
            loss = criterion(prediction.view(-1, self.config.vocab_size), labels.view(-1)) + \
                criterion(relationship.view(-1, 2), next_sentence_label.view(-1))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (prediction, relationship), out.hidden_states)
        return LSGBertForPreTrainingOutput(loss=loss, prediction_logits=prediction,
                                           seq_relationship_logits=relationship, hidden_states=out.hidden_states)


class LSGBertForMaskedLM(_BertMLMHeadModel, LSGRobertaForMaskedLM):
    """LSG-BERT + `cls.predictions`; mirrors `LSGBertForMaskedLM`. Logits (n, t, vocab)."""

    lm_head_attribute = "cls"

    @staticmethod
    def _lm_head_class():
        return LSGBertOnlyMLMHead


class LSGBertLMHeadModel(_BertMLMHeadModel, LSGRobertaForCausalLM):
    """LSG-BERT with causal LSG attention + `cls.predictions`, next-token loss; mirrors `LSGBertLMHeadModel`
    (set `is_decoder=True`). Logits (n, t, vocab); no key/value cache."""

    lm_head_attribute = "cls"

    @staticmethod
    def _lm_head_class():
        return LSGBertOnlyMLMHead


class LSGBertForNextSentencePrediction(_BertHead):
    """LSG-BERT + `cls.seq_relationship` on the pooled output; mirrors `LSGBertForNextSentencePrediction`."""

    add_pooling_layer = True

    def __init__(self, config):
        super().__init__(config)
        self._backbone(config)
        self.cls = LSGBertOnlyNSPHead(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, head_mask=None,
                inputs_embeds=None, labels=None, output_attentions=None, output_hidden_states=None,
                return_dict=None, **kwargs):
        out = self._run_backbone(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds,
                                 output_attentions, output_hidden_states)
        logits = self.cls(out.pooler_output)
        loss = None if labels is None else CrossEntropyLoss()(logits.view(-1, 2), labels.view(-1))
        if not _return_dict(return_dict, self.config):
            return self._as_tuple(loss, (logits,), out.hidden_states)
        return NextSentencePredictorOutput(loss=loss, logits=logits, hidden_states=out.hidden_states)


class LSGBertForSequenceClassification(_BertHead, LSGRobertaForSequenceClassification):
    """LSG-BERT pooled output + dropout + linear; mirrors `LSGBertForSequenceClassification`. Logits (n, labels)."""

    add_pooling_layer = True

    def _add_classifier(self, config) -> None:
        self.dropout = nn.Dropout(_classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def _classify(self, backbone_output) -> torch.Tensor:
        return self.classifier(self.dropout(backbone_output.pooler_output))


class LSGBertForMultipleChoice(_BertHead, LSGRobertaForMultipleChoice):
    """LSG-BERT pooled output + dropout + linear scorer per choice; mirrors `LSGBertForMultipleChoice`.
    Inputs (n, choices, t); logits (n, choices)."""

    _choice_dropout = staticmethod(_classifier_dropout)


class LSGBertForTokenClassification(_BertHead, LSGRobertaForTokenClassification):
    """LSG-BERT + dropout + linear per token; mirrors `LSGBertForTokenClassification`. Logits (n, t, labels)."""


class LSGBertForQuestionAnswering(_BertHead, LSGRobertaForQuestionAnswering):
    """LSG-BERT + span start/end scorer (`qa_outputs`); mirrors `LSGBertForQuestionAnswering`.
    start_logits / end_logits (n, t)."""


_register(LSGBertConfig, {
    "AutoModel": LSGBertModel,
    "AutoModelForCausalLM": LSGBertLMHeadModel,
    "AutoModelForMaskedLM": LSGBertForMaskedLM,
    "AutoModelForMultipleChoice": LSGBertForMultipleChoice,
    "AutoModelForPreTraining": LSGBertForPreTraining,
    "AutoModelForQuestionAnswering": LSGBertForQuestionAnswering,
    "AutoModelForSequenceClassification": LSGBertForSequenceClassification,
    "AutoModelForTokenClassification": LSGBertForTokenClassification,
})

__all__ = ["LSG_MODELING_VERSION", "LSGBertConfig", "LSGBertModel", "LSGBertForPreTraining", "LSGBertForMaskedLM",
           "LSGBertLMHeadModel", "LSGBertForNextSentencePrediction", "LSGBertForSequenceClassification",
           "LSGBertForMultipleChoice", "LSGBertForTokenClassification", "LSGBertForQuestionAnswering"]
