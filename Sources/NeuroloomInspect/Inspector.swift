import Foundation
@_spi(Operator) import NeuroloomStore

/// Read-only inspection of a data directory, beside or without a running server.
///
/// Invariants this type protects:
/// - every environment it opens is opened `MDB_RDONLY` (``ReadOnlyEnvironment``): no write
///   transaction can begin, and nothing but LMDB's lock files (reader slots) is ever touched;
/// - it never goes through the key resolver and never holds a workspace grant: it reads files;
/// - read transactions are short: one per step of a command, and dumps page through the data
///   (``memoryPageSize`` memories per transaction) so no snapshot stays open while output streams;
/// - every environment it opens is closed before the command returns, so commands can run one
///   after another in one process.
///
/// Each command is one method in an extension (`Commands/`), returning a report that prints as a
/// table or as JSON.
public struct Inspector: Sendable {
    public let directory: DataDirectory
    /// Memories read per transaction by the `memories` dump.
    public var memoryPageSize = 1000
    /// Postings read per transaction when `memory` looks for every term pointing at a memory.
    public var postingPageSize = 10_000

    public init(directory: DataDirectory) {
        self.directory = directory
    }

    /// Whether the partition has an environment on disk (a server created it on first use).
    func partitionExists(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment) -> Bool {
        FileManager.default.fileExists(atPath: directory.partitionPath(workspace, environment) + "/data.mdb")
    }

    /// Opens the partition read-only, runs `body`, closes it.
    func withPartition<T>(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment,
                          _ body: (PartitionReader) throws(InspectError) -> T) throws(InspectError) -> T {
        let reader = try PartitionReader(directory: directory, workspace: workspace, partition: environment)
        defer { reader.close() }
        return try body(reader)
    }

    /// Opens the control environment read-only, runs `body`, closes it.
    func withControl<T>(_ body: (ControlReader) throws(InspectError) -> T) throws(InspectError) -> T {
        let reader = try ControlReader(directory: directory)
        defer { reader.close() }
        return try body(reader)
    }

    /// Fails with ``InspectError/workspaceNotFound(_:)`` unless the workspace has a control record
    /// or a directory on disk (`verify` reports the mismatch; other commands still read the data).
    func requireWorkspace(_ workspace: WorkspaceID) throws(InspectError) {
        let known = try withControl { control throws(InspectError) in try control.workspace(workspace) != nil }
        guard known || FileManager.default.fileExists(atPath: directory.workspacePath(workspace)) else {
            throw .workspaceNotFound(workspace)
        }
    }
}
