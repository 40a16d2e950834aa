import Foundation

/// sentence-transformers' all-MiniLM-L6-v2 (or any BERT-uncased model of the same layout) in
/// plain Swift over OpenBLAS: 384-dimensional, L2-normalised sentence vectors.
///
/// Loads `config.json`, `vocab.txt` and `model.safetensors` from one directory (what
/// `tools/fetch-model` installs). Texts longer than 256 tokens are truncated, as sentence-transformers does.
///
/// Tokenisation and the forward pass run on the embedder's own dispatch queues (see
/// ``concurrency``), never on Swift's cooperative thread pool. One embedder can be shared by every
/// task; up to ``concurrency`` calls compute in parallel, the others wait their turn without
/// blocking a thread. Each queue runs OpenBLAS on one thread.
public final class MiniLMEmbedder: Embedder {
    /// The model's name, and the name of its directory under ``defaultModelsDirectory()``.
    public static let modelName = "all-MiniLM-L6-v2"

    /// `<models>/all-MiniLM-L6-v2`, with `<models>` from ``defaultModelsDirectory()``.
    public static var defaultDirectory: URL {
        defaultModelsDirectory().appending(path: modelName, directoryHint: .isDirectory)
    }

    /// The files ``load(directory:id:concurrency:)`` reads.
    public static let requiredFiles = ["config.json", "vocab.txt", "model.safetensors"]

    /// Texts per forward-pass job: a large batch is split so that other requests can interleave
    /// and several workers can share it.
    static let textsPerJob = 32

    public let id: String
    public var dimension: Int { configuration.hiddenSize }
    public let configuration: BertConfiguration
    public let tokenizer: WordPieceTokenizer
    /// How many forward passes may run at the same time (one dispatch queue each).
    public var concurrency: Int { pool.concurrency }

    private let encoder: BertEncoder
    private let pool: ComputePool

    private init(id: String, configuration: BertConfiguration, tokenizer: WordPieceTokenizer,
                 weights: BertWeights, concurrency: Int) {
        self.id = id
        self.configuration = configuration
        self.tokenizer = tokenizer
        self.encoder = BertEncoder(configuration: configuration, weights: weights)
        self.pool = ComputePool(concurrency: concurrency, label: "neuroloom.embedding.\(id)") {
            Workspace(hiddenSize: configuration.hiddenSize, intermediateSize: configuration.intermediateSize)
        }
    }

    /// Loads the model in `directory` and checks every tensor's shape against `config.json`.
    ///
    /// - Parameters:
    ///   - id: recorded as ``id``; keep the default unless the directory holds another model.
    ///   - concurrency: forward passes that may run at once; defaults to the number of active cores.
    /// - Throws: ``EmbeddingModelError``, whose description names the file and what to do.
    public static func load(
        directory: URL, id: String = modelName, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(EmbeddingModelError) -> MiniLMEmbedder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryNotFound(path: directory.path)
        }
        for name in requiredFiles {
            let path = directory.appending(path: name).path
            guard FileManager.default.fileExists(atPath: path) else { throw .fileMissing(path: path) }
        }

        let configuration = try BertConfiguration.load(from: directory.appending(path: "config.json"))

        let vocabularyURL = directory.appending(path: "vocab.txt")
        let tokenizer: WordPieceTokenizer
        do {
            tokenizer = try WordPieceTokenizer(
                contentsOf: vocabularyURL,
                maximumTokens: min(WordPieceTokenizer.defaultMaximumTokens, configuration.maximumPositions))
        } catch {
            throw .invalidVocabulary(path: vocabularyURL.path, error)
        }
        guard tokenizer.vocabulary.count <= configuration.vocabularySize else {
            throw .vocabularySizeMismatch(vocabulary: tokenizer.vocabulary.count, embeddings: configuration.vocabularySize)
        }

        let weightsURL = directory.appending(path: "model.safetensors")
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: weightsURL)
        } catch {
            throw .invalidWeights(path: weightsURL.path, error)
        }
        let weights = try BertWeights(file: file, configuration: configuration, path: weightsURL.path)

        _ = Kernels.singleThreaded
        return MiniLMEmbedder(id: id, configuration: configuration, tokenizer: tokenizer,
                              weights: weights, concurrency: concurrency)
    }

    /// One L2-normalised vector of ``dimension`` components per text, in order.
    ///
    /// A large batch is split into jobs of a few dozen texts; at most ``concurrency`` of its jobs are
    /// queued at a time, so other callers' requests interleave with it instead of waiting for all of it.
    /// - Throws: `CancellationError` when the task is cancelled: checked before each job starts
    ///   (a job already running completes).
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try Task.checkCancellation()
        if texts.count <= Self.textsPerJob { return await run(texts) }
        let jobs = stride(from: 0, to: texts.count, by: Self.textsPerJob).map {
            Array(texts[$0..<min($0 + Self.textsPerJob, texts.count)])
        }
        return try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            var next = 0
            func addJob() {
                let index = next, job = jobs[index]
                next += 1
                group.addTask {
                    try Task.checkCancellation()
                    return (index, await self.run(job))
                }
            }
            while next < min(jobs.count, concurrency) { addJob() }
            var parts = [[[Float]]](repeating: [], count: jobs.count)
            for try await (index, vectors) in group {
                parts[index] = vectors
                if next < jobs.count { addJob() }
            }
            return parts.flatMap { $0 }
        }
    }

    /// Tokenises and embeds `texts` on one worker.
    private func run(_ texts: [String]) async -> [[Float]] {
        if texts.isEmpty { return [] }
        let tokenizer = self.tokenizer, encoder = self.encoder
        return await pool.run { workspace in
            encoder.embed(texts.map(tokenizer.encode), workspace: workspace)
        }
    }
}
