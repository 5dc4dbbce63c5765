/// The `door` label of the chat histograms: which front door a request came in by, from the
/// route that served it. A fixed set of values, so the label needs no escaping and adds at most
/// six series per provider, model and status class.
enum ChatDoorLabel {
    static func of(route: String) -> String {
        switch route {
        case "/v1/chat": return "chat"
        case "/v1/chat/completions": return "openai"
        case "/v1/messages": return "anthropic"
        case "/v1/responses": return "responses"
        default: return route.hasPrefix("/v1/loops") ? "loops" : "other"
        }
    }
}
