import Reactor
import Testing

/// The flat table answers as the dictionary it replaced in the event loop and the upstream client.
@Suite("Descriptor table")
struct DescriptorTableTests {
    @Test func answersAsADictionaryUnderRandomUse() {
        var table = DescriptorTable<Int>()
        var reference: [Int32: Int] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            // Mostly small descriptors, as the kernel hands out; now and then a far or negative one.
            let fd: Int32 = step % 97 == 0 ? Int32.random(in: -3...5_000, using: &rng) : Int32.random(in: 0..<40)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                table[fd] = step
                if fd >= 0 { reference[fd] = step }
            case 1:
                let removed = table.removeValue(forKey: fd), expected = reference.removeValue(forKey: fd)
                #expect(removed == expected)
            case 2:
                table[fd] = nil
                reference[fd] = nil
            default: #expect(table.contains(fd) == (reference[fd] != nil))
            }
            #expect(table[fd] == reference[fd])
            #expect(table.count == reference.count)
            #expect(table.isEmpty == reference.isEmpty)
        }
        #expect(table.descriptors == reference.keys.sorted())
        table.removeAll()
        #expect(table.isEmpty && table.descriptors.isEmpty && table[3] == nil)
    }

    @Test func aNegativeDescriptorIsNeverStored() {
        var table = DescriptorTable<Void>()
        table[-1] = ()
        #expect(!table.contains(-1) && table.count == 0)
        let removed: Void? = table.removeValue(forKey: -1)
        #expect(removed == nil)
    }
}
