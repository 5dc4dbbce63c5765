/// `Retry-After` as an HTTP date (RFC 9110 IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT") in
/// Unix seconds. The obsolete RFC 850 and asctime forms are not accepted: no provider sends them.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func unixSeconds(_ text: String) -> Double? {
        // "Wed," "21" "Oct" "2015" "07:28:00" "GMT"
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[0].hasSuffix(","), fields[5] == "GMT", fields[1].count == 2,
            fields[3].count == 4,
            fields[4].count == 8, let month = months.firstIndex(of: String(fields[2]))
        else { return nil }
        let month2 = month + 1 < 10 ? "0\(month + 1)" : "\(month + 1)"
        // Reuses the RFC 3339 arithmetic rather than a second calendar implementation.
        guard let millis = RFC3339.millis("\(fields[3])-\(month2)-\(fields[1])T\(fields[4])Z") else { return nil }
        return Double(millis) / 1000
    }
}
