import ArgumentParser
import Foundation

/// Where `tokenize` and `fill-mask` take their texts from: the TEXT arguments, and/or `--input FILE`
/// (`-` for standard input), one text per line or (`--whole-input`) the whole file as one text.
/// A command-line argument is capped at 128 KiB by the kernel; a file or a pipe is not.
struct TextInputOptions: ParsableArguments {
    @Option(name: .customLong("input"), help: ArgumentHelp("Read texts from this file ('-': standard input), one per line.", valueName: "file"))
    var inputPath: String?

    @Flag(help: "With --input: the whole file is one text (newlines kept) instead of one text per line.")
    var wholeInput = false

    /// A text source that cannot be read.
    struct InputError: Error, CustomStringConvertible {
        var description: String
    }

    func validate() throws {
        if wholeInput && inputPath == nil { throw ValidationError("--whole-input needs --input FILE (or --input - for standard input)") }
    }

    /// The argument texts followed by the input's texts. Lines end at "\n" (a "\r" before it is
    /// dropped, as for CRLF files); the empty line after a final newline is not a text.
    func texts(arguments: [String]) throws -> [String] {
        guard let inputPath else { return arguments }
        let data: Data
        if inputPath == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            do { data = try Data(contentsOf: URL(fileURLWithPath: inputPath)) } catch {
                throw InputError(description: "cannot read --input \(inputPath): \(error.localizedDescription)")
            }
        }
        let name = inputPath == "-" ? "standard input" : inputPath
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(description: "\(name) is not UTF-8 text")
        }
        if wholeInput { return arguments + [text] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        return arguments + lines
    }
}
