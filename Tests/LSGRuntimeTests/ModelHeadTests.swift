import LSGRuntime
import Testing

@Suite struct ModelHeadTests {
    /// transformers' XLM-R and CamemBERT classes subclass RoBERTa's (same weights, same heads), and the
    /// reference converts all three families; their class names must select the same head.
    @Test func familiesAndLSGPrefixSelectTheSameHead() {
        #expect(ModelHead(architecture: "LSGXLMRobertaForSequenceClassification") == .sequenceClassification)
        #expect(ModelHead(architecture: "XLMRobertaForMaskedLM") == .maskedLM)
        #expect(ModelHead(architecture: "LSGCamembertModel") == .base)
        #expect(ModelHead(architecture: "CamembertForQuestionAnswering") == .questionAnswering)
        #expect(ModelHead(architecture: "LSGRobertaForTokenClassification") == .tokenClassification)
        #expect(ModelHead(architecture: "BertForMaskedLM") == nil)
        #expect(ModelHead(architecture: "LSGBartForConditionalGeneration") == nil)
    }
}
