import LMDB
import NeuroloomStore

/// Why a command could not run: bad input, missing data or an I/O failure. Each maps to exit code 2
/// with ``description`` on stderr. (Inconsistencies found by `verify` are not errors: they are
/// ``VerifyProblem`` values and exit code 1.)
public enum InspectError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument did not parse; the message names it.
    case invalidArgument(String)
    /// No control record and no directory for this workspace.
    case workspaceNotFound(WorkspaceID)
    /// The partition was never opened by a server, so it has no environment on disk.
    case partitionNotFound(WorkspaceID, WorkspaceEnvironment)
    /// No such memory in the partition.
    case memoryNotFound(MemoryID)
    /// The control environment does not exist under the data directory.
    case controlNotFound(path: String)
    /// A stored record could not be decoded (run `verify` for the full list).
    case corruptRecord(String)
    /// The backup destination exists and is not an empty directory.
    case destinationNotEmpty(String)
    /// Opening or reading an environment failed.
    case storage(path: String, LMDBError)
    /// A file-system operation failed.
    case fileSystem(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return message
        case .workspaceNotFound(let id): return "no workspace \(id)"
        case .partitionNotFound(let id, let environment): return "workspace \(id) has no \(environment.rawValue) environment on disk (nothing was ever stored there)"
        case .memoryNotFound(let id): return "no memory \(id)"
        case .controlNotFound(let path): return "no control environment at \(path) (is --data right?)"
        case .corruptRecord(let what): return "corrupt record: \(what) (run verify)"
        case .destinationNotEmpty(let path): return "\(path) exists and is not an empty directory"
        case .storage(let path, let error): return "\(path): \(error)"
        case .fileSystem(let message): return message
        }
    }
}
