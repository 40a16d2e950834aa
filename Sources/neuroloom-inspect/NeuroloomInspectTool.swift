import ArgumentParser
import Foundation
import NeuroloomInspect
@_spi(Operator) import NeuroloomStore

/// `neuroloom-inspect`: parses the command line, hands an ``InspectCommand`` to ``InspectRunner``
/// and exits with its status (0 ok, 1 problems found, 2 usage or I/O error).
@main
enum NeuroloomInspectTool {
    static func main() {
        let parsed: any ParsableCommand
        do {
            parsed = try Root.parseAsRoot()
        } catch {
            if Root.exitCode(for: error) == .success {
                print(Root.fullMessage(for: error))
                exit(ExitStatus.ok.rawValue)
            }
            printError(Root.fullMessage(for: error))
            exit(ExitStatus.failure.rawValue)
        }
        guard let subcommand = parsed as? any InspectSubcommand else {
            printError(Root.helpMessage())
            exit(ExitStatus.failure.rawValue)
        }
        let runner = InspectRunner(
            inspector: Inspector(directory: subcommand.options.directory),
            format: subcommand.options.json ? .json : .table,
            standardOutput: { print($0) },
            standardError: printError)
        exit(runner.run(subcommand.command).rawValue)
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

struct Root: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroloom-inspect",
        abstract: "Read-only inspection of a Neuroloom data directory (safe beside a running server).",
        discussion: "Exit codes: 0 ok, 1 problems found (verify), 2 usage or I/O error.",
        subcommands: [Workspaces.self, Stats.self, Memories.self, MemoryCommand.self, Keys.self, Verify.self, Backup.self]
    )
}

/// `--data DIR` and `--json`, on every command.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $NEUROLOOM_DATA or ./data).")
    var data: String?
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    var directory: DataDirectory {
        DataDirectory(root: data ?? ProcessInfo.processInfo.environment["NEUROLOOM_DATA"] ?? "./data")
    }
}

/// A subcommand: its options and the ``InspectCommand`` they describe.
protocol InspectSubcommand: ParsableCommand {
    var options: CommonOptions { get }
    var command: InspectCommand { get }
}

extension WorkspaceEnvironment: ExpressibleByArgument {}

struct Workspaces: InspectSubcommand {
    static let configuration = CommandConfiguration(abstract: "Every workspace: memories, file and used size, active keys per partition.")
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .workspaces }
}

struct Stats: InspectSubcommand {
    static let configuration = CommandConfiguration(abstract: "LMDB figures of one partition: per database, map, transactions, readers.")
    @Argument(help: "Workspace id (ws_…).") var workspace: String
    @Option(name: .customLong("env"), help: "live or test.") var environment: WorkspaceEnvironment = .live
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .stats(workspace: workspace, environment: environment) }
}

struct Memories: InspectSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Dump memories as JSON Lines (the API's shape), oldest first.",
        discussion: "Always JSON Lines. Resume an interrupted export with --after and the last id printed.")
    @Argument(help: "Workspace id (ws_…).") var workspace: String
    @Option(name: .customLong("env"), help: "live or test.") var environment: WorkspaceEnvironment = .live
    @Option(help: "Print at most this many memories.") var limit: Int?
    @Option(help: "Start after this memory id (mem_…).") var after: String?
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .memories(workspace: workspace, environment: environment, limit: limit, after: after) }
}

struct MemoryCommand: InspectSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "One memory: its record, its vector, and the index entries for it.")
    @Argument(help: "Workspace id (ws_…).") var workspace: String
    @Argument(help: "Memory id (mem_…).") var memory: String
    @Option(name: .customLong("env"), help: "live or test.") var environment: WorkspaceEnvironment = .live
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .memory(workspace: workspace, environment: environment, memory: memory) }
}

struct Keys: InspectSubcommand {
    static let configuration = CommandConfiguration(abstract: "Key metadata (never a secret or a digest).")
    @Option(help: "Only this workspace's keys (ws_…).") var workspace: String?
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .keys(workspace: workspace) }
}

struct Verify: InspectSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Check consistency: records, key indexes, directories, search indexes. Exit 1 if any problem.")
    @Argument(help: "Only this workspace (ws_…).") var workspace: String?
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .verify(workspace: workspace) }
}

struct Backup: InspectSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a compacted, consistent copy of one partition (OUT/data.mdb) that the server opens as-is.")
    @Argument(help: "Workspace id (ws_…).") var workspace: String
    @Option(name: .customLong("env"), help: "live or test.") var environment: WorkspaceEnvironment
    @Option(help: "Destination directory (created; must be empty if it exists).") var out: String
    @OptionGroup var options: CommonOptions
    var command: InspectCommand { .backup(workspace: workspace, environment: environment, destination: out) }
}
