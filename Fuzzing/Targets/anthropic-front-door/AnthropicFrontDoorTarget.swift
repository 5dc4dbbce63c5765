import PipelineFuzzing
import Providers

/// `POST /v1/messages`: a Messages API body translated into the unified request.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnthropicFrontDoor(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = requestBody(data, size),
        let read = try? AnthropicDoor().decode(json)
    else { return 0 }
    exerciseAcceptedRequest(read.request)
    return 0
}
