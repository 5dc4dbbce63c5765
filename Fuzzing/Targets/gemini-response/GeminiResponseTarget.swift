import PipelineFuzzing
import Providers

/// Gemini non-stream answers and error answers (see `fuzzProviderResponse`).
private let adapter = providerAdapters.first { $0.name == "gemini" }!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeminiResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzProviderResponse(adapter, data, size)
    return 0
}
