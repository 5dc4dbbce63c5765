/// The start of an object that `JSONReader.object(skipping:before:_:)` scanned past without its
/// visitor: the opening brace and the unwanted members before the first wanted key, each with
/// its comma (so a key must follow, whatever the object), as bytes, and the nesting depth
/// inside the object. Kept from one document to the
/// next (a stream's chunks), the buffer reused.
public struct JSONSkippedPrefix: Sendable {
    /// Empty until an object with unwanted leading members was scanned; then `{`, those
    /// members and their commas, up to the first wanted key's opening quote.
    private(set) var bytes: [UInt8] = []
    /// The parser's depth inside the object (0: nothing remembered).
    private(set) var depth = 0

    public init() {}

    mutating func remember(_ scanned: UnsafeBufferPointer<UInt8>, depth: Int) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: scanned)
        self.depth = depth
    }

    /// `document` holds these bytes at `start`, with at least one byte after them.
    func matches(_ document: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let count = bytes.count
        guard count > 0, document.count - start > count, let base = document.baseAddress else { return false }
        return bytes.withUnsafeBufferPointer { known in
            guard let knownBase = known.baseAddress else { return false }
            let here = UnsafeRawPointer(base + start), there = UnsafeRawPointer(knownBase)
            // Eight bytes a step: a chunk's prefix is about a hundred bytes.
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
