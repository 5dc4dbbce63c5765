/// The schema in PostgreSQL: the same numbered migrations as `Migrations` (SQLite), step for
/// step, in PostgreSQL's types (BIGINT for Unix times and counts, DOUBLE PRECISION for REAL).
/// Never edit a shipped migration; add the next one to both lists.
///
/// One difference from SQLite: usage rows carry `row_uid`, unique, so a batch replayed from
/// the spool after an outage cannot be counted twice (`ON CONFLICT DO NOTHING`).
public enum PostgresMigrations {
    static let steps: [String] = [
        // 1: keys and usage.
        """
        CREATE TABLE keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            created BIGINT NOT NULL,
            revoked BIGINT,
            models TEXT NOT NULL DEFAULT '[]',
            rpm BIGINT, tpm BIGINT, max_concurrent BIGINT, token_budget BIGINT
        );
        CREATE TABLE usage (
            id BIGSERIAL PRIMARY KEY,
            row_uid TEXT NOT NULL UNIQUE,
            time_ms BIGINT NOT NULL,
            request_id TEXT NOT NULL,
            key_id TEXT,
            alias TEXT NOT NULL,
            provider TEXT,
            model TEXT,
            input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,
            cache_read_tokens BIGINT NOT NULL, cache_write_tokens BIGINT NOT NULL,
            reasoning_tokens BIGINT NOT NULL, total_tokens BIGINT NOT NULL,
            status INTEGER NOT NULL,
            finish_reason TEXT,
            attempts INTEGER NOT NULL,
            fallback_used TEXT,
            ttft_ms DOUBLE PRECISION,
            total_ms DOUBLE PRECISION NOT NULL,
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
            expires_ms BIGINT NOT NULL
        );
        """,
        // 3: rows whose token counts the gateway estimated.
        """
        ALTER TABLE usage ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
        """,
        // 4: what each request cost and the price entry used; dollar budgets on keys.
        """
        ALTER TABLE usage ADD COLUMN cost_usd DOUBLE PRECISION;
        ALTER TABLE usage ADD COLUMN price_entry TEXT;
        ALTER TABLE keys ADD COLUMN budget_usd DOUBLE PRECISION;
        ALTER TABLE keys ADD COLUMN budget_period TEXT;
        """,
        // 5: stored Responses API answers (/v1/responses), owned by the key that made them.
        """
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            key_id TEXT,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            input_items TEXT NOT NULL,
            response TEXT NOT NULL
        );
        CREATE INDEX responses_expires ON responses(expires_at);
        """,
    ]

    /// Any constant both daemons agree on: the advisory lock that serialises migrations.
    static let lockId = "7362626d6967"

    /// Brings the database up to the newest schema, once, however many daemons start together:
    /// a session-level advisory lock is held around reading the version and applying the steps,
    /// and each step commits with its version number.
    public static func apply(to connection: PostgresConnection) throws(PostgresError) {
        try connection.query("SELECT pg_advisory_lock($1::bigint)", [String(Int64(lockId, radix: 16) ?? 1)])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock_all()") }
        try connection.script("CREATE TABLE IF NOT EXISTS switchboard_schema (version INTEGER NOT NULL)")
        let version = try connection.query("SELECT max(version) FROM switchboard_schema").scalar.int ?? 0
        guard version < steps.count else { return }
        for index in max(0, version)..<steps.count {
            try connection.transaction { () throws(PostgresError) in
                try connection.script(steps[index])
                try connection.query("INSERT INTO switchboard_schema (version) VALUES ($1)", [String(index + 1)])
            }
        }
    }

    /// The schema version the database is at.
    public static func version(of connection: PostgresConnection) throws(PostgresError) -> Int {
        try connection.query("SELECT max(version) FROM switchboard_schema").scalar.int ?? 0
    }
}
