/// Finds the same-folder modules a Python source imports relatively. The modeling files may share
/// code this way (`modeling_lsg_camembert.py` doing `from .modeling_lsg_roberta import ...`), and
/// transformers' remote-code loader copies such siblings along, so a folder needs all of them.
///
/// Recognised statements, anywhere in a line's leading position (also indented, inside `try:` or a
/// function): `from .NAME import ...`, `from .NAME.SUB import ...` (NAME), and
/// `from . import A, B as C` including a parenthesised list over several lines. `from ..x` (a parent
/// package) is not a sibling and is ignored.
enum PythonRelativeImports {
    static func modules(in source: String) -> [String] {
        var found: [String] = []
        func add(_ name: Substring) {
            let module = String(name)
            if isIdentifier(module), !found.contains(module) { found.append(module) }
        }
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" })
        var index = 0
        while index < lines.count {
            let line = lines[index].drop { $0 == " " || $0 == "\t" }
            index += 1
            guard line.hasPrefix("from"), let afterFrom = line.dropFirst(4).first, afterFrom == " " || afterFrom == "\t" else { continue }
            let rest = line.dropFirst(4).drop { $0 == " " || $0 == "\t" }
            guard rest.hasPrefix("."), !rest.hasPrefix("..") else { continue }
            let target = rest.dropFirst().prefix { $0 != " " && $0 != "\t" }
            let tail = rest.dropFirst(1 + target.count).drop { $0 == " " || $0 == "\t" }
            guard tail.hasPrefix("import") else { continue }
            if !target.isEmpty {
                add(target.prefix { $0 != "." })
                continue
            }
            // `from . import A, B as C` or `from . import (\n A,\n B,\n)`.
            func withoutComment(_ text: Substring) -> String {
                String(text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            }
            var names = withoutComment(tail.dropFirst("import".count))
            if names.contains("(") {
                while !names.contains(")"), index < lines.count {
                    names += " " + withoutComment(lines[index])
                    index += 1
                }
            }
            for item in names.split(whereSeparator: { ",()\\".contains($0) }) {
                let words = item.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if let first = words.first { add(first) }
            }
        }
        return found
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first == "_" || first.isLetter else { return false }
        return text.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
    }
}
