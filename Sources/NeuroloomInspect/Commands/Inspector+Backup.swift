import Foundation
import LMDB
import NeuroloomStore

/// `backup`: a compacted, consistent copy of one partition.
public struct BackupReport: Codable, Sendable, Equatable {
    public var workspace: String
    public var environment: String
    public var source: String
    /// The directory holding the copy's `data.mdb`.
    public var destination: String
    /// Size of the copy's `data.mdb`.
    public var bytes: Int

    public var summary: [String] {
        ["Copied \(workspace) (\(environment)) from \(source) to \(destination)/data.mdb (\(ByteCount.format(bytes)), compacted)."]
    }
}

extension Inspector {
    /// Writes a compacted copy of the partition (`mdb_env_copy2` with `MDB_CP_COMPACT`, in one read
    /// transaction, so writers go on meanwhile) as `destination/data.mdb`. `destination` is created
    /// if absent and must otherwise be an empty directory. The copy is an ordinary environment
    /// directory: put it in place of `workspaces/<ws>/<env>` (server stopped) and it opens as-is.
    public func backup(workspace: WorkspaceID, environment: WorkspaceEnvironment, to destination: String) throws(InspectError) -> BackupReport {
        try requireWorkspace(workspace)
        return try withPartition(workspace, environment) { reader throws(InspectError) in
            let created = try prepareDestination(destination)
            do throws(LMDBError) {
                try reader.environment.copy(to: destination, compact: true)
            } catch {
                try? FileManager.default.removeItem(atPath: destination + "/data.mdb")
                if created { try? FileManager.default.removeItem(atPath: destination) }
                throw .storage(path: destination, error)
            }
            return BackupReport(workspace: workspace.description, environment: environment.rawValue, source: reader.path,
                                destination: destination, bytes: ReadOnlyEnvironment.fileSize(path: destination))
        }
    }

    /// Creates `path` (returns `true`) or checks that it is an empty directory (returns `false`).
    private func prepareDestination(_ path: String) throws(InspectError) -> Bool {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true else {
                throw .destinationNotEmpty(path)
            }
            return false
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .fileSystem("cannot create \(path): \(error.localizedDescription)")
        }
        return true
    }
}
