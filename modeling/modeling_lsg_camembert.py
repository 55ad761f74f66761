# coding=utf-8
# LSG attention for CamemBERT, written by lsg-convert. CamemBERT checkpoints have RoBERTa's layout exactly
# (weights under `roberta.`, position offset 2); only the config's model_type, the default vocabulary
# size and the class names differ, so the classes come from modeling_lsg_roberta.py (copied beside this
# file). Module, class and config names are those of lsg-converter 0.1.9 (ccdv-ai, MIT).
"""LSG attention models for CamemBERT (`LSGCamembert*`)."""

from .modeling_lsg_roberta import LSG_MODELING_VERSION, LSGRobertaConfig, lsg_family_classes


class LSGCamembertConfig(LSGRobertaConfig):
    """Configuration of LSG-CamemBERT; mirrors `lsg_converter.camembert.modeling_lsg_camembert.LSGCamembertConfig`
    (CamembertConfig's keys and defaults plus the LSG keys)."""

    model_type = "camembert"
    lsg_module = "modeling_lsg_camembert"
    lsg_stem = "Camembert"
    default_vocab_size = 30522  # CamembertConfig's

    def __init__(self, **kwargs):
        # An explicit __init__: transformers 5 replaces a config subclass's inherited __init__ by a generated one.
        super().__init__(**kwargs)


_CLASSES = lsg_family_classes(__name__, "Camembert", LSGCamembertConfig)
LSGCamembertModel = _CLASSES["Model"]
LSGCamembertForCausalLM = _CLASSES["ForCausalLM"]
LSGCamembertForMaskedLM = _CLASSES["ForMaskedLM"]
LSGCamembertForMultipleChoice = _CLASSES["ForMultipleChoice"]
LSGCamembertForQuestionAnswering = _CLASSES["ForQuestionAnswering"]
LSGCamembertForSequenceClassification = _CLASSES["ForSequenceClassification"]
LSGCamembertForTokenClassification = _CLASSES["ForTokenClassification"]

__all__ = ["LSG_MODELING_VERSION", "LSGCamembertConfig"] + [cls.__name__ for cls in _CLASSES.values()]
