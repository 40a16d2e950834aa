/// What an API key may do. Scopes are ordered: `admin` includes `write`, which includes `read`.
public enum Scope: String, Sendable, CaseIterable, Comparable, Codable {
    /// Read memories and search.
    case read
    /// Also create, update and delete memories.
    case write
    /// Also manage the workspace environment's API keys.
    case admin

    private var rank: Int {
        switch self {
        case .read: return 0
        case .write: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }

    /// Whether a key of this scope may do what `required` demands.
    public func allows(_ required: Scope) -> Bool { self >= required }
}

/// The two isolated data partitions of a workspace: `live` (production, `nlk_live_` keys) and
/// `test` (sandbox, `nlk_test_` keys). Nothing reached with one can touch the other.
public enum WorkspaceEnvironment: String, Sendable, CaseIterable, Codable {
    case live
    case test
}
