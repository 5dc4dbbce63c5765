import ChatModel
import SSE
@testable import Providers

/// Drives a provider's stream decoder over SSE bytes exactly as the gateway's relay does:
/// fed in pieces cut at `splits`, a partial last event flushed at a clean end, then
/// `finish()`. Returns the unified SSE bytes.
enum StreamDriver {
    static func unified(_ decoder: any ProviderStreamDecoder, _ input: [UInt8], splits: [Int] = []) -> String {
        var sse = SSEDecoder()
        var out: [UInt8] = []
        var start = 0
        for cut in splits.sorted() + [input.count] where cut >= start {
            // In place, as the relay feeds: the decoder reads the event's bytes as they came.
            sse.feedInPlace(Array(input[start..<cut])) { event in decoder.decode(event) { $0.writeSSE(into: &out) } }
            start = cut
        }
        if sse.hasPartialEvent {
            sse.feed([0x0A, 0x0A]) { event in decoder.decode(event) { $0.writeSSE(into: &out) } }
        }
        sse.finish()
        if !decoder.isDone { decoder.finish { $0.writeSSE(into: &out) } }
        return String(decoding: out, as: UTF8.self)
    }
}
