import CheckpointIO

// The table of families. Each entry mirrors one `lsg_converter/<family>/convert_*_checkpoint.py`
// (its `_ARCHITECTURE_TYPE_DICT`, `_DEFAULT_ARCHITECTURE_TYPE`, positional offset) and the
// transformers 4.36.2 classes it builds on.
extension ModelFamily {
    /// RoBERTa's classes (`XLMRoberta*` and `Camembert*` subclass them: same layout and heads).
    static func robertaHeads() -> [FamilyHead] {
        [
            FamilyHead(.model, "Model", pooler: true, autoClass: "AutoModel"),
            FamilyHead(.maskedLM, "ForMaskedLM", pooler: false, autoClass: "AutoModelForMaskedLM"),
            FamilyHead(.causalLM, "ForCausalLM", pooler: false, autoClass: "AutoModelForCausalLM", canGenerate: true),
            // ForMultipleChoice builds `LSGRobertaModel(config)`, so it keeps the pooler; the other
            // heads pass add_pooling_layer=False (modeling_lsg_roberta.py).
            FamilyHead(.multipleChoice, "ForMultipleChoice", pooler: true, autoClass: "AutoModelForMultipleChoice"),
            FamilyHead(.questionAnswering, "ForQuestionAnswering", pooler: false, autoClass: "AutoModelForQuestionAnswering"),
            FamilyHead(.sequenceClassification, "ForSequenceClassification", pooler: false, autoClass: "AutoModelForSequenceClassification"),
            FamilyHead(.tokenClassification, "ForTokenClassification", pooler: false, autoClass: "AutoModelForTokenClassification"),
        ]
    }

    /// RobertaConfig keys `save_pretrained` always writes (they are not `PretrainedConfig`
    /// attributes, or their RoBERTa default differs from the base class's).
    static func robertaConfigDefaults(vocabSize: Int64) -> [(String, JSONValue)] {
        [
            ("attention_probs_dropout_prob", .double(0.1)), ("bos_token_id", .int(0)), ("classifier_dropout", .null),
            ("eos_token_id", .int(2)), ("hidden_act", .string("gelu")), ("hidden_dropout_prob", .double(0.1)),
            ("hidden_size", .int(768)), ("initializer_range", .double(0.02)), ("intermediate_size", .int(3072)),
            ("layer_norm_eps", .double(1e-12)), ("max_position_embeddings", .int(512)),
            ("num_attention_heads", .int(12)), ("num_hidden_layers", .int(12)), ("pad_token_id", .int(1)),
            ("position_embedding_type", .string("absolute")), ("type_vocab_size", .int(2)),
            ("use_cache", .bool(true)), ("vocab_size", .int(vocabSize)),
        ]
    }

    static func robertaLayout(modelType: String, stem: String, module: String, directory: String,
                              vocabSize: Int64, tokenizer: TokenizerKind) -> ModelFamily {
        ModelFamily(
            modelType: modelType, classStem: stem, backbonePrefix: "roberta.", positionOffset: 2,
            modelingModule: module, packageDirectory: directory, heads: robertaHeads(), defaultHead: .maskedLM,
            languageModel: LanguageModelHeadNames(dense: "lm_head.dense", layerNorm: "lm_head.layer_norm",
                                                  bias: "lm_head.bias", decoder: "lm_head.decoder"),
            nextSentence: nil,
            sequenceClassifier: .firstTokenMLP(dense: "classifier.dense", outProjection: "classifier.out_proj"),
            configDefaults: robertaConfigDefaults(vocabSize: vocabSize), tokenizer: tokenizer,
            // RobertaConversionScript ignores use_token_ids.
            globalsAddTokenType: false)
    }

    public static let roberta = robertaLayout(modelType: "roberta", stem: "Roberta", module: "modeling_lsg_roberta",
                                              directory: "roberta", vocabSize: 50265, tokenizer: .byteLevelBPE)
    public static let xlmRoberta = robertaLayout(modelType: "xlm-roberta", stem: "XLMRoberta", module: "modeling_lsg_xlm_roberta",
                                                 directory: "xlm_roberta", vocabSize: 30522, tokenizer: .sentencePiece)
    public static let camembert = robertaLayout(modelType: "camembert", stem: "Camembert", module: "modeling_lsg_camembert",
                                                directory: "camembert", vocabSize: 30522, tokenizer: .sentencePiece)

    /// BERT (`lsg_converter/bert/convert_bert_checkpoint.py`: default `BertForPreTraining`, offset 0,
    /// globals built with `token_type_embeddings[0]` since `use_token_ids` defaults to True).
    public static let bert = ModelFamily(
        modelType: "bert", classStem: "Bert", backbonePrefix: "bert.", positionOffset: 0,
        modelingModule: "modeling_lsg_bert", packageDirectory: "bert",
        heads: [
            // modeling_lsg_bert.py: ForMaskedLM, LMHeadModel, ForTokenClassification and
            // ForQuestionAnswering build `LSGBertModel(config, add_pooling_layer=False)`; the others
            // keep the pooler (ForSequenceClassification classifies the pooled output).
            FamilyHead(.model, "Model", pooler: true, autoClass: "AutoModel"),
            // BertForMaskedLM defines prepare_inputs_for_generation in 4.36 (RobertaForMaskedLM does not).
            FamilyHead(.maskedLM, "ForMaskedLM", pooler: false, autoClass: "AutoModelForMaskedLM", canGenerate: true),
            FamilyHead(.preTraining, "ForPreTraining", pooler: true, autoClass: "AutoModelForPreTraining"),
            FamilyHead(.causalLM, "LMHeadModel", pooler: false, autoClass: "AutoModelForCausalLM", canGenerate: true),
            FamilyHead(.multipleChoice, "ForMultipleChoice", pooler: true, autoClass: "AutoModelForMultipleChoice"),
            FamilyHead(.questionAnswering, "ForQuestionAnswering", pooler: false, autoClass: "AutoModelForQuestionAnswering"),
            FamilyHead(.sequenceClassification, "ForSequenceClassification", pooler: true, autoClass: "AutoModelForSequenceClassification"),
            FamilyHead(.tokenClassification, "ForTokenClassification", pooler: false, autoClass: "AutoModelForTokenClassification"),
        ],
        defaultHead: .preTraining,
        languageModel: LanguageModelHeadNames(dense: "cls.predictions.transform.dense", layerNorm: "cls.predictions.transform.LayerNorm",
                                              bias: "cls.predictions.bias", decoder: "cls.predictions.decoder"),
        nextSentence: "cls.seq_relationship",
        sequenceClassifier: .pooled(classifier: "classifier"),
        // BertConfig 4.36.2 keys (no bos/eos: BertConfig leaves them to PretrainedConfig's None).
        configDefaults: [
            ("attention_probs_dropout_prob", .double(0.1)), ("classifier_dropout", .null), ("hidden_act", .string("gelu")),
            ("hidden_dropout_prob", .double(0.1)), ("hidden_size", .int(768)), ("initializer_range", .double(0.02)),
            ("intermediate_size", .int(3072)), ("layer_norm_eps", .double(1e-12)), ("max_position_embeddings", .int(512)),
            ("num_attention_heads", .int(12)), ("num_hidden_layers", .int(12)), ("pad_token_id", .int(0)),
            ("position_embedding_type", .string("absolute")), ("type_vocab_size", .int(2)), ("use_cache", .bool(true)),
            ("vocab_size", .int(30522)),
        ],
        tokenizer: .wordPiece,
        globalsAddTokenType: true)

    /// Every family, in lookup order.
    public static let all: [ModelFamily] = [.roberta, .xlmRoberta, .camembert, .bert]
}
