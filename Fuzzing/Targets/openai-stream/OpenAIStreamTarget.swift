import PipelineFuzzing
import Providers

/// OpenAI streaming answers: bytes → SSE → unified events (see `fuzzProviderStream`).
private let adapter = providerAdapters.first { $0.name == "openai" }!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAIStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzProviderStream(adapter, data, size)
    return 0
}
