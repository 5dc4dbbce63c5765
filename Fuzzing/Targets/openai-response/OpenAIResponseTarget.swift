import PipelineFuzzing
import Providers

/// OpenAI non-stream answers and error answers (see `fuzzProviderResponse`).
private let adapter = providerAdapters.first { $0.name == "openai" }!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAIResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzProviderResponse(adapter, data, size)
    return 0
}
