/// Values by file descriptor, kept in a flat array indexed by the descriptor's number: the
/// kernel hands out the lowest free numbers, so they are small and dense, and a lookup is an
/// index instead of a hashed dictionary probe (several a request on the event loop, issue 13).
/// The array grows to the highest descriptor stored, which the process's open-file limit
/// bounds; a negative descriptor (never a real one) is never stored.
///
/// A value type with no lock: its owner confines it to one thread (an event loop's).
public struct DescriptorTable<Value> {
    @usableFromInline var slots: [Value?] = []
    /// How many descriptors have a value.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The value for `fd`; assigning nil removes it.
    @inlinable public subscript(fd: Int32) -> Value? {
        get { fd >= 0 && Int(fd) < slots.count ? slots[Int(fd)] : nil }
        set {
            guard fd >= 0 else { return }
            let i = Int(fd)
            if i >= slots.count {
                guard newValue != nil else { return }
                grow(toHold: i)
            }
            let had = slots[i] != nil, has = newValue != nil
            if had != has { adjustCount(by: has ? 1 : -1) }
            slots[i] = newValue
        }
    }

    /// Whether `fd` has a value.
    @inlinable public func contains(_ fd: Int32) -> Bool {
        fd >= 0 && Int(fd) < slots.count && slots[Int(fd)] != nil
    }

    /// Removes `fd`'s value and returns it (nil when it had none).
    @inlinable @discardableResult public mutating func removeValue(forKey fd: Int32) -> Value? {
        guard contains(fd) else { return nil }
        let old = slots[Int(fd)]
        slots[Int(fd)] = nil
        adjustCount(by: -1)
        return old
    }

    /// The descriptors that have a value, in increasing order.
    public var descriptors: [Int32] {
        slots.indices.compactMap { slots[$0] == nil ? nil : Int32($0) }
    }

    public mutating func removeAll() {
        slots.removeAll()
        count = 0
    }

    @usableFromInline mutating func adjustCount(by delta: Int) { count += delta }

    /// Room for index `i`: at least double, so a run of new descriptors grows it a few times.
    @usableFromInline mutating func grow(toHold i: Int) {
        let size = max(i + 1, slots.count * 2, 64)
        slots.append(contentsOf: repeatElement(nil, count: size - slots.count))
    }
}
