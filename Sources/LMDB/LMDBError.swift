import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every failure the LMDB layer reports: one case per LMDB return code, `system` for the
/// `errno` values LMDB passes through, and two cases of the wrapper's own.
///
/// All LMDB calls are read through ``check(_:)``, so no raw return code leaves this module.
/// See <http://www.lmdb.tech/doc/group__errors.html> for the meaning of each code.
public enum LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `MDB_KEYEXIST`: key/data pair already exists (a put with `noOverwrite`).
    case keyExists
    /// `MDB_NOTFOUND`: key/data pair not found. ``Database/get(_:in:)`` turns this into `nil`.
    case notFound
    /// `MDB_PAGE_NOTFOUND`: requested page not found — usually corruption.
    case pageNotFound
    /// `MDB_CORRUPTED`: located page was wrong type.
    case corrupted
    /// `MDB_PANIC`: update of meta page failed or environment had a fatal error.
    case panic
    /// `MDB_VERSION_MISMATCH`: environment version mismatch.
    case versionMismatch
    /// `MDB_INVALID`: file is not a valid LMDB file.
    case invalidFile
    /// `MDB_MAP_FULL`: environment map size reached. ``Environment/write(_:)`` grows the map and retries.
    case mapFull
    /// `MDB_DBS_FULL`: environment `maxdbs` reached.
    case databasesFull
    /// `MDB_READERS_FULL`: environment `maxreaders` reached. Transient: retry later.
    case readersFull
    /// `MDB_TLS_FULL`: too many TLS keys in use (cannot happen with `MDB_NOTLS`).
    case tlsFull
    /// `MDB_TXN_FULL`: transaction has too many dirty pages.
    case transactionFull
    /// `MDB_CURSOR_FULL`: cursor stack too deep.
    case cursorFull
    /// `MDB_PAGE_FULL`: page has not enough space.
    case pageFull
    /// `MDB_MAP_RESIZED`: another process grew the map. The wrapper adopts the new size and retries.
    case mapResized
    /// `MDB_INCOMPATIBLE`: operation and database incompatible, or database flags changed.
    case incompatible
    /// `MDB_BAD_RSLOT`: invalid reuse of reader locktable slot.
    case badReaderSlot
    /// `MDB_BAD_TXN`: transaction must abort, has a child, or is invalid.
    case badTransaction
    /// `MDB_BAD_VALSIZE`: unsupported size of key/DB name/data, or wrong `DUPFIXED` size.
    case badValueSize
    /// `MDB_BAD_DBI`: the specified database handle was changed unexpectedly.
    case badDatabase
    /// An `errno` value passed through by LMDB (`ENOENT`, `EACCES`, `ENOSPC`, `EIO`, …).
    case system(Int32)
    /// The wrapper refuses to open an environment that this process already has open:
    /// LMDB's documentation forbids it (closing the second handle would drop the first one's locks).
    case environmentAlreadyOpen(path: String)
    /// A transaction, cursor or database was used outside the closure that owned it.
    case transactionEnded
    /// The environment was closed with ``Environment/close()``.
    case environmentClosed
    /// A ``Database`` handle was used with a transaction of another environment than the one that
    /// opened it (an `MDB_dbi` is only a number; in another environment it names other data).
    case databaseOfAnotherEnvironment(name: String)

    /// Maps an LMDB return code to a case. `code` must not be `MDB_SUCCESS`.
    public init(code: Int32) {
        switch code {
        case MDB_KEYEXIST: self = .keyExists
        case MDB_NOTFOUND: self = .notFound
        case MDB_PAGE_NOTFOUND: self = .pageNotFound
        case MDB_CORRUPTED: self = .corrupted
        case MDB_PANIC: self = .panic
        case MDB_VERSION_MISMATCH: self = .versionMismatch
        case MDB_INVALID: self = .invalidFile
        case MDB_MAP_FULL: self = .mapFull
        case MDB_DBS_FULL: self = .databasesFull
        case MDB_READERS_FULL: self = .readersFull
        case MDB_TLS_FULL: self = .tlsFull
        case MDB_TXN_FULL: self = .transactionFull
        case MDB_CURSOR_FULL: self = .cursorFull
        case MDB_PAGE_FULL: self = .pageFull
        case MDB_MAP_RESIZED: self = .mapResized
        case MDB_INCOMPATIBLE: self = .incompatible
        case MDB_BAD_RSLOT: self = .badReaderSlot
        case MDB_BAD_TXN: self = .badTransaction
        case MDB_BAD_VALSIZE: self = .badValueSize
        case MDB_BAD_DBI: self = .badDatabase
        default: self = .system(code)
        }
    }

    /// True for conditions that go away by themselves: a caller may answer "try again later"
    /// (HTTP 503 with `Retry-After`) instead of reporting an internal error. Running out of space
    /// (`MDB_MAP_FULL` at the maximum map size, `ENOSPC`) is not transient: see ``isOutOfSpace``.
    public var isTransient: Bool {
        switch self {
        case .readersFull, .mapResized: return true
        case .system(let code): return code == EAGAIN || code == ENOMEM || code == EINTR
        default: return false
        }
    }

    /// True when a write failed for want of space: the map at its maximum size or a full disk.
    public var isOutOfSpace: Bool {
        switch self {
        case .mapFull: return true
        case .system(let code): return code == ENOSPC || code == EDQUOT
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .environmentAlreadyOpen(let path):
            return "LMDB environment at \(path) is already open in this process"
        case .transactionEnded:
            return "LMDB transaction used outside its closure"
        case .environmentClosed:
            return "LMDB environment is closed"
        case .databaseOfAnotherEnvironment(let name):
            return "LMDB database handle '\(name)' used with a transaction of another environment"
        case .system(let code):
            return "LMDB system error \(code): \(String(cString: strerror(code)))"
        default:
            return "LMDB error: \(String(cString: mdb_strerror(code)))"
        }
    }

    /// The LMDB return code for this error (the `errno` for `system`).
    public var code: Int32 {
        switch self {
        case .keyExists: return MDB_KEYEXIST
        case .notFound: return MDB_NOTFOUND
        case .pageNotFound: return MDB_PAGE_NOTFOUND
        case .corrupted: return MDB_CORRUPTED
        case .panic: return MDB_PANIC
        case .versionMismatch: return MDB_VERSION_MISMATCH
        case .invalidFile: return MDB_INVALID
        case .mapFull: return MDB_MAP_FULL
        case .databasesFull: return MDB_DBS_FULL
        case .readersFull: return MDB_READERS_FULL
        case .tlsFull: return MDB_TLS_FULL
        case .transactionFull: return MDB_TXN_FULL
        case .cursorFull: return MDB_CURSOR_FULL
        case .pageFull: return MDB_PAGE_FULL
        case .mapResized: return MDB_MAP_RESIZED
        case .incompatible: return MDB_INCOMPATIBLE
        case .badReaderSlot: return MDB_BAD_RSLOT
        case .badTransaction: return MDB_BAD_TXN
        case .badValueSize: return MDB_BAD_VALSIZE
        case .badDatabase: return MDB_BAD_DBI
        case .system(let code): return code
        case .environmentAlreadyOpen: return EBUSY
        case .transactionEnded: return MDB_BAD_TXN
        case .environmentClosed: return EBADF
        case .databaseOfAnotherEnvironment: return MDB_BAD_DBI
        }
    }
}

/// Reads an LMDB return code: returns on `MDB_SUCCESS`, throws the matching ``LMDBError`` otherwise.
@inline(__always)
func check(_ code: Int32) throws(LMDBError) {
    if code != MDB_SUCCESS { throw LMDBError(code: code) }
}
