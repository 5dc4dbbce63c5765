import ChatModel
import HTTPServer
import JSON
import Store

/// `GET /v1/usage`: token sums for the calling key (admin: every key, or `key=`), filtered by
/// `since`/`until` (Unix seconds or YYYY-MM-DD) and grouped by `group_by=model,day,key`.
struct UsageEndpoint: Sendable {
    let reader: any UsageQuerying
    let authenticator: Authenticator

    func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let caller: Caller
        let query: Query
        do {
            caller = try authenticator.authenticate(request)
            query = try Query.parse(request.queryItems())
        } catch {
            writer.respondError(error)
            return
        }
        let reader = self.reader
        offLoop(writer) { () throws -> (Int, JSONValue) in
            let rows: [UsageReader.Row]
            switch caller {
            case .admin:
                rows = try reader.summary(
                    keyId: query.key, allKeys: query.key == nil, since: query.since, until: query.until,
                    groupBy: query.groupBy)
            case .key(let key):
                rows = try reader.summary(
                    keyId: key.id, allKeys: false, since: query.since, until: query.until, groupBy: query.groupBy)
            case .anonymous:
                rows = try reader.summary(
                    keyId: nil, allKeys: true, since: query.since, until: query.until, groupBy: query.groupBy)
            }
            return (
                200,
                .object(
                    JSONObject([
                        ("object", "usage"),
                        ("group_by", .array(query.groupBy.map { .string($0.rawValue) })),
                        ("data", .array(rows.map(Self.json))),
                    ]))
            )
        }
    }

    static func json(_ row: UsageReader.Row) -> JSONValue {
        var o = JSONObject()
        for field in UsageReader.GroupField.allCases {
            if let v = row.groups[field.rawValue] { o[field.rawValue] = .string(v) }
        }
        o["requests"] = .int(row.requests)
        o["input_tokens"] = .int(row.inputTokens)
        o["output_tokens"] = .int(row.outputTokens)
        o["cache_read_tokens"] = .int(row.cacheReadTokens)
        o["cache_write_tokens"] = .int(row.cacheWriteTokens)
        o["reasoning_tokens"] = .int(row.reasoningTokens)
        o["total_tokens"] = .int(row.totalTokens)
        o["cost_usd"] = .number(dollars(row.costUSD))
        o["unpriced_requests"] = .int(row.unpricedRequests)
        return .object(o)
    }

    /// Dollars as a JSON number, rounded to a millionth of a cent (sums of floating-point
    /// costs carry noise in the last digits that would only confuse a report).
    static func dollars(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        let rounded = (value * 1e8).rounded() / 1e8
        return "\(rounded)"
    }

    struct Query {
        var since: Int64?
        var until: Int64?
        var groupBy: [UsageReader.GroupField] = []
        var key: String?

        static func parse(_ items: [(String, String)]) throws(GatewayError) -> Query {
            var q = Query()
            for (name, value) in items {
                switch name {
                case "since": q.since = try time(value, name)
                case "until": q.until = try time(value, name)
                case "key": q.key = value
                case "group_by":
                    for part in value.split(separator: ",") {
                        guard let field = UsageReader.GroupField(rawValue: String(part)) else {
                            throw .invalidRequest(
                                "group_by: unknown field \"\(part)\" (model, day, key)", param: "group_by")
                        }
                        if !q.groupBy.contains(field) { q.groupBy.append(field) }
                    }
                default:
                    throw .invalidRequest("\(name): unknown query parameter (since, until, group_by, key)", param: name)
                }
            }
            return q
        }

        /// Unix seconds (`AllowedRanges.usageTimeSeconds`), or a UTC date YYYY-MM-DD (years
        /// `AllowedRanges.usageDateYears`); returned in milliseconds. Strict digits only: a sign,
        /// a fraction or an exponent is refused, and the range check comes before any arithmetic.
        static func time(_ text: String, _ name: String) throws(GatewayError) -> Int64 {
            let seconds = AllowedRanges.usageTimeSeconds, years = AllowedRanges.usageDateYears
            let refusal = GatewayError.invalidRequest(
                "\(name): expected Unix seconds from \(seconds.lowerBound) to \(seconds.upperBound) "
                    + "or a date YYYY-MM-DD from \(years.lowerBound)-01-01 to \(years.upperBound)-12-31, "
                    + "got \"\(text.prefix(40))\"", param: name)
            let bytes = Array(text.utf8)
            func digits(_ range: Range<Int>) -> Int? {
                guard range.upperBound <= bytes.count, !range.isEmpty else { return nil }
                var value = 0
                for b in bytes[range] {
                    guard b >= 0x30, b <= 0x39 else { return nil }
                    value = value * 10 + Int(b - 0x30)
                }
                return value
            }
            // At most 12 digits: the largest allowed value has 12, so nothing longer can be in range.
            if bytes.count <= 12, let n = digits(0..<bytes.count) {
                guard seconds.contains(Int64(n)) else { throw refusal }
                return Int64(n) * 1000
            }
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10),
                years.contains(y), (1...12).contains(m), (1...31).contains(d)
            else { throw refusal }
            return Int64(daysFromCivil(y, m, d)) * 86_400_000
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
        static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
            let y = m <= 2 ? y0 - 1 : y0
            let era = (y >= 0 ? y : y - 399) / 400
            let yoe = y - era * 400
            let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            return era * 146_097 + doe - 719_468
        }
    }
}
