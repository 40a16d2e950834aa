import LMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything the domain layer reports. HTTP statuses and MCP errors are chosen at the edges.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input is invalid; `field` names the offending field (`content`, `metadata.tags`, `limit`…).
    /// Nothing was written.
    case invalid(field: String, message: String)
    /// No such memory or key *in the caller's partition* — also what another partition's ids look like.
    case notFound
    /// The key was revoked or expired before the operation could commit. Nothing was written.
    case unauthorized
    /// The grant's scope does not allow the operation (defence in depth: the edges check first).
    case forbidden(required: Scope)
    /// The operation would break an invariant (e.g. revoking the last active admin key).
    case conflict(String)
    /// A transient condition (reader table full, out of memory): retry later. Nothing was written.
    case unavailable(String)
    /// The write does not fit: the disk is full (`ENOSPC`, `EDQUOT`) or the partition reached its
    /// configured maximum map size. Not transient: an operator frees space or raises the maximum.
    /// Nothing was written; reads go on working.
    case insufficientStorage(String)
    /// A stored record could not be decoded.
    case corruptRecord(String)
    /// Any other storage failure.
    case storage(LMDBError)

    public var description: String {
        switch self {
        case .invalid(let field, let message): return "\(field): \(message)"
        case .notFound: return "not found"
        case .unauthorized: return "the API key is no longer valid"
        case .forbidden(let required): return "this operation requires the \(required.rawValue) scope"
        case .conflict(let message): return message
        case .unavailable(let message): return "temporarily unavailable: \(message)"
        case .insufficientStorage(let message): return "insufficient storage: \(message)"
        case .corruptRecord(let what): return "corrupt \(what) record"
        case .storage(let error): return error.description
        }
    }

    /// Runs `body`, turning LMDB errors into store errors (transient ones into ``unavailable(_:)``).
    static func mapping<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(wrapping: error)
        }
    }

    /// `error` as a store error: store errors as they are, LMDB errors mapped (transient ones to
    /// ``unavailable(_:)``), anything else as an opaque storage failure.
    init(wrapping error: any Error) {
        switch error {
        case let error as StoreError: self = error
        case let error as LMDBError: self = StoreError(error)
        default: self = .storage(.system(-1))
        }
    }

    /// The control environment (keys, workspaces) could not be read: whatever the cause (reader
    /// table full, an I/O error), it is reported as transient, never as a bad key.
    static func unavailableControl(_ error: any Error) -> StoreError {
        .unavailable("the key store cannot be read right now (\(error))")
    }

    /// An LMDB error as the domain sees it: out of space (disk or map ceiling) is
    /// ``insufficientStorage(_:)``, transient conditions ``unavailable(_:)``, the rest ``storage(_:)``.
    init(_ error: LMDBError) {
        switch error {
        case .mapFull:
            // Environment.write grows the map on MDB_MAP_FULL and rethrows it only at the maximum.
            self = .insufficientStorage(
                "the partition reached its maximum map size; the operator can raise it with "
                    + "--max-map-size (NEUROLOOM_MAX_MAP_SIZE) and restart")
        case .system(let code) where code == ENOSPC || code == EDQUOT:
            self = .insufficientStorage("the disk holding the data directory is full; free space and retry")
        default:
            self = error.isTransient ? .unavailable(error.description) : .storage(error)
        }
    }
}
