@testable import Gateway
import PipelineFuzzing

/// `POST /v1/messages`: a Messages API body translated into the unified request.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnthropicFrontDoor(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = requestBody(data, size),
          let request = try? AnthropicRequestTranslator.translate(json) else { return 0 }
    exerciseAcceptedRequest(request)
    return 0
}
