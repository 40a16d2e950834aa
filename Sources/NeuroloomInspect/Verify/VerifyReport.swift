/// `verify`: what was checked and every problem found. Exit code 1 unless ``problems`` is empty.
public struct VerifyReport: Codable, Sendable, Equatable {
    /// Workspaces checked (records and directories).
    public var workspaces: Int
    /// Partition environments checked.
    public var partitions: Int
    /// Memories checked.
    public var memories: Int
    public var problems: [VerifyProblem]
    /// Observations that are not inconsistencies (e.g. a workspace whose partitions were never opened).
    public var notes: [String]
    /// `true` when no problem was found.
    public var ok: Bool

    public init(workspaces: Int, partitions: Int, memories: Int, problems: [VerifyProblem], notes: [String]) {
        self.workspaces = workspaces
        self.partitions = partitions
        self.memories = memories
        self.problems = problems
        self.notes = notes
        self.ok = problems.isEmpty
    }

    /// One line per problem, then notes, then a summary line.
    public var lines: [String] {
        problems.map(\.description) + notes.map { "note: " + $0 } + [
            problems.isEmpty
                ? "OK: \(workspaces) workspaces, \(partitions) partitions, \(memories) memories checked, no problems."
                : "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(workspaces) workspaces, \(partitions) partitions, \(memories) memories.",
        ]
    }
}
