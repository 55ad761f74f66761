// libFuzzer target: the JSON parser (config files, shard indexes, safetensors headers) and printer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let value = try? JSONParser.parse(bytes) {
        // What we print must parse back to the same value.
        let text = value.serialized(indent: nil, asciiOnly: true)
        guard let again = try? JSONParser.parse(text) else { fatalError("printed JSON does not parse: \(text)") }
        if !containsNaN(value) && again != value { fatalError("round trip changed the value: \(text)") }
    }
    return 0
}

private func containsNaN(_ value: JSONValue) -> Bool {
    switch value {
    case let .double(d): return d.isNaN
    case let .array(items): return items.contains(where: containsNaN)
    case let .object(pairs): return pairs.contains { containsNaN($0.1) }
    default: return false
    }
}
