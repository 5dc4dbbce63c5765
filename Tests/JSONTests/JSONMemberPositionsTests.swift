import JSON
import Testing

@Suite("JSON member positions")
struct JSONMemberPositionsTests {
    enum Member: Int, CaseIterable { case model, stream, stop }

    /// An absent member reads as nil, a member sent as `null` as JSON's null: the two mean
    /// different things to the doors (a bare `nil` beside a `JSONValue` is the null literal).
    @Test func anAbsentMemberIsNilAndANullMemberIsNull() throws {
        let body = JSONObject([("stream", .null), ("other", .bool(true)), ("model", .string("m"))])
        var positions = JSONMemberPositions<Member>(body, memberCount: Member.allCases.count)
        for i in body.entries.indices {
            if let member = Member.allCases.first(where: { "\($0)" == body.entries[i].key }) {
                positions.record(member, at: i)
            }
        }
        #expect(positions[.model] == .string("m"))
        #expect(positions[.stream] == .some(.null))
        #expect(positions[.stop] == nil)
    }
}
