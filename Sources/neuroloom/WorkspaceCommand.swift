import ArgumentParser
@_spi(Operator) import NeuroloomStore

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Create and list workspaces.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace and print its two admin keys (shown once).")
        @Option(help: "Workspace name.") var name: String
        @Option(help: "Create this many workspaces, named <name>-1 … <name>-N, in batched transactions; prints one JSON line each.")
        var count: Int?
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        /// Workspaces created per control write transaction by `--count`.
        static let batchSize = 1000

        func run() async throws {
            let control = try data.openControl()
            if let count {
                guard count > 0 else { throw OperatorError("--count must be positive") }
                var start = 1
                while start <= count {
                    let end = min(count, start + Self.batchSize - 1)
                    let created = try control.createWorkspaces(names: (start...end).map { "\(name)-\($0)" })
                    for (workspace, live, test) in created {
                        try printJSON(CreatedWorkspaceOutput(
                            workspace: .init(workspace),
                            keys: .init(live: live.secret.value, test: test.secret.value)))
                    }
                    start = end + 1
                }
                return
            }
            let (workspace, live, test) = try control.createWorkspace(name: name)
            if json {
                try printJSON(CreatedWorkspaceOutput(
                    workspace: .init(workspace),
                    keys: .init(live: live.secret.value, test: test.secret.value)))
            } else {
                print("Created workspace \(workspace.id) (\(workspace.name)).")
                print("Live admin key: \(live.secret.value)")
                print("Test admin key: \(test.secret.value)")
                print("These keys will not be shown again. Store them somewhere safe.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces.")
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspaces = try data.openControl().allWorkspaces()
            if json {
                try printJSON(["workspaces": workspaces.map(WorkspaceOutput.init)])
            } else {
                printTable(["ID", "NAME", "CREATED"], workspaces.map { [$0.id.description, $0.name, $0.createdAt.iso8601] })
            }
        }
    }
}

struct WorkspaceOutput: Encodable {
    let id: String
    let name: String
    let createdAt: String
    init(_ workspace: Workspace) {
        id = workspace.id.description
        name = workspace.name
        createdAt = workspace.createdAt.iso8601
    }
}

struct CreatedWorkspaceOutput: Encodable {
    struct Keys: Encodable { let live: String; let test: String }
    let workspace: WorkspaceOutput
    let keys: Keys
}
