import PipelineFuzzing
import Providers

/// Gemini streaming answers: bytes → SSE → unified events (see `fuzzProviderStream`).
private let adapter = providerAdapters.first { $0.name == "gemini" }!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeminiStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzProviderStream(adapter, data, size)
    return 0
}
