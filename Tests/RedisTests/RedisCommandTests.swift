@testable import Redis
import Testing

@Suite("Redis commands")
struct RedisCommandTests {
    @Test func argumentsArePackedOneAfterAnother() {
        var command = RedisCommand(["EVALSHA", "abc"])
        command.append(7)
        command.append(joining: "switchboard:key:{", "k1", "}:req")
        command.append("")
        command.append("é")
        #expect(command.count == 6)
        #expect(
            (0..<command.count).map(command.argument) == [
                "EVALSHA", "abc", "7", "switchboard:key:{k1}:req", "", "é",
            ])
    }

    @Test func theHeadIsReplacedAndTheRestKept() {
        var command = RedisCommand(["EVALSHA", "abc"])
        command.append(2)
        command.append("key")
        let eval = command.replacingHead(2, with: ["EVAL", "return 1 -- a longer script"])
        #expect((0..<eval.count).map(eval.argument) == ["EVAL", "return 1 -- a longer script", "2", "key"])
        let shorter = eval.replacingHead(1, with: [])
        #expect((0..<shorter.count).map(shorter.argument) == ["return 1 -- a longer script", "2", "key"])
        #expect((0..<command.count).map(command.argument) == ["EVALSHA", "abc", "2", "key"])
    }

    /// The protocol's form, as Redis reads it: `*<count>`, then `$<length>` and the bytes of each.
    @Test func isEncodedAsTheProtocolSaysWithCountsAndLengthsOfSeveralDigits() {
        var command = RedisCommand(["SET", "k"])
        command.append(joining: "0123456789", "abc")
        for n in [0, 7, 1234, -5] { command.append(n) }
        command.append("")
        for _ in 0..<3 { command.append("x") }
        let encoded = command.withEncoded { String(decoding: $0, as: UTF8.self) }
        #expect(
            encoded
                == "*11\r\n$3\r\nSET\r\n$1\r\nk\r\n$13\r\n0123456789abc\r\n$1\r\n0\r\n$1\r\n7\r\n$4\r\n1234\r\n"
                + "$2\r\n-5\r\n$0\r\n\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n")
        #expect(command.argument(2) == "0123456789abc")
        #expect(command.argument(7) == "")
    }

    @Test func theLongestNumbersAndLengthsAreEncodedWhole() {
        var command = RedisCommand()
        command.append(Int.max)
        command.append(String(repeating: "x", count: 1_000_000))
        let encoded = command.withEncoded { Array($0) }
        let head = "*2\r\n$19\r\n9223372036854775807\r\n$1000000\r\n"
        #expect(String(decoding: encoded.prefix(head.utf8.count), as: UTF8.self) == head)
        #expect(encoded.count == head.utf8.count + 1_000_000 + 2)
        #expect(command.argument(0) == "9223372036854775807")
    }

    /// A block of arguments encoded once (a key's names) is appended whole, its arguments intact.
    @Test func aPreparedBlockOfArgumentsIsAppendedWhole() {
        var keys = RedisCommand()
        keys.append(joining: "switchboard:key:{", "k1", "}:req")
        keys.append(joining: "switchboard:key:{", "k1", "}:tok")
        var command = RedisCommand(["EVALSHA", "abc"])
        command.append(2)
        command.append(contentsOf: keys)
        command.append(15)
        command.append(contentsOf: keys)
        #expect(
            (0..<command.count).map(command.argument) == [
                "EVALSHA", "abc", "2", "switchboard:key:{k1}:req", "switchboard:key:{k1}:tok", "15",
                "switchboard:key:{k1}:req", "switchboard:key:{k1}:tok",
            ])
        let encoded = command.withEncoded { String(decoding: $0, as: UTF8.self) }
        #expect(encoded.hasPrefix("*8\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n2\r\n$24\r\nswitchboard:key:{k1}:req\r\n"))
    }
}
