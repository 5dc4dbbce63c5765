import FuzzSupport
import SSE

/// The event-stream decoder, fed in the pieces the input's plan cuts. Where the feeds are cut
/// must not change the events (a CR ending one feed and an LF starting the next are one line
/// end; a BOM may arrive split), nor whether a partial event is pending at the end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = ChunkedInput(UnsafeBufferPointer(start: data, count: size))
    let pieces = decode(input.chunks)
    let whole = decode([input.body[...]])
    fuzzExpect(
        pieces.events == whole.events,
        "events differ by feed boundaries (cuts \(input.cuts)): \(pieces.events) vs \(whole.events)")
    fuzzExpect(pieces.partial == whole.partial, "partial-event state differs by feed boundaries (cuts \(input.cuts))")
    return 0
}

private func decode(_ chunks: [ArraySlice<UInt8>]) -> (events: [SSEEvent], partial: Bool) {
    var decoder = SSEDecoder()
    var events: [SSEEvent] = []
    for chunk in chunks {
        chunk.withUnsafeBytes { decoder.feed($0) { events.append($0) } }
    }
    let partial = decoder.hasPartialEvent
    // As the relay does at a clean end: deliver an unterminated last event, then reset.
    if partial { decoder.feed([0x0A, 0x0A]) { events.append($0) } }
    decoder.finish()
    fuzzExpect(!decoder.hasPartialEvent, "finish() left a partial event")
    return (events, partial)
}
