extension ModelIdMatching {
    /// `characterCandidates` for an all-ASCII id (nearly every id), by bytes. Slicing and
    /// counting Characters cost ~14k instructions for a dated or `-latest` id on every request
    /// (issue 13). In ASCII every byte is a Character but CR LF, which none of the rules below
    /// can match (a dash, `latest`, digits, the prefixes), so the answers are the same.
    static func asciiCandidates(_ model: String) -> [String] {
        // A native string's bytes in place; a bridged one's copied.
        model.utf8.withContiguousStorageIfAvailable { asciiCandidates(model, $0) }
            ?? Array(model.utf8).withUnsafeBufferPointer { asciiCandidates(model, $0) }
    }

    private static func asciiCandidates(_ model: String, _ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var out = [model]
        var start = 0, end = bytes.count
        for prefix in prefixes where bytes[start...].starts(with: prefix.utf8) { start += prefix.utf8.count }
        if start > 0 { out.append(String(decoding: bytes[start..<end], as: UTF8.self)) }
        // At most three suffixes come off, as for any id.
        for _ in 0..<3 {
            guard let shorter = endWithoutSuffix(bytes, start: start, end: end) else { break }
            end = shorter
            out.append(String(decoding: bytes[start..<end], as: UTF8.self))
        }
        return out
    }

    /// Where `bytes[start..<end]` ends without one trailing date or version (`strippingSuffix`),
    /// or nil when it has none.
    private static func endWithoutSuffix(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int? {
        let dashByte = UInt8(ascii: "-")
        var dash = end - 1
        while dash >= start, bytes[dash] != dashByte { dash -= 1 }
        guard dash >= start else { return nil }
        let tail = bytes[(dash + 1)..<end]
        if tail.elementsEqual("latest".utf8) { return dash }
        guard !tail.isEmpty, tail.allSatisfy(isDigit) else { return nil }
        switch tail.count {
        case 8, 3: return dash  // 20250929, 001
        case 2:
            // 2024-08-06: a dash before the year (the date is not the whole id), four digits,
            // a dash, two digits; all three parts come off.
            guard end - 11 >= start, bytes[end - 11] == dashByte, bytes[end - 6] == dashByte,
                bytes[(end - 10)..<(end - 6)].allSatisfy(isDigit), bytes[(end - 5)..<(end - 3)].allSatisfy(isDigit)
            else { return nil }
            return end - 11
        default: return nil
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
