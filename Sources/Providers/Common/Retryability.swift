import ChatModel

/// The one rule for "is another attempt worth it" and "is this the provider's fault", used by
/// the provider error mapping, the stream relay, the collector and the execution alike.
///
/// - An upstream status is retryable when it speaks of the provider's own state: 408 and 409
///   (its timeout, its conflict), 429 (its rate limit) and every 5xx (529 included).
/// - A failure with no usable HTTP answer (connect, TLS, timeouts, a cut transfer) is
///   retryable, except the gateway's own overload: another attempt would only ask for another
///   file descriptor the gateway does not have.
/// - A provider fault (any 5xx, 429) moves on to a fallback; a client-fault 4xx would fail
///   the same way anywhere, so it goes straight back to the client.
public enum Retryability {
    /// True when the provider answered `status` and another attempt may get a different answer.
    public static func isRetryable(status: Int) -> Bool {
        switch status {
        case 408, 409, 429, 500...599: true
        default: false
        }
    }

    /// True when a transport failure, as the client's error, is worth another attempt.
    public static func isRetryable(transport error: GatewayError) -> Bool {
        error.type != .overloaded
    }

    /// True when the error the client would see is the provider's trouble rather than the
    /// request's: a fallback route may answer where this one did not.
    public static func isProviderFault(_ error: GatewayError) -> Bool {
        error.status >= 500 || error.status == 429
    }
}
