import ArgumentParser

@main
struct LSGConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsg-convert",
        abstract: "Convert RoBERTa and BERT checkpoints into long-context LSG models and prove the result right.",
        version: "0.1.0",
        subcommands: [ConvertCommand.self, UpgradeCommand.self, InspectCommand.self, TokenizeCommand.self, InferCommand.self, FillMaskCommand.self, VerifyCommand.self],
        defaultSubcommand: ConvertCommand.self
    )
}
