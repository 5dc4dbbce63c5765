/// What `JSONReader.object(skipping:before:_:)` scanned past of an object without its visitor,
/// kept as bytes from one document to the next (a stream's chunks repeat these members):
///
/// - the prefix: the opening brace and the unwanted members before the first wanted key, each
///   with its comma, so a key must follow whatever the object;
/// - the suffix: from the end of the last wanted member's value, the unwanted members after it
///   and the closing brace.
///
/// The grammar from an opening brace, or from the end of a member's value, does not depend on
/// what came before, so the same bytes at the same depth are accepted again as they were. The
/// buffers are reused.
public struct JSONSkippedMembers: Sendable {
    private(set) var prefix: [UInt8] = []
    /// The parser's depth inside the object the prefix was read from (0: none remembered).
    private(set) var prefixDepth = 0
    private(set) var suffix: [UInt8] = []
    /// The parser's depth inside the object the suffix was read from (0: none remembered).
    private(set) var suffixDepth = 0
    /// An object read had a wanted key first: later ones are not searched for a prefix.
    var leadsWithWanted = false

    public init() {}

    mutating func rememberPrefix(_ scanned: UnsafeBufferPointer<UInt8>, depth: Int) {
        prefix.removeAll(keepingCapacity: true)
        prefix.append(contentsOf: scanned)
        prefixDepth = depth
    }

    mutating func rememberSuffix(_ scanned: UnsafeBufferPointer<UInt8>, depth: Int) {
        suffix.removeAll(keepingCapacity: true)
        suffix.append(contentsOf: scanned)
        suffixDepth = depth
    }

    /// `document` holds the prefix at `start`, with at least one byte after it.
    func prefixMatches(_ document: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard !prefix.isEmpty, document.count - start > prefix.count else { return false }
        return Self.same(prefix, document, at: start)
    }

    /// `document` holds the suffix at `start`.
    func suffixMatches(_ document: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard !suffix.isEmpty, document.count - start >= suffix.count else { return false }
        return Self.same(suffix, document, at: start)
    }

    private static func same(_ known: [UInt8], _ document: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let count = known.count
        guard let base = document.baseAddress else { return false }
        return known.withUnsafeBufferPointer { known in
            guard let knownBase = known.baseAddress else { return false }
            let here = UnsafeRawPointer(base + start), there = UnsafeRawPointer(knownBase)
            // Eight bytes a step: these runs are tens of bytes to a hundred.
            var i = 0
            while i &+ 8 <= count {
                if here.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    != there.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                {
                    return false
                }
                i &+= 8
            }
            while i < count {
                if here.load(fromByteOffset: i, as: UInt8.self) != there.load(fromByteOffset: i, as: UInt8.self) {
                    return false
                }
                i &+= 1
            }
            return true
        }
    }
}
