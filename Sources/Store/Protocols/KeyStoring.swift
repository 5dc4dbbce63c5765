import Pricing

/// Where keys live (SQLite or PostgreSQL). Control plane only: admin API and start-up; the
/// request path uses the gateway's in-memory snapshot. Blocking: call off the event loops.
public protocol KeyStoring: Sendable {
    /// Creates a key; returns it with its secret, which is shown this once and never again.
    func create(
        name: String, models: [String], rpm: Int?, tpm: Int?, maxConcurrent: Int?, tokenBudget: Int?,
        budgetUSD: Double?, budgetPeriod: BudgetPeriod, now: Int
    ) throws -> (key: VirtualKey, secret: String)
    /// Every key, revoked ones included, oldest first.
    func all() throws -> [VirtualKey]
    /// Changes a key's name and limits in one step; nil when there is no such unrevoked key.
    func update(id: String, _ changes: KeyChanges) throws -> VirtualKey?
    /// Marks a key revoked; false when there is no such (unrevoked) key.
    func revoke(id: String, now: Int) throws -> Bool
}

extension KeyStore: KeyStoring {}
