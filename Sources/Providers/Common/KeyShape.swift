/// What a provider key looks like, whoever's it is: OpenAI `sk-…` / `sk-proj-…`, Anthropic
/// `sk-ant-…`, Google `AIza…`, and the masked forms providers echo back (OpenAI's 401 quotes
/// `sk-proj-****…SJh4`). A key of a configuration we do not know (a fallback's, a proxy's)
/// still has this shape, so error text loses such tokens even when they match no secret.
enum KeyShape {
    /// A token made of key characters starting at `start`, when it is key-shaped: the range to
    /// blank, without trailing dots (sentence punctuation, not key).
    static func token(in text: UnsafeBufferPointer<UInt8>, at start: Int) -> Range<Int>? {
        if let prefixed = prefixed(text, at: start) { return prefixed }
        // A masked key is blanked whole, from the start of its run of key characters.
        guard keyCharacterLength(text, at: start) > 0, !followsKeyCharacter(text, start) else { return nil }
        let end = runEnd(text, from: start)
        var stars = 0
        for i in start..<end {
            stars = text[i] == UInt8(ascii: "*") ? stars + 1 : 0
            if stars == 4 { return start..<end }
        }
        return nil
    }

    /// `sk-` with at least one more key character, `AIza` with at least eight.
    private static func prefixed(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Range<Int>? {
        let b = text[start]
        guard b == UInt8(ascii: "s") || b == UInt8(ascii: "A") else { return nil }
        // Digits may precede a prefix (`%22sk-…`, `\u0027sk-…`); letters may not (`task-force`).
        if start > 0, isLetter(text[start - 1]) { return nil }
        let length: Int
        if has(text, "sk-", at: start) {
            length = 3 + 1
        } else if has(text, "AIza", at: start) {
            length = 4 + 8
        } else {
            return nil
        }
        let end = runEnd(text, from: start)
        return end - start >= length ? start..<end : nil
    }

    private static func followsKeyCharacter(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        if i > 0, keyCharacterLength(text, at: i - 1) == 1 { return true }
        return i > 2 && keyCharacterLength(text, at: i - 3) == 3
    }

    /// Where the run of key characters from `start` ends, trailing dots and ellipses left out.
    private static func runEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var end = start
        var lastKept = start
        while end < text.count {
            let length = keyCharacterLength(text, at: end)
            if length == 0 { break }
            let isDot = length == 3 || text[end] == UInt8(ascii: ".")
            end += length
            if !isDot { lastKept = end }
        }
        return lastKept
    }

    /// 1 for `[A-Za-z0-9_*.-]`, 3 for `…`, 0 for anything else.
    private static func keyCharacterLength(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b = text[i]
        if SecretScrubber.isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
            || b == UInt8(ascii: "*") || b == UInt8(ascii: ".")
        {
            return 1
        }
        if b == 0xE2, i + 2 < text.count, text[i + 1] == 0x80, text[i + 2] == 0xA6 { return 3 }
        return 0
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    private static func has(_ text: UnsafeBufferPointer<UInt8>, _ prefix: StaticString, at start: Int) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard start + count <= text.count else { return false }
        return prefix.withUTF8Buffer { p in (0..<count).allSatisfy { text[start + $0] == p[$0] } }
    }
}
