import ChatModel
import HTTPTypes
import JSON

/// Azure OpenAI: Chat Completions under Azure's paths and key header. The model a request
/// names is the deployment's name.
public struct AzureOpenAIAdapter: ProviderAdapter {
    /// The GA `api-version` used when the configuration names none.
    public static let defaultAPIVersion = "2024-10-21"

    public let name: String
    /// The deployment path's `api-version`; "v1": the version-less `/openai/v1/` path.
    public let apiVersion: String
    /// true: `Authorization: Bearer <token>` (Entra ID) instead of `api-key`.
    public let bearer: Bool
    private let chat: OpenAIAdapter

    public init(
        name: String = "azure_openai", apiVersion: String = Self.defaultAPIVersion, bearer: Bool = false,
        compat: OpenAICompat = OpenAICompat()
    ) {
        self.name = name
        self.apiVersion = apiVersion
        self.bearer = bearer
        chat = OpenAIAdapter(name: name, compat: compat)
    }

    /// The path for `deployment`: `/openai/deployments/{deployment}/chat/completions?api-version=…`,
    /// or `/openai/v1/chat/completions` (the deployment goes in the body's `model`).
    public func path(deployment: String) -> String {
        if apiVersion == "v1" { return "/openai/v1/chat/completions" }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        var escaped = ""
        for byte in deployment.utf8 {
            if allowed.contains(byte) {
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                escaped += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return "/openai/deployments/\(escaped)/chat/completions?api-version=\(apiVersion)"
    }

    public func upstreamRequest(
        for request: ChatRequest, model: String, endpoint: ProviderEndpoint,
        stream: Bool
    ) throws(GatewayError) -> UpstreamRequest {
        let body = try OpenAIRequestWriter.bytes(request, model: model, stream: stream, compat: chat.compat)
        let auth = bearer ? ("Authorization", "Bearer \(endpoint.apiKey)") : ("api-key", endpoint.apiKey)
        return endpoint.request(
            path: path(deployment: model),
            headers: [
                auth, ("Content-Type", "application/json"),
                ("Accept", stream ? "text/event-stream" : "application/json"),
            ],
            body: body)
    }

    public func makeStreamDecoder(model: String) -> any ProviderStreamDecoder { chat.makeStreamDecoder(model: model) }

    public func decodeResponse(body: [UInt8], model: String) throws(UpstreamFailure) -> ChatResponse {
        try chat.decodeResponse(body: body, model: model)
    }

    /// Azure's error body is OpenAI's shape with Azure's codes (`DeploymentNotFound`,
    /// `content_filter` with `innererror.content_filter_result`): a filtered prompt is the
    /// client's to change, so it is a 400 that names what the filter found.
    public func mapError(status: Int, headers: HTTPHeaders, body: [UInt8]) -> UpstreamFailure {
        var failure = chat.mapError(status: status, headers: headers, body: body)
        let error = (try? JSONValue.parse(body))?["error"]
        if error?["code"]?.stringValue == "content_filter" {
            let found = AzureContentFilter.categories(error?["innererror"]?["content_filter_result"])
            failure.error.status = 400
            failure.error.type = .invalidRequest
            if !found.isEmpty { failure.error.message += " (content filter: \(found.joined(separator: ", ")))" }
            failure.retryable = false
        }
        return failure
    }
}

/// Azure's content-filter annotations (`content_filter_result(s)`): which categories fired.
enum AzureContentFilter {
    /// `{"hate":{"filtered":true,"severity":"high"}, …}` → ["hate (high)"], sorted.
    static func categories(_ result: JSONValue?) -> [String] {
        guard let object = result?.objectValue else { return [] }
        var found: [String] = []
        for (category, value) in object where value["filtered"]?.boolValue == true {
            let severity = value["severity"]?.stringValue
            found.append(severity.map { "\(category) (\($0))" } ?? category)
        }
        return found.sorted()
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
