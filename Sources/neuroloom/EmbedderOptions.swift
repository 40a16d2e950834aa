import ArgumentParser
import Foundation
import NeuroloomEmbedding
import NeuroloomRemoteEmbedding

/// Which embedder the store uses, shared by `serve`, `mcp` and `reindex` (all must agree, or a
/// partition's vectors would be refused as another model's):
///
/// - `minilm` (default): all-MiniLM-L6-v2 in-process, weights from `--models` /
///   `$NEUROLOOM_MODELS` / `./data/models` (independent of `--data`). Missing or corrupt weights
///   stop the command with a message saying how to fetch them.
/// - `openai`: an OpenAI-compatible `POST {url}/v1/embeddings` server (`--embedder-url`,
///   `--embedder-model`, key in `$NEUROLOOM_EMBEDDER_API_KEY`).
/// - `none`: keyword-only (semantic search finds nothing; hybrid ranks by keywords).
struct EmbedderOptions: ParsableArguments {
    @Option(help: "minilm, openai or none (default: $NEUROLOOM_EMBEDDER or minilm).") var embedder: String?
    @Option(help: "Folder holding all-MiniLM-L6-v2/ (default: $NEUROLOOM_MODELS or ./data/models).") var models: String?
    @Option(help: "Base URL of an OpenAI-compatible embeddings server (default: $NEUROLOOM_EMBEDDER_URL).") var embedderURL: String?
    @Option(help: "Model name sent to that server (default: $NEUROLOOM_EMBEDDER_MODEL).") var embedderModel: String?

    func load() async throws -> (any Embedder)? {
        let environment = ProcessInfo.processInfo.environment
        let kind = embedder ?? environment["NEUROLOOM_EMBEDDER"] ?? "minilm"
        switch kind {
        case "none":
            return nil
        case "minilm":
            let root = models.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? defaultModelsDirectory()
            let directory = root.appendingPathComponent(MiniLMEmbedder.modelName, isDirectory: true)
            do {
                return try MiniLMEmbedder.load(directory: directory)
            } catch {
                throw OperatorError("""
                    cannot load the embedding model from \(directory.path): \(error)
                    Fetch it with tools/fetch-model (or tools/setup), point --models / NEUROLOOM_MODELS at it, \
                    or run keyword-only with --embedder none.
                    """)
            }
        case "openai":
            guard let url = embedderURL ?? environment["NEUROLOOM_EMBEDDER_URL"] else {
                throw OperatorError("--embedder openai needs --embedder-url (or NEUROLOOM_EMBEDDER_URL)")
            }
            guard let model = embedderModel ?? environment["NEUROLOOM_EMBEDDER_MODEL"] else {
                throw OperatorError("--embedder openai needs --embedder-model (or NEUROLOOM_EMBEDDER_MODEL)")
            }
            do {
                return try await OpenAICompatibleEmbedder.connect(baseURL: url, model: model, apiKey: environment["NEUROLOOM_EMBEDDER_API_KEY"])
            } catch {
                throw OperatorError("cannot use the embeddings server: \(error)")
            }
        default:
            throw OperatorError("unknown embedder \(kind) (use minilm, openai or none)")
        }
    }
}
