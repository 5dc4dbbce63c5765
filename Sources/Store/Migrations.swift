/// The schema, as numbered migrations applied in order and recorded in `user_version`.
/// Never edit a shipped migration; add the next one.
public enum Migrations {
    static let steps: [String] = [
        // 1: keys and usage.
        """
        CREATE TABLE keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created INTEGER NOT NULL,
            revoked INTEGER,
            models TEXT NOT NULL DEFAULT '[]',
            rpm INTEGER, tpm INTEGER, max_concurrent INTEGER, token_budget INTEGER
        );
        CREATE TABLE usage (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time_ms INTEGER NOT NULL,
            request_id TEXT NOT NULL,
            key_id TEXT,
            alias TEXT NOT NULL,
            provider TEXT,
            model TEXT,
            input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
            cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL, total_tokens INTEGER NOT NULL,
            status INTEGER NOT NULL,
            finish_reason TEXT,
            attempts INTEGER NOT NULL,
            fallback_used TEXT,
            ttft_ms REAL,
            total_ms REAL NOT NULL,
            loop_id TEXT
        );
        CREATE INDEX usage_key_time ON usage(key_id, time_ms);
        CREATE INDEX usage_time ON usage(time_ms);
        """,
        // 2: Gemini context caches, keyed by a hash of the cached prefix.
        """
        CREATE TABLE gemini_caches (
            prefix_hash TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            model TEXT NOT NULL,
            expires_ms INTEGER NOT NULL
        );
        """,
        // 3: rows whose token counts the gateway estimated (a stream cut before the provider's usage).
        """
        ALTER TABLE usage ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
        """,
        // 4: what each request cost (NULL: its model has no price) and the price entry used;
        // dollar budgets on keys, with the period they reset on.
        """
        ALTER TABLE usage ADD COLUMN cost_usd REAL;
        ALTER TABLE usage ADD COLUMN price_entry TEXT;
        ALTER TABLE keys ADD COLUMN budget_usd REAL;
        ALTER TABLE keys ADD COLUMN budget_period TEXT;
        """,
        // 5: stored Responses API answers (/v1/responses), owned by the key that made them
        // (NULL: no keys); the conversation's input items and the response object as JSON.
        """
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            key_id TEXT,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            input_items TEXT NOT NULL,
            response TEXT NOT NULL
        );
        CREATE INDEX responses_expires ON responses(expires_at);
        """,
    ]

    /// Brings the database up to the newest schema.
    public static func apply(to connection: SQLiteConnection) throws(SQLiteError) {
        let version = try connection.prepare("PRAGMA user_version").rows().first?.first?.int ?? 0
        guard version < steps.count else { return }
        for index in version..<steps.count {
            try connection.transaction { () throws(SQLiteError) in
                try connection.execute(steps[index])
                try connection.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
