/// Turns texts into fixed-size vectors whose dot product measures semantic similarity.
///
/// Conforming types are safe to share between tasks. Every vector returned has ``dimension``
/// components and unit L2 norm, so the dot product of two vectors is their cosine similarity.
public protocol Embedder: Sendable {
    /// Identifies the model exactly (for example `"all-MiniLM-L6-v2"`). Vectors made under different
    /// ids must never be compared: a store records the id next to the vectors it holds.
    var id: String { get }

    /// The number of components of every vector.
    var dimension: Int { get }

    /// One L2-normalised vector per text, in the order of `texts`. An empty text is valid input.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

extension Embedder {
    /// The vector of one text.
    /// - Throws: what ``embed(_:)-([String])`` throws, or ``EmbedderError/wrongVectorCount(embedder:texts:vectors:)``
    ///   when the embedder (a remote server, say) does not return exactly one vector.
    public func embed(_ text: String) async throws -> [Float] {
        let vectors = try await embed([text])
        guard vectors.count == 1, let vector = vectors.first else {
            throw EmbedderError.wrongVectorCount(embedder: id, texts: 1, vectors: vectors.count)
        }
        return vector
    }
}

/// An embedder broke the ``Embedder`` contract. Its output is not used.
public enum EmbedderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// It returned `vectors` vectors for `texts` texts.
    case wrongVectorCount(embedder: String, texts: Int, vectors: Int)

    public var description: String {
        switch self {
        case let .wrongVectorCount(embedder, texts, vectors):
            return "embedder \(embedder) returned \(vectors) vectors for \(texts) texts"
        }
    }
}
