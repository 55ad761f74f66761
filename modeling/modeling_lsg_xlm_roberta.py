# coding=utf-8
# LSG attention for XLM-RoBERTa, written by lsg-convert. XLM-R checkpoints have RoBERTa's layout exactly
# (weights under `roberta.`, position offset 2); only the config's model_type, the default vocabulary
# size and the class names differ, so the classes come from modeling_lsg_roberta.py (copied beside this
# file). Module, class and config names are those of lsg-converter 0.1.9 (ccdv-ai, MIT).
"""LSG attention models for XLM-RoBERTa (`LSGXLMRoberta*`)."""

from .modeling_lsg_roberta import LSG_MODELING_VERSION, LSGRobertaConfig, lsg_family_classes


class LSGXLMRobertaConfig(LSGRobertaConfig):
    """Configuration of LSG-XLM-R; mirrors `lsg_converter.xlm_roberta.modeling_lsg_xlm_roberta.LSGXLMRobertaConfig`
    (XLMRobertaConfig's keys and defaults plus the LSG keys)."""

    model_type = "xlm-roberta"
    lsg_module = "modeling_lsg_xlm_roberta"
    lsg_stem = "XLMRoberta"
    default_vocab_size = 30522  # XLMRobertaConfig's

    def __init__(self, **kwargs):
        # An explicit __init__: transformers 5 replaces a config subclass's inherited __init__ by a generated one.
        super().__init__(**kwargs)


_CLASSES = lsg_family_classes(__name__, "XLMRoberta", LSGXLMRobertaConfig)
LSGXLMRobertaModel = _CLASSES["Model"]
LSGXLMRobertaForCausalLM = _CLASSES["ForCausalLM"]
LSGXLMRobertaForMaskedLM = _CLASSES["ForMaskedLM"]
LSGXLMRobertaForMultipleChoice = _CLASSES["ForMultipleChoice"]
LSGXLMRobertaForQuestionAnswering = _CLASSES["ForQuestionAnswering"]
LSGXLMRobertaForSequenceClassification = _CLASSES["ForSequenceClassification"]
LSGXLMRobertaForTokenClassification = _CLASSES["ForTokenClassification"]

__all__ = ["LSG_MODELING_VERSION", "LSGXLMRobertaConfig"] + [cls.__name__ for cls in _CLASSES.values()]
