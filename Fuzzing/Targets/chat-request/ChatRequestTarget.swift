import ChatModel
import PipelineFuzzing

/// `POST /v1/chat`: the body parsed, then decoded strictly into the unified request. A refusal
/// (a 400 naming the field) is an ordinary outcome; an accepted request goes on to every
/// provider's mapping (see `exerciseAcceptedRequest`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChatRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = requestBody(data, size), let request = try? ChatRequest.decode(json) else { return 0 }
    exerciseAcceptedRequest(request)
    return 0
}
