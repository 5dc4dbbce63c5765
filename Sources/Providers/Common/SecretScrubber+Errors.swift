import ChatModel

/// The places upstream text reaches a client: an error's message, its `param`, the headers
/// passed on with it, an in-stream error event.
extension SecretScrubber {
    public func scrub(_ error: GatewayError) -> GatewayError {
        var out = error
        out.message = scrub(error.message)
        out.param = error.param.map { scrub($0) }
        for i in out.headers.indices { out.headers[i].value = scrub(out.headers[i].value) }
        return out
    }

    public func scrub(_ error: StreamError) -> StreamError {
        var out = error
        out.message = scrub(error.message)
        return out
    }

    public func scrub(_ failure: UpstreamFailure) -> UpstreamFailure {
        var out = failure
        out.error = scrub(failure.error)
        return out
    }
}
