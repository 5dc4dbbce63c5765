/// Thinking signatures are opaque to clients but only valid at the provider that issued
/// them. The gateway hands them out as "<provider>:<signature>" and, when a conversation
/// comes back, gives each provider exactly its own bytes and drops another provider's
/// (a conversation moved mid-way would otherwise be rejected with a 400).
public enum SignatureTag {
    static let providers = ["openai", "anthropic", "gemini"]

    public static func tag(_ signature: String, provider: String) -> String {
        provider + ":" + signature
    }

    /// The provider's own signature bytes; the text as is when it carries no tag (a client
    /// that built the conversation itself); nil when another provider issued it.
    public static func untag(_ signature: String, for provider: String) -> String? {
        guard let colon = signature.firstIndex(of: ":") else { return signature }
        let owner = String(signature[..<colon])
        guard providers.contains(owner) else { return signature }
        return owner == provider ? String(signature[signature.index(after: colon)...]) : nil
    }
}
