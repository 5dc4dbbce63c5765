/// Who a loop belongs to: only the same caller finds it.
enum LoopOwner: Sendable, Equatable {
    case anonymous
    case admin
    case key(String)

    init(_ caller: Caller) {
        switch caller {
        case .anonymous: self = .anonymous
        case .admin: self = .admin
        case .key(let key): self = .key(key.id)
        }
    }
}
