import Redis
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
}
