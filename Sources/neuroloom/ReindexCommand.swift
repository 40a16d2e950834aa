import ArgumentParser
import Foundation
@_spi(Operator) import NeuroloomStore

/// `neuroloom reindex`: rebuilds one partition's keyword and vector indexes (after an embedder
/// change, or for a partition written before the indexes existed). Safe beside a running server.
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Rebuild a partition's keyword and vector indexes.")

    @OptionGroup var data: DataOptions
    @OptionGroup var embedding: EmbedderOptions
    @Option(help: "Workspace id (ws_…).") var workspace: String
    @Option(help: "live or test.") var env: String
    @Flag(help: "Print the result as JSON.") var json = false

    struct Output: Encodable {
        let workspace: String
        let environment: String
        let memories: Int
        let vectors: Int
        let embedder: String?
    }

    func run() async throws {
        guard let workspaceID = WorkspaceID(workspace) else { throw OperatorError("not a workspace id: \(workspace)") }
        guard let environment = WorkspaceEnvironment(rawValue: env) else { throw OperatorError("--env must be live or test") }
        let embedder = try await embedding.load()
        let control = try data.openControl()
        let resolver = KeyResolver(control: control)
        var configuration = StorageConfiguration()
        configuration.embedder = embedder
        let storage = WorkspaceStorage(directory: data.directory, resolver: resolver, configuration: configuration)
        let report: ReindexReport
        do {
            let grant = try resolver.operatorGrant(workspace: workspaceID, environment: environment)
            report = try await storage.reindex(grant: grant)
        } catch {
            await storage.closeAll()
            throw OperatorError("reindex failed: \(error)")
        }
        await storage.closeAll()
        let output = Output(workspace: workspace, environment: env, memories: report.memories, vectors: report.vectors, embedder: embedder?.id)
        if json {
            try printJSON(output)
        } else {
            print("Reindexed \(report.memories) memories of \(workspace)/\(env): \(report.vectors) vectors (\(embedder?.id ?? "keyword-only")).")
        }
    }
}
