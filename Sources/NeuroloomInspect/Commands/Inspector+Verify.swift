import Foundation
@_spi(Operator) import NeuroloomStore

extension Inspector {
    /// Checks the data directory (or one workspace) for consistency: the control environment, the
    /// workspace directories against the control records, and every partition on disk against
    /// the invariants of `docs/search.md`. Each partition is checked in one read transaction.
    ///
    /// Problems are returned, not thrown: only a missing control environment or an unknown
    /// workspace is an error. A partition that cannot be opened or read is a problem.
    public func verify(workspace: WorkspaceID? = nil) throws(InspectError) -> VerifyReport {
        let control = try withControl { reader throws(InspectError) in try ControlCheck(reader) }
        let directories = DirectoryCheck(directory: directory, records: control.workspaces)
        var targets = control.workspaces.union(directories.directories)
        if let workspace {
            guard targets.contains(workspace) else { throw .workspaceNotFound(workspace) }
            targets = [workspace]
        }
        var problems = control.problems + directories.problems.filter { workspace == nil || $0.workspace == workspace?.description }
        var partitions = 0
        var memories = 0
        for id in targets.sorted() {
            for environment in WorkspaceEnvironment.allCases {
                guard FileManager.default.fileExists(atPath: directory.partitionPath(id, environment)) else { continue }
                partitions += 1
                let (checked, found) = checkPartition(id, environment)
                memories += checked
                problems += found
            }
        }
        var notes = directories.notes
        if let workspace {
            problems = problems.filter { $0.workspace == nil || $0.workspace == workspace.description }
            notes = notes.filter { $0.contains(workspace.description) }
        }
        return VerifyReport(workspaces: targets.count, partitions: partitions, memories: memories, problems: problems, notes: notes)
    }

    /// Memories checked and problems found in one partition; failing to read it is a problem.
    private func checkPartition(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment) -> (Int, [VerifyProblem]) {
        do {
            return try withPartition(workspace, environment) { reader throws(InspectError) in
                let check = PartitionCheck(reader)
                try check.run()
                return (check.memoryCount, check.problems)
            }
        } catch {
            return (0, [VerifyProblem(kind: .unreadableEnvironment, workspace: workspace.description, environment: environment.rawValue,
                                      message: error.description)])
        }
    }
}
