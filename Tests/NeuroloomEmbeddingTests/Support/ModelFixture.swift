import Foundation
import NeuroloomEmbedding

/// The real all-MiniLM-L6-v2 files, when `tools/fetch-model` has installed them.
///
/// Tests that need them carry `.enabled(if: ModelFixture.isAvailable)`: without the model they are
/// reported as skipped, not passed. Looks in `$NEUROLOOM_MODELS/all-MiniLM-L6-v2`, else in this
/// package's `data/models/all-MiniLM-L6-v2` (found from this file's path, whatever the working directory).
enum ModelFixture {
    static let directory: URL = {
        if let models = ProcessInfo.processInfo.environment["NEUROLOOM_MODELS"], !models.isEmpty {
            return defaultModelsDirectory().appending(path: MiniLMEmbedder.modelName, directoryHint: .isDirectory)
        }
        let packageRoot = URL(filePath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // NeuroloomEmbeddingTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        return packageRoot.appending(path: "data/models/\(MiniLMEmbedder.modelName)", directoryHint: .isDirectory)
    }()

    static let isAvailable: Bool = MiniLMEmbedder.requiredFiles.allSatisfy {
        FileManager.default.fileExists(atPath: directory.appending(path: $0).path)
    }

    /// One embedder for every test (loading takes a moment in a debug build).
    static let embedder: Result<MiniLMEmbedder, EmbeddingModelError> = Result { () throws(EmbeddingModelError) in
        try MiniLMEmbedder.load(directory: directory)
    }

    static let tokenizer: Result<WordPieceTokenizer, TokenizerError> = Result { () throws(TokenizerError) in
        try WordPieceTokenizer(contentsOf: directory.appending(path: "vocab.txt"))
    }
}
