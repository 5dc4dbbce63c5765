/// Where each of a fixed set of members sits in a JSON object's entries, recorded in one pass
/// over them by a door's own reader (which tells its keys apart by length, then name): a value
/// is read by position, and the object is not scanned once per field (issue 13). Positions are
/// integers, -1 when absent, where optional values cost a retain each to keep and a call each to
/// destroy.
public struct JSONMemberPositions<Member: RawRepresentable & CaseIterable> where Member.RawValue == Int {
    public let object: JSONObject
    @usableFromInline var positions: [Int]

    /// No member found yet in `object`. `memberCount` is `Member.allCases.count`, which the
    /// caller keeps (`allCases` builds an array on every call).
    @inlinable public init(_ object: JSONObject, memberCount: Int) {
        self.object = object
        positions = [Int](repeating: -1, count: memberCount)
    }

    /// `member` is the entry at `index` of `object.entries`.
    @inlinable public mutating func record(_ member: Member, at index: Int) {
        positions[member.rawValue] = index
    }

    /// The member's value, nil when the object does not have it.
    @inlinable public subscript(member: Member) -> JSONValue? {
        let i = positions[member.rawValue]
        // `.none`, spelled out: a bare `nil` beside a `JSONValue` reads as JSON's null literal.
        guard i >= 0 else { return .none }
        return object.entries[i].value
    }
}
