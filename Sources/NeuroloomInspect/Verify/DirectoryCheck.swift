import Foundation
import NeuroloomStore

/// Compares `workspaces/` on disk with the control records: every directory is a workspace id
/// with a record and holds only `live` and `test`. A record without a directory is a note, not a
/// problem: partitions are created on first use, so a workspace never written to has none.
struct DirectoryCheck {
    /// Workspace ids found as directories.
    var directories: Set<WorkspaceID> = []
    var problems: [VerifyProblem] = []
    var notes: [String] = []

    init(directory: DataDirectory, records: Set<WorkspaceID>) {
        let list = ProblemList()
        let files = FileManager.default
        let entries = (try? files.contentsOfDirectory(atPath: directory.workspacesPath)) ?? []
        for name in entries.sorted() {
            guard let id = WorkspaceID(name) else {
                list.add(.unexpectedDirectoryEntry, "\(directory.workspacesPath)/\(name) is not a workspace directory")
                continue
            }
            directories.insert(id)
            if !records.contains(id) {
                list.add(.directoryWithoutWorkspace, workspace: id, "\(directory.workspacePath(id)) has no workspace record")
            }
            let inside = (try? files.contentsOfDirectory(atPath: directory.workspacePath(id))) ?? []
            for entry in inside.sorted() where WorkspaceEnvironment(rawValue: entry) == nil {
                list.add(.unexpectedDirectoryEntry, workspace: id, "\(directory.workspacePath(id))/\(entry) is neither live nor test")
            }
        }
        for id in records.subtracting(directories).sorted() {
            notes.append("workspace \(id) has no directory yet (nothing was ever stored in it)")
        }
        problems = list.problems
    }
}
