import ChatModel
import FuzzSupport
import JSON
import Providers
import SSE

/// One provider's stream decoder driven as the relay drives it: upstream bytes in the reads
/// the input's plan cuts → SSE events → unified events; an unterminated last event flushed at
/// a clean end, then `finish()`. An `error` before anything else, while the decoder has not
/// started, ends the relay there (it becomes an HTTP error); otherwise the decoder's
/// contract holds: once done, exactly one `usage` and one `done`, last; before done, neither;
/// at most one `start`. The events then go through every front door's encoder, and the
/// unified SSE must read back to the same events.
public func fuzzProviderStream(_ adapter: any ProviderAdapter, _ data: UnsafePointer<UInt8>, _ size: Int) {
    let input = ChunkedInput(UnsafeBufferPointer(start: data, count: size))
    let decoder = adapter.makeStreamDecoder(model: "fuzz-model")
    var sse = SSEDecoder()
    var events: [StreamEvent] = []
    var refusedBeforeFirstByte = false
    let emit: (StreamEvent) -> Void = { event in
        guard !refusedBeforeFirstByte else { return }
        if events.isEmpty, case .error = event, !decoder.hasStarted {
            refusedBeforeFirstByte = true
            return
        }
        events.append(event)
    }
    for chunk in input.chunks {
        // In place, as the relay feeds: the decoder reads each event's bytes as they came.
        chunk.withUnsafeBytes { bytes in sse.feedInPlace(bytes) { decoder.decode($0, emit) } }
    }
    if sse.hasPartialEvent { sse.feed([0x0A, 0x0A]) { decoder.decode($0, emit) } }
    sse.finish()
    if !decoder.isDone { decoder.finish(emit) }
    if refusedBeforeFirstByte { return }
    checkOrder(events, done: decoder.isDone, adapter.name)
    encodeEverywhere(events, adapter.name)
}

private func checkOrder(_ events: [StreamEvent], done: Bool, _ provider: String) {
    let names = events.map(\.name)
    let dones = events.indices.filter {
        if case .done = events[$0] { return true }; return false
    }
    let usages = events.indices.filter {
        if case .usage = events[$0] { return true }; return false
    }
    if done {
        fuzzExpect(dones == [events.count - 1], "\(provider): done must come once, last: \(names)")
        fuzzExpect(usages == [events.count - 2], "\(provider): usage must come once, just before done: \(names)")
    } else {
        fuzzExpect(dones.isEmpty && usages.isEmpty, "\(provider): usage or done before the decoder is done: \(names)")
    }
    let starts = events.filter {
        if case .start = $0 { return true }; return false
    }.count
    fuzzExpect(starts <= 1, "\(provider): \(starts) start events: \(names)")
}

private func encodeEverywhere(_ events: [StreamEvent], _ provider: String) {
    // The unified door: its SSE must decode back to the very same events (clients rely on it).
    var unified: [UInt8] = []
    for event in events { UnifiedEncoder().encode(event, into: &unified) }
    var sse = SSEDecoder()
    var readBack: [StreamEvent] = []
    sse.feed(unified) { frame in
        guard let name = frame.event, let json = try? JSONValue.parse(frame.data),
            let event = StreamEvent.decode(name: name, data: json)
        else {
            fuzzExpect(false, "\(provider): unified frame does not read back: \(frame)")
            return
        }
        readBack.append(event)
    }
    fuzzExpect(readBack == events, "\(provider): unified SSE reads back differently")

    // The OpenAI and Anthropic doors: every frame's data is JSON (or OpenAI's [DONE]).
    for encoder in [OpenAIChunkEncoder(includeUsage: true), AnthropicEventEncoder()] as [any ChatEncoder] {
        var out: [UInt8] = []
        for event in events { encoder.encode(event, into: &out) }
        var frames = SSEDecoder()
        frames.feed(out) { frame in
            fuzzExpect(
                frame.data == "[DONE]" || (try? JSONValue.parse(frame.data)) != nil,
                "\(provider): front-door frame data is not JSON: \(frame.data)")
        }
        fuzzExpect(!frames.hasPartialEvent, "\(provider): front-door stream ends mid-frame")
    }

    // The non-stream path builds the answer from the same events.
    var accumulator = ResponseAccumulator()
    for event in events { accumulator.apply(event) }
    if let response = accumulator.response() { encodeResponse(response, provider) }
}

/// One fresh encoder per front door (unified, OpenAI, Anthropic).
func frontDoorEncoders() -> [any ChatEncoder] {
    [UnifiedEncoder(), OpenAIChunkEncoder(includeUsage: false), AnthropicEventEncoder()]
}

/// A whole answer in every front door's shape: each must be JSON.
func encodeResponse(_ response: ChatResponse, _ provider: String) {
    for encoder in frontDoorEncoders() {
        let body = encoder.response(response)
        fuzzExpect((try? JSONValue.parse(body)) != nil, "\(provider): response body is not JSON")
    }
}
