import JSON

/// Where a door's top-level key goes: a member the door maps, or one it knows but does not map
/// (it refuses it, or passes it through: `.unmapped`). A door's `place` answers nil for a key
/// it does not know.
enum DoorKeyPlace<Member: Equatable>: Equatable {
    case mapped(Member)
    case unmapped
}

/// A door's request body read in one pass over its entries: the translators read each field by
/// name (a scan of the entries per field, ~20 a request) and checked for unknown fields by
/// hashing every key into a set; here the door's `place` tells each key apart by its length and
/// then a few comparisons, and a mapped member is kept by its position (issue 13).
struct DoorMembers<Member: RawRepresentable & CaseIterable & Equatable> where Member.RawValue == Int {
    private var positions: JSONMemberPositions<Member>
    /// A known but unmapped field came with a value other than null.
    private(set) var sendsUnmappedFields = false
    /// A field the door does not know came with a value other than null (the translator then
    /// names the first one, as `DoorFields.rejectUnknown` does).
    private(set) var sendsUnknownFields = false

    /// `memberCount` is `Member.allCases.count`, kept by the caller (`allCases` builds an array).
    init(_ body: JSONObject, memberCount: Int, place: (String) -> DoorKeyPlace<Member>?) {
        positions = JSONMemberPositions(body, memberCount: memberCount)
        // By index: iterating the entries would copy (retain and release) each one.
        for i in body.entries.indices {
            switch place(body.entries[i].key) {
            case .mapped(let member)?: positions.record(member, at: i)
            case .unmapped?: if !body.entries[i].value.isNull { sendsUnmappedFields = true }
            case nil: if !body.entries[i].value.isNull { sendsUnknownFields = true }
            }
        }
    }

    subscript(member: Member) -> JSONValue? { positions[member] }
}
