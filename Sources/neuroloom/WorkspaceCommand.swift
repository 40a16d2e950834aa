import ArgumentParser
import NeuroloomStore

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Create and list workspaces.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace and print its two admin keys (shown once).")
        @Option(help: "Workspace name.") var name: String
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let control = try data.openControl()
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
