import JSON
import Testing

@testable import Providers

/// A door's one-pass reader: mapped members by position, and the two kinds of other field
/// flagged only when sent with a value other than null.
@Suite("Door members")
struct DoorMembersTests {
    enum Member: Int, CaseIterable { case model, stop }

    static func place(_ key: String) -> DoorKeyPlace<Member>? {
        switch key {
        case "model": .mapped(.model)
        case "stop": .mapped(.stop)
        case "n": .unmapped
        default: nil
        }
    }

    static func read(_ text: String) throws -> DoorMembers<Member> {
        guard case .object(let body) = try JSONValue.parse(text) else {
            throw JSONParseError(offset: 0, reason: "not an object")
        }
        return DoorMembers(body, memberCount: Member.allCases.count, place: place)
    }

    @Test func eachKindOfFieldIsFlaggedOnlyWithAValue() throws {
        let plain = try Self.read(#"{"model":"m","n":null,"other":null}"#)
        #expect(!plain.sendsUnmappedFields && !plain.sendsUnknownFields)
        #expect(plain[.model] == "m" && plain[.stop] == nil)
        let unmapped = try Self.read(#"{"model":"m","n":2}"#)
        #expect(unmapped.sendsUnmappedFields && !unmapped.sendsUnknownFields)
        let unknown = try Self.read(#"{"other":1,"stop":"x"}"#)
        #expect(!unknown.sendsUnmappedFields && unknown.sendsUnknownFields)
        #expect(unknown[.stop] == "x" && unknown[.model] == nil)
    }
}
