import ChatModel
import HTTPServer
import Store

/// SPEC §7 authentication: `Authorization: Bearer <key>` or `x-api-key`. Auth is off only
/// while the daemon listens on loopback and no key exists; the admin API always needs the
/// admin key.
public struct Authenticator: Sendable {
    public let registry: KeyRegistry
    public let adminKey: String?
    /// SHA-256 of `adminKey`, hashed once per configuration (the snapshot's), not per request.
    private let adminKeyHash: String?
    public let listensOnLoopback: Bool

    public init(registry: KeyRegistry, adminKey: String?, adminKeyHash: String? = nil, listensOnLoopback: Bool) {
        self.registry = registry
        self.adminKey = adminKey
        self.adminKeyHash = adminKey.map { key in adminKeyHash ?? SHA256.hex(key) }
        self.listensOnLoopback = listensOnLoopback
    }

    static func presentedSecret(_ request: HTTPRequest) -> String? {
        if let authorization = request.headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingSpaces() }
        }
        return request.headers["x-api-key"]?.trimmingSpaces()
    }

    /// The caller of a `/v1/*` request, or 401.
    public func authenticate(_ request: HTTPRequest) throws(GatewayError) -> Caller {
        let secret = Self.presentedSecret(request)
        // Hashed once: the admin check and the key look-up both compare hashes.
        let secretHash = secret.map { SHA256.hex($0) }
        if let secretHash, let adminKeyHash, constantTimeEquals(secretHash, adminKeyHash) { return .admin }
        let required = !listensOnLoopback || registry.hasKeys
        guard let secret, !secret.isEmpty else {
            if !required { return .anonymous }
            throw GatewayError(
                status: 401, type: .unauthorized,
                message: "missing API key: send Authorization: Bearer <key> or x-api-key")
        }
        guard let key = registry.key(forHash: secretHash ?? SHA256.hex(secret)) else {
            if !required { return .anonymous }
            throw GatewayError(status: 401, type: .unauthorized, message: "unknown API key")
        }
        if key.revoked != nil {
            throw GatewayError(status: 401, type: .unauthorized, message: "API key \(key.id) is revoked")
        }
        return .key(key)
    }

    /// The admin API's gate.
    public func authenticateAdmin(_ request: HTTPRequest) throws(GatewayError) {
        guard let adminKey else {
            throw GatewayError(
                status: 403, type: .forbidden,
                message: "the admin API is disabled: set SWITCHBOARD_ADMIN_KEY (or admin_key_env) to enable it")
        }
        guard let secret = Self.presentedSecret(request) else {
            throw GatewayError(status: 401, type: .unauthorized, message: "missing admin key")
        }
        guard constantTimeEquals(SHA256.hex(secret), adminKeyHash ?? SHA256.hex(adminKey)) else {
            if registry.key(forSecret: secret) != nil {
                throw GatewayError(status: 403, type: .forbidden, message: "this key may not use the admin API")
            }
            throw GatewayError(status: 401, type: .unauthorized, message: "unknown admin key")
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
