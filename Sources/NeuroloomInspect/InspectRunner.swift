@_spi(Operator) import NeuroloomStore

/// Runs one ``InspectCommand`` and prints its result: what the executable does, minus argument
/// parsing, so tests drive exactly the code users run and read exactly what they read.
public struct InspectRunner {
    public let inspector: Inspector
    public let format: OutputFormat
    /// Receives stdout, one line at a time (without the newline).
    let standardOutput: (String) -> Void
    /// Receives stderr, one line at a time.
    let standardError: (String) -> Void

    public init(inspector: Inspector, format: OutputFormat,
                standardOutput: @escaping (String) -> Void, standardError: @escaping (String) -> Void) {
        self.inspector = inspector
        self.format = format
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Runs `command`; errors are printed to stderr and become ``ExitStatus/failure``.
    public func run(_ command: InspectCommand) -> ExitStatus {
        do {
            return try execute(command)
        } catch {
            standardError("neuroloom-inspect: \(error)")
            return .failure
        }
    }

    private func execute(_ command: InspectCommand) throws -> ExitStatus {
        switch command {
        case .workspaces:
            let report = try inspector.workspaces()
            try emit(report, table: report.table)
        case .stats(let workspace, let environment):
            let report = try inspector.stats(workspace: try Self.workspaceID(workspace), environment: environment)
            try emit(report, summary: report.summary, table: report.table)
        case .memories(let workspace, let environment, let limit, let after):
            // JSON Lines in both formats: the dump is an export.
            let afterID = try after.map { text throws(InspectError) in try Self.memoryID(text, option: "--after") }
            try inspector.memories(workspace: try Self.workspaceID(workspace), environment: environment, limit: limit, after: afterID) { memory in
                standardOutput(String(decoding: MemoryJSON.encode(memory), as: UTF8.self))
            }
        case .memory(let workspace, let environment, let memory):
            let report = try inspector.memory(workspace: try Self.workspaceID(workspace), environment: environment, id: try Self.memoryID(memory, option: "MEM_ID"))
            try emit(report, summary: report.summary, table: report.table)
        case .keys(let workspace):
            let report = try inspector.keys(workspace: try workspace.map { text throws(InspectError) in try Self.workspaceID(text) })
            try emit(report, table: report.table)
        case .verify(let workspace):
            let report = try inspector.verify(workspace: try workspace.map { text throws(InspectError) in try Self.workspaceID(text) })
            switch format {
            case .json: standardOutput(try JSONOutput.line(report))
            case .table: report.lines.forEach(standardOutput)
            }
            return report.ok ? .ok : .problemsFound
        case .backup(let workspace, let environment, let destination):
            let report = try inspector.backup(workspace: try Self.workspaceID(workspace), environment: environment, to: destination)
            try emit(report, summary: report.summary, table: nil)
        }
        return .ok
    }

    private func emit(_ report: some Encodable, summary: [String] = [], table: TextTable?) throws {
        switch format {
        case .json:
            standardOutput(try JSONOutput.line(report))
        case .table:
            summary.forEach(standardOutput)
            if let table {
                if !summary.isEmpty { standardOutput("") }
                table.lines.forEach(standardOutput)
            }
        }
    }

    static func workspaceID(_ text: String) throws(InspectError) -> WorkspaceID {
        guard let id = WorkspaceID(text) else { throw .invalidArgument("not a workspace id: \(text) (expected ws_ and 26 characters)") }
        return id
    }

    static func memoryID(_ text: String, option: String) throws(InspectError) -> MemoryID {
        guard let id = MemoryID(text) else { throw .invalidArgument("\(option): not a memory id: \(text) (expected mem_ and 26 characters)") }
        return id
    }
}
