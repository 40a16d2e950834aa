import ArgumentParser
import Foundation
import Logging
import NeuroloomHTTP
import NeuroloomMCP
import NeuroloomStore

/// `neuroloom mcp`: the memory tools over MCP on stdin/stdout, for an MCP client that starts
/// Neuroloom as a subprocess. Embedded: it opens the data directory itself (LMDB is safe to share
/// with a running `neuroloom serve`), so no server is needed. The key comes from
/// `NEUROLOOM_API_KEY`; logs go to stderr only, stdout carries nothing but MCP messages.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the memory tools over MCP on stdin/stdout (API key from $NEUROLOOM_API_KEY).")

    @OptionGroup var data: DataOptions
    @OptionGroup var embedding: EmbedderOptions
    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical (default: $NEUROLOOM_LOG_LEVEL or warning).")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        tuneAllocatorForManyEnvironments(environment)
        let apiKey = (environment["NEUROLOOM_API_KEY"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !apiKey.isEmpty else {
            throw OperatorError("set NEUROLOOM_API_KEY to an API key (nlk_live_… or nlk_test_…)")
        }
        let levelName = logLevel ?? environment["NEUROLOOM_LOG_LEVEL"] ?? "warning"
        guard let level = Logger.Level(rawValue: levelName) else { throw OperatorError("unknown log level \(levelName)") }
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "neuroloom.mcp")

        var configuration = ServerConfiguration()
        configuration.dataDirectory = data.directory.root
        configuration.logLevel = level
        configuration.storage.embedder = try await embedding.load()
        let services: NeuroloomServices
        do {
            services = try NeuroloomServices(configuration: configuration, logger: logger)
        } catch {
            throw OperatorError("cannot open the data directory \(configuration.dataDirectory): \(error)")
        }
        do {
            try await runMCPStdio(services: services, apiKey: apiKey, logger: logger)
        } catch let error as MCPStdioError {
            throw OperatorError(error.description)
        }
    }
}
