import NeuroloomEmbedding
import Synchronization

/// A small LRU of query embeddings, keyed by embedder and query text.
final class QueryEmbeddingCache: Sendable {
    private struct State {
        var vectors: [String: (vector: [Float], use: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    func vector(for key: String) -> [Float]? {
        state.withLock { state in
            guard let entry = state.vectors[key] else { return nil }
            state.clock += 1
            state.vectors[key] = (entry.vector, state.clock)
            return entry.vector
        }
    }

    func store(_ vector: [Float], for key: String) {
        guard capacity > 0 else { return }
        state.withLock { state in
            state.clock += 1
            state.vectors[key] = (vector, state.clock)
            if state.vectors.count > capacity, let oldest = state.vectors.min(by: { $0.value.use < $1.value.use })?.key {
                state.vectors[oldest] = nil
            }
        }
    }
}

extension WorkspaceStorage {
    /// Vectors for memory contents, computed before any write transaction opens. `nil` without an
    /// embedder. An embedder failure is `unavailable` (503): the write did not happen.
    nonisolated func embedContents(_ contents: [String]) async throws(StoreError) -> (id: String, vectors: [[Float]])? {
        guard let embedder = configuration.embedder, !contents.isEmpty else { return nil }
        do {
            let vectors = try await embedder.embed(contents)
            guard vectors.count == contents.count else { throw StoreError.unavailable("the embedder returned \(vectors.count) vectors for \(contents.count) texts") }
            return (embedder.id, vectors)
        } catch let error as StoreError {
            throw error
        } catch is CancellationError {
            throw .unavailable("cancelled")
        } catch {
            throw .unavailable("the embedder failed: \(error)")
        }
    }

    /// The query's vector, from the cache when the same query was embedded recently.
    nonisolated func embedQuery(_ query: String) async throws(StoreError) -> (id: String, vector: [Float])? {
        guard let embedder = configuration.embedder else { return nil }
        let key = embedder.id + "\u{0}" + query
        if let cached = queryCache.vector(for: key) { return (embedder.id, cached) }
        guard let made = try await embedContents([query]) else { return nil }
        queryCache.store(made.vectors[0], for: key)
        return (made.id, made.vectors[0])
    }
}
