extension JSONValue {
    /// The document as Python's `json.dumps(value, indent=indent, ensure_ascii=asciiOnly)` writes it
    /// (what `transformers` uses for config.json: indent 2, sorted keys, ASCII escapes; and for
    /// tokenizer_config.json: ensure_ascii=False). `indent: nil` gives the compact one-line form with
    /// `", "` / `": "` separators like Python's default.
    public func serialized(indent: Int? = 2, asciiOnly: Bool = true) -> String {
        var out = ""
        write(into: &out, level: 0, indent: indent, asciiOnly: asciiOnly)
        return out
    }

    private func write(into out: inout String, level: Int, indent: Int?, asciiOnly: Bool) {
        switch self {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d): out += Self.pythonRepr(d)
        case let .string(s): Self.writeString(s, into: &out, asciiOnly: asciiOnly)
        case let .array(items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(&out, level + 1, indent)
                item.write(into: &out, level: level + 1, indent: indent, asciiOnly: asciiOnly)
            }
            newline(&out, level, indent)
            out += "]"
        case let .object(pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += indent == nil ? ", " : "," }
                newline(&out, level + 1, indent)
                Self.writeString(key, into: &out, asciiOnly: asciiOnly)
                out += ": "
                value.write(into: &out, level: level + 1, indent: indent, asciiOnly: asciiOnly)
            }
            newline(&out, level, indent)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ level: Int, _ indent: Int?) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    /// Python's `repr(float)`: the shortest digits that round-trip (Swift's `description` finds the
    /// same digits), fixed notation when the decimal exponent is in [-4, 16), else `d.ddde+XX`.
    static func pythonRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Decompose Swift's shortest representation into sign, significant digits and exponent.
        var text = "\(d)"
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fractionPart
        // Position of the decimal point relative to the start of `digits`.
        var point = integerPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let decimalExponent = point - 1  // scientific exponent of the first significant digit
        var result: String
        if decimalExponent >= -4 && decimalExponent < 16 {
            if point <= 0 {
                result = "0." + String(repeating: "0", count: -point) + digits
            } else if point >= digits.count {
                result = digits + String(repeating: "0", count: point - digits.count) + ".0"
            } else {
                let i = digits.index(digits.startIndex, offsetBy: point)
                result = String(digits[..<i]) + "." + String(digits[i...])
            }
        } else {
            let mantissa = digits.count == 1 ? digits : String(digits.first!) + "." + String(digits.dropFirst())
            let magnitude = abs(decimalExponent)
            result = mantissa + "e" + (decimalExponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        return (negative ? "-" : "") + result
    }

    static func writeString(_ s: String, into out: inout String, asciiOnly: Bool) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += hex4(0xD800 + (v >> 10))
                        out += hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex4(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }
}
