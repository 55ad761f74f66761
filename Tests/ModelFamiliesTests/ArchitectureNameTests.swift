import ModelFamilies
import Testing

@Suite struct ArchitectureNameTests {
    @Test func parsesEveryFamilysNamesWithAndWithoutLSG() {
        #expect(ModelArchitecture(className: "LSGXLMRobertaForSequenceClassification").map { ($0.family.modelType, $0.task) }! == ("xlm-roberta", .sequenceClassification))
        #expect(ModelArchitecture(className: "XLMRobertaForMaskedLM")?.task == .maskedLM)
        #expect(ModelArchitecture(className: "LSGCamembertModel")?.task == .model)
        #expect(ModelArchitecture(className: "CamembertForQuestionAnswering")?.task == .questionAnswering)
        #expect(ModelArchitecture(className: "LSGRobertaForTokenClassification")?.isLSG == true)
        #expect(ModelArchitecture(className: "RobertaForCausalLM")?.task == .causalLM)
        #expect(ModelArchitecture(className: "LSGBartForConditionalGeneration") == nil)
        #expect(ModelArchitecture(className: "RobertaForPreTraining") == nil)
        #expect(ModelArchitecture(className: "RobertaForMaskedLM", family: .camembert) == nil)
    }

    @Test func backbonePrefixAndPoolerFollowTheClass() {
        let model = ModelArchitecture(className: "LSGRobertaModel")!
        #expect(model.backbonePrefix == "" && model.hasPooler)
        let mlm = ModelArchitecture(className: "LSGRobertaForMaskedLM")!
        #expect(mlm.backbonePrefix == "roberta." && !mlm.hasPooler)
        #expect(ModelArchitecture(className: "LSGRobertaForMultipleChoice")!.hasPooler)
    }
}
