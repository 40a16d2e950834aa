import ArgumentParser
import Foundation
import NeuroloomStore

@main
struct Neuroloom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroloom",
        abstract: "Neuroloom: a self-hostable memory store for AI agents.",
        subcommands: [ServeCommand.self, WorkspaceCommand.self, KeyCommand.self, MCPCommand.self, ReindexCommand.self]
    )
}

/// `--data DIR`, shared by every command: default `$NEUROLOOM_DATA`, else `./data`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $NEUROLOOM_DATA or ./data).")
    var data: String?

    var directory: DataDirectory {
        DataDirectory(root: data ?? ProcessInfo.processInfo.environment["NEUROLOOM_DATA"] ?? "./data")
    }

    func openControl() throws -> ControlStore {
        do {
            return try ControlStore(directory: directory)
        } catch {
            throw OperatorError("cannot open the control environment in \(directory.root): \(error)")
        }
    }
}

/// A message for stderr and a non-zero exit.
struct OperatorError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Prints a value as one line of JSON (sorted keys, so output is stable).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Prints rows as an aligned text table.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}
