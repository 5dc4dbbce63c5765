/// A response body made of frames (SSE events, JSON-array elements, or slices of a capture),
/// produced on demand so a 200,000-chunk stream costs no more memory than a 5-chunk one.
struct FrameScript: Sendable {
    enum Segment: Sendable {
        case one([UInt8])
        /// `count` frames made by `make(0..<count)`.
        case many(Int, @Sendable (Int) -> [UInt8])
    }

    var segments: [Segment] = []

    /// Frames before the first content delta (message start, role chunk, block start): the
    /// `after=N` option of `disconnect`/`stall`/`midstream_error` counts content deltas
    /// after these.
    var preludeCount = 0

    init() {}

    init(frames: [[UInt8]]) { segments = frames.map { .one($0) } }

    mutating func append(_ frame: [UInt8]) { segments.append(.one(frame)) }

    mutating func append(count: Int, _ make: @escaping @Sendable (Int) -> [UInt8]) {
        if count > 0 { segments.append(.many(count, make)) }
    }

    /// Marks everything appended so far as prelude.
    mutating func endPrelude() { preludeCount = frameCount }

    var frameCount: Int {
        segments.reduce(0) { total, segment in
            switch segment {
            case .one: return total + 1
            case .many(let n, _): return total + n
            }
        }
    }

    /// All frames concatenated (non-streamed use, tests).
    func joined() -> [UInt8] {
        var out: [UInt8] = []
        var cursor = Cursor(self)
        while let frame = cursor.next() { out.append(contentsOf: frame) }
        return out
    }

    /// Walks the frames in order.
    struct Cursor: Sendable {
        private let segments: [Segment]
        private var segment = 0
        private var index = 0
        private(set) var produced = 0

        init(_ script: FrameScript) { segments = script.segments }

        mutating func next() -> [UInt8]? {
            while segment < segments.count {
                switch segments[segment] {
                case .one(let frame):
                    segment += 1
                    produced += 1
                    return frame
                case .many(let n, let make):
                    if index < n {
                        index += 1
                        produced += 1
                        return make(index - 1)
                    }
                    segment += 1
                    index = 0
                }
            }
            return nil
        }
    }
}
