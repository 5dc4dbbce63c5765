import ChatModel

extension GatewayError {
    /// The request asks `provider` for something it has no equivalent of: a 400 naming the
    /// field (`param`) and the provider, raised where the request is mapped for that provider
    /// (the provider is known only after routing).
    static func unsupported(_ field: String, provider: String, _ why: String) -> GatewayError {
        GatewayError(
            status: 400, type: .invalidRequest, message: "\(field): \(why) (provider \(provider))",
            param: field, provider: provider)
    }
}

/// The checks every provider's mapping shares.
enum ProviderFields {
    /// Server tools of another provider cannot run here.
    static func refuseForeignTools(_ request: ChatRequest, provider: String) throws(GatewayError) {
        if let tool = request.providerTools.first(where: { $0.provider != provider }) {
            throw .unsupported(
                "tools", provider: provider,
                "\(tool.type) is a \(tool.provider) server tool; \(provider) cannot run it")
        }
    }

    /// The end user: the unified `user`, else the older `metadata.user`.
    static func user(_ request: ChatRequest) -> String? {
        if let user = request.user { return user }
        if case .string(let user)? = request.metadata?["user"] { return user }
        return nil
    }
}
