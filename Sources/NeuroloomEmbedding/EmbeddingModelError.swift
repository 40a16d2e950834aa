/// Why an embedding model could not be loaded. ``description`` tells an operator what to do.
public enum EmbeddingModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model directory does not exist.
    case directoryNotFound(path: String)
    /// A required file is absent from the model directory.
    case fileMissing(path: String)
    /// `config.json` is unreadable, not JSON, or describes a model this code does not run.
    case invalidConfiguration(path: String, reason: String)
    /// `vocab.txt` is unreadable or unusable.
    case invalidVocabulary(path: String, TokenizerError)
    /// `model.safetensors` is unreadable or malformed.
    case invalidWeights(path: String, SafetensorsError)
    /// A tensor the configuration calls for is absent, or its shape differs from the configuration.
    case shapeMismatch(tensor: String, expected: [Int], actual: [Int]?)
    /// The vocabulary and the word-embedding table disagree on the number of tokens.
    case vocabularySizeMismatch(vocabulary: Int, embeddings: Int)

    private static let hint = "run tools/fetch-model, or set NEUROLOOM_MODELS to the directory that holds the model"

    public var description: String {
        switch self {
        case let .directoryNotFound(path):
            return "embedding model directory \(path) does not exist (\(Self.hint))"
        case let .fileMissing(path):
            return "embedding model file \(path) is missing (\(Self.hint))"
        case let .invalidConfiguration(path, reason):
            return "embedding model configuration \(path) is invalid: \(reason)"
        case let .invalidVocabulary(path, error):
            return "embedding model vocabulary \(path) is invalid: \(error) (re-run tools/fetch-model)"
        case let .invalidWeights(path, error):
            return "embedding model weights \(path) are corrupt: \(error) (re-run tools/fetch-model)"
        case let .shapeMismatch(tensor, expected, actual?):
            return "embedding model weights: tensor \"\(tensor)\" has shape \(actual), the configuration needs \(expected)"
        case let .shapeMismatch(tensor, expected, nil):
            return "embedding model weights: tensor \"\(tensor)\" (shape \(expected)) is missing"
        case let .vocabularySizeMismatch(vocabulary, embeddings):
            return "embedding model: vocab.txt has \(vocabulary) tokens but the word embeddings have \(embeddings) rows"
        }
    }
}
