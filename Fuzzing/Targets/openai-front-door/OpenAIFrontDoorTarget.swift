import PipelineFuzzing
import Providers

/// `POST /v1/chat/completions`: a Chat Completions body translated into the unified request.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAIFrontDoor(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = requestBody(data, size),
        let translated = try? OpenAIDoor().decode(json)
    else { return 0 }
    exerciseAcceptedRequest(translated.request)
    return 0
}
