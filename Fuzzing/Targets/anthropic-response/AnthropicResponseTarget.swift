import PipelineFuzzing
import Providers

/// Anthropic non-stream answers and error answers (see `fuzzProviderResponse`).
private let adapter = providerAdapters.first { $0.name == "anthropic" }!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnthropicResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzProviderResponse(adapter, data, size)
    return 0
}
