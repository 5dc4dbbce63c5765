import ChatModel
import JSON
import Testing

@testable import Providers

/// The OpenAI door finds a body's members in one pass (`OpenAIRequestMembers`, by length and
/// then name): every name the door knows lands where the translator's lists say, and nothing
/// else is taken for one of them.
@Suite("OpenAI door: members found in one pass")
struct OpenAIRequestMembersTests {
    @Test func everyKnownNameHasItsPlaceAndNoOtherNameHasOne() {
        let rare = Set(OpenAIRequestTranslator.rareFields)
        for key in OpenAIRequestTranslator.known {
            if rare.contains(key) {
                #expect(OpenAIRequestMembers.place(key) == .unmapped, "\(key)")
            } else {
                guard case .mapped(let member)? = OpenAIRequestMembers.place(key) else {
                    Issue.record("\(key) has no place")
                    continue
                }
                #expect(member.wireName == key)
            }
        }
        #expect(OpenAIRequestTranslator.known.count == OpenAIRequestMembers.Member.allCases.count + rare.count)
        // Each member's name is found, and nearby names (one letter changed, longer, shorter) are not.
        for key in OpenAIRequestTranslator.known {
            for near in [key + "s", String(key.dropLast()), "x" + key.dropFirst(), key.uppercased(), " " + key] {
                guard !OpenAIRequestTranslator.known.contains(near) else { continue }
                #expect(OpenAIRequestMembers.place(near) == nil, "\(near)")
            }
        }
    }

    @Test func theFirstUnknownFieldIsNamedAndNullsAskForNothing() throws {
        let head = #"{"model":"m","messages":[{"role":"user","content":"hi"}]"#
        let unknown = try JSONValue.parse(head + #","top_q":1,"zeta":2}"#)
        #expect(
            throws: GatewayError.invalidRequest(
                "top_q: unknown field (this gateway maps every field it accepts)", param: "top_q")
        ) {
            try OpenAIRequestTranslator.translate(unknown)
        }
        let nulls = try JSONValue.parse(head + #","top_q":null,"store":null,"n":null,"temperature":null}"#)
        let read = try OpenAIRequestTranslator.translate(nulls)
        #expect(read.request.temperature == nil && read.request.providerOptions.isEmpty)
        let members = OpenAIRequestMembers.read(try FieldReader.object(nulls, at: ""))
        #expect(!members.sendsUnmappedFields && !members.sendsUnknownFields)
        #expect(members[.model] == "m" && members[.temperature] == .null && members[.stop] == nil)
    }
}
