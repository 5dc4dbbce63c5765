import PipelineFuzzing
import Providers

/// Anthropic streaming answers: bytes → SSE → unified events (see `fuzzProviderStream`).
private let adapter = providerAdapters.first { $0.name == "anthropic" }!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAnthropicStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzProviderStream(adapter, data, size)
    return 0
}
