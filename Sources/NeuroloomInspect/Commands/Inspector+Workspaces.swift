import LMDB
@_spi(Operator) import NeuroloomStore

/// `workspaces`: every workspace with, per partition, its memory count, file and used size, and its
/// active keys by scope.
public struct WorkspacesReport: Codable, Sendable, Equatable {
    public struct KeyCounts: Codable, Sendable, Equatable {
        public var read = 0
        public var write = 0
        public var admin = 0

        public init(read: Int = 0, write: Int = 0, admin: Int = 0) {
            self.read = read
            self.write = write
            self.admin = admin
        }
    }

    public struct Partition: Codable, Sendable, Equatable {
        public var environment: String
        /// Whether the partition has an environment on disk (created on first use).
        public var exists: Bool
        public var memories: Int
        /// Size of `data.mdb` on disk.
        public var fileBytes: Int
        /// Bytes up to the last page in use.
        public var usedBytes: Int
        public var activeKeys: KeyCounts
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var createdAt: String
        public var partitions: [Partition]
    }

    public var workspaces: [Entry]

    public var table: TextTable {
        TextTable(header: ["ID", "NAME", "ENV", "MEMORIES", "FILE", "USED", "KEYS r/w/a"], rows: workspaces.flatMap { workspace in
            workspace.partitions.map { partition in
                [workspace.id, workspace.name, partition.environment,
                 partition.exists ? String(partition.memories) : "-",
                 partition.exists ? ByteCount.format(partition.fileBytes) : "-",
                 partition.exists ? ByteCount.format(partition.usedBytes) : "-",
                 "\(partition.activeKeys.read)/\(partition.activeKeys.write)/\(partition.activeKeys.admin)"]
            }
        })
    }
}

extension Inspector {
    /// Every workspace of the control environment, oldest first.
    public func workspaces() throws(InspectError) -> WorkspacesReport {
        let (workspaces, keys) = try withControl { control throws(InspectError) in
            (try control.allWorkspaces(), try control.keyRecords())
        }
        let now = Timestamp.now()
        var entries: [WorkspacesReport.Entry] = []
        for workspace in workspaces {
            var partitions: [WorkspacesReport.Partition] = []
            for environment in WorkspaceEnvironment.allCases {
                var counts = WorkspacesReport.KeyCounts()
                for key in keys where key.workspaceID == workspace.id && key.environment == environment && key.isActive(at: now) {
                    switch key.scope {
                    case .read: counts.read += 1
                    case .write: counts.write += 1
                    case .admin: counts.admin += 1
                    }
                }
                partitions.append(try partitionSummary(workspace.id, environment, keys: counts))
            }
            entries.append(.init(id: workspace.id.description, name: workspace.name, createdAt: workspace.createdAt.iso8601, partitions: partitions))
        }
        return WorkspacesReport(workspaces: entries)
    }

    private func partitionSummary(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment,
                                  keys: WorkspacesReport.KeyCounts) throws(InspectError) -> WorkspacesReport.Partition {
        guard partitionExists(workspace, environment) else {
            return .init(environment: environment.rawValue, exists: false, memories: 0, fileBytes: 0, usedBytes: 0, activeKeys: keys)
        }
        return try withPartition(workspace, environment) { reader throws(InspectError) in
            let memories = try reader.read { txn in try reader.memories.count(in: txn) }
            let info: EnvironmentInfo
            do throws(LMDBError) { info = try reader.environment.info() } catch { throw .storage(path: reader.path, error) }
            return .init(environment: environment.rawValue, exists: true, memories: memories,
                         fileBytes: ReadOnlyEnvironment.fileSize(path: reader.path), usedBytes: info.checkedUsedBytes, activeKeys: keys)
        }
    }
}
