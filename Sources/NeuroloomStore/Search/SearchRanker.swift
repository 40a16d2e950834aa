import LMDB

/// Ranks one partition's memories for a search, inside one read transaction.
///
/// - `keyword`: BM25 (k1 1.2, b 0.75), score = BM25 / the best BM25 of the query (0…1).
/// - `semantic`: cosine similarity of the query and memory embeddings, clamped to 0…1.
/// - `hybrid`: `w · cosine + (1 − w) · keyword score` (w = `hybridSemanticWeight`), over every
///   memory with a vector or a keyword match. The best keyword match always makes the results
///   (if it passes the filter): exact ids, names and error codes must not be drowned by meaning.
///   Without an embedder, hybrid ranks by keywords alone.
///
/// Filters apply before the cut: candidates are taken best first and the filter is checked on
/// each until `topK` match, so topK is filled whenever enough memories match.
struct SearchRanker {
    let request: SearchRequest
    let queryVector: (id: String, vector: [Float])?
    let semanticWeight: Double

    func rank(partition: Partition, workspace: WorkspaceID, in txn: ReadTransaction) throws -> [SearchResult] {
        let indexes = partition.indexes
        var keyword: [MemoryKey: Double] = [:]
        var bestKeyword: (key: MemoryKey, score: Double)?
        if request.mode != .semantic {
            keyword = try indexes.keywordScores(for: request.query, in: txn)
            for (key, score) in keyword {
                if let best = bestKeyword, best.score > score || (best.score == score && best.key > key) { continue }
                bestKeyword = (key, score)
            }
        }
        let keywordScale = bestKeyword.map { $0.score > 0 ? 1 / $0.score : 0 } ?? 0

        var semantic = SemanticScores()
        if request.mode != .keyword, let queryVector, let pinned = try indexes.pinnedEmbedder(in: txn), pinned.id == queryVector.id {
            semantic = try indexes.semanticScores(for: queryVector.vector, in: txn)
        }

        var candidates: [(key: MemoryKey, score: Double)] = []
        /// Cosine similarity as a 0…1 score.
        func clamped(_ cosine: Float) -> Double { Double(max(0, min(1, cosine))) }
        // Hybrid without any vectors to fuse ranks by keyword alone.
        let mode = request.mode == .hybrid && semantic.keys.isEmpty ? .keyword : request.mode
        switch mode {
        case .keyword:
            candidates = keyword.map { ($0.key, $0.value * keywordScale) }
        case .semantic:
            candidates = zip(semantic.keys, semantic.scores).map { ($0, clamped($1)) }
        case .hybrid:
            // Arrays in scan order; keyword hits find their vector's position through its slot
            // (no dictionary of every memory).
            var fused = semantic.scores.map { semanticWeight * clamped($0) }
            var keywordOnly: [(key: MemoryKey, score: Double)] = []
            for (key, score) in keyword {
                let weighted = (1 - semanticWeight) * score * keywordScale
                if let position = try indexes.position(of: key, in: semantic, txn: txn), semantic.keys[position] == key {
                    fused[position] += weighted
                } else {
                    keywordOnly.append((key, weighted))
                }
            }
            candidates = zip(semantic.keys, fused).map { ($0, $1) } + keywordOnly
        }

        let minimum = request.minScore ?? 0
        var results: [SearchResult] = []
        var chosen: Set<MemoryKey> = []
        func accept(_ key: MemoryKey, _ score: Double) throws -> Bool {
            guard let memory = try partition.memory(MemoryID(ulid: key), workspace: workspace, in: txn) else {
                return false  // an index entry without its memory: never returned (verify reports it)
            }
            if let filter = request.filter,
               !filter.matches(memory.metadata, createdAt: memory.createdAt, updatedAt: memory.updatedAt) { return false }
            results.append(SearchResult(memory: memory, score: score))
            chosen.insert(key)
            return true
        }
        for (key, score) in TopScores.descending(candidates, atLeast: request.topK) where score > 0 {
            guard score >= minimum, results.count < request.topK else { break }
            _ = try accept(key, score)
        }
        // Hybrid: the best keyword match belongs in the results even when meaning ranks it low.
        if request.mode == .hybrid, !semantic.keys.isEmpty, let best = bestKeyword, !chosen.contains(best.key) {
            let score = candidates.first { $0.key == best.key }?.score ?? 0
            if score >= minimum {
                let dropped = results.count == request.topK ? results.removeLast() : nil
                if try !accept(best.key, score), let dropped { results.append(dropped) }
            }
        }
        return results
    }
}

/// Candidates best first (ties: newest first), lazily: a heap selects a first batch (4 × topK,
/// at least 64); a caller reading past it (a selective filter) gets the next batch from a heap 8×
/// larger, and so on — never a full sort of 100,000 candidates for one filtered query.
enum TopScores {
    typealias Candidate = (key: MemoryKey, score: Double)

    static func descending(_ candidates: [Candidate], atLeast count: Int) -> AnySequence<Candidate> {
        let ordered: (Candidate, Candidate) -> Bool = { a, b in
            a.score != b.score ? a.score > b.score : a.key > b.key
        }
        let firstBatch = max(count * 4, 64)
        guard candidates.count > firstBatch * 4 else { return AnySequence(candidates.sorted(by: ordered)) }
        return AnySequence { () -> AnyIterator<Candidate> in
            var size = firstBatch
            var batch = selectTop(candidates, size, ordered)
            var index = 0
            return AnyIterator {
                if index == batch.count, batch.count < candidates.count {
                    // Past this batch: select a larger one and continue where this one ended.
                    size = min(candidates.count, size * 8)
                    batch = size * 4 >= candidates.count ? candidates.sorted(by: ordered) : selectTop(candidates, size, ordered)
                }
                guard index < batch.count else { return nil }
                defer { index += 1 }
                return batch[index]
            }
        }
    }

    /// The best `count` candidates in order, with a bounded min-heap (O(n log count)).
    static func selectTop(_ candidates: [(key: MemoryKey, score: Double)], _ count: Int,
                          _ ordered: ((key: MemoryKey, score: Double), (key: MemoryKey, score: Double)) -> Bool) -> [(key: MemoryKey, score: Double)] {
        var heap: [(key: MemoryKey, score: Double)] = []
        heap.reserveCapacity(count + 1)
        // `heap[0]` is the worst kept candidate.
        func siftUp(_ start: Int) {
            var child = start
            while child > 0 {
                let parent = (child - 1) / 2
                guard ordered(heap[parent], heap[child]) else { return }
                heap.swapAt(parent, child)
                child = parent
            }
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var worst = parent
                if left < heap.count, ordered(heap[worst], heap[left]) { worst = left }
                if right < heap.count, ordered(heap[worst], heap[right]) { worst = right }
                guard worst != parent else { return }
                heap.swapAt(parent, worst)
                parent = worst
            }
        }
        for candidate in candidates {
            if heap.count < count {
                heap.append(candidate)
                siftUp(heap.count - 1)
            } else if let worst = heap.first, ordered(candidate, worst) {
                heap[0] = candidate
                siftDown(0)
            }
        }
        return heap.sorted(by: ordered)
    }
}
