import Foundation
import LMDB
import NeuroloomEmbedding

/// A memory's id as the search indexes key it: its ULID, read from the 16 bytes stored in postings
/// and vector blocks (two words, so a cheap dictionary key for scoring).
typealias MemoryKey = ULID

/// The keyword (BM25) and vector indexes of one partition, kept in its LMDB environment and
/// changed only inside the memory's own write transaction. Layout: `docs/search.md`.
struct SearchIndexes: Sendable {
    /// Vectors per block value.
    static let blockCapacity = 256
    /// BM25 parameters (the usual defaults).
    static let k1 = 1.2
    static let b = 0.75

    let meta: Database<UTF8Text, RawBytes>
    let vectors: Database<RawBytes, RawBytes>
    let vectorSlots: Database<RawBytes, RawBytes>
    let postings: Database<RawBytes, RawBytes>
    let terms: Database<RawBytes, BigEndianUInt64>
    let documentLengths: Database<RawBytes, RawBytes>

    init(environment: Environment) throws {
        meta = try environment.openDatabase(named: "index_meta")
        vectors = try environment.openDatabase(named: "vectors")
        vectorSlots = try environment.openDatabase(named: "vector_slots")
        postings = try environment.openDatabase(named: "postings")
        terms = try environment.openDatabase(named: "terms")
        documentLengths = try environment.openDatabase(named: "doc_lengths")
    }

    // MARK: Collection figures

    func counter(_ name: String, in txn: some Transaction) throws -> UInt64 {
        try meta.withValue(forKey: name, in: txn) { bytes in bytes.map { Bytes.readBE64($0, at: 0) } ?? 0 }
    }

    private func adjust(_ name: String, by delta: Int, in txn: WriteTransaction) throws {
        let next = Int(try counter(name, in: txn)) + delta
        try meta.put(Bytes.be64(UInt64(max(0, next))), forKey: name, in: txn)
    }

    /// The embedder the partition's vectors were made with, if any vector was ever written.
    func pinnedEmbedder(in txn: some Transaction) throws -> (id: String, dimension: Int)? {
        guard let id = try meta.get("embedder", in: txn) else { return nil }
        let dimension = Int(try counter("dimension", in: txn))
        return (String(decoding: id, as: UTF8.self), dimension)
    }

    // MARK: Keyword index

    static func postingKey(_ term: String, _ id: [UInt8]) -> [UInt8] {
        Array(term.utf8) + [0] + id
    }

    /// Adds a memory's terms: one posting per distinct term (frequency and the memory's length),
    /// document frequencies and the collection's figures.
    func addKeywords(id: [UInt8], content: String, in txn: WriteTransaction) throws {
        let (frequencies, length) = KeywordTokenizer.termFrequencies(of: content)
        for (term, frequency) in frequencies {
            try postings.put(Bytes.be32(UInt32(frequency)) + Bytes.be32(UInt32(length)), forKey: Self.postingKey(term, id), in: txn)
            let key = Array(term.utf8)
            try terms.put((try terms.get(key, in: txn) ?? 0) + 1, forKey: key, in: txn)
        }
        try documentLengths.put(Bytes.be32(UInt32(length)), forKey: id, in: txn)
        try adjust("docCount", by: 1, in: txn)
        try adjust("totalLength", by: length, in: txn)
    }

    /// Removes what ``addKeywords(id:content:in:)`` added for the same content.
    func removeKeywords(id: [UInt8], content: String, in txn: WriteTransaction) throws {
        let (frequencies, length) = KeywordTokenizer.termFrequencies(of: content)
        for term in frequencies.keys {
            guard try postings.delete(Self.postingKey(term, id), in: txn) else { continue }
            let key = Array(term.utf8)
            let remaining = (try terms.get(key, in: txn) ?? 1) - 1
            if remaining == 0 { _ = try terms.delete(key, in: txn) } else { try terms.put(remaining, forKey: key, in: txn) }
        }
        _ = try documentLengths.delete(id, in: txn)
        try adjust("docCount", by: -1, in: txn)
        try adjust("totalLength", by: -length, in: txn)
    }

    /// BM25 scores of every memory holding at least one query term.
    func keywordScores(for query: String, in txn: some Transaction) throws -> [MemoryKey: Double] {
        let queryTerms = Set(KeywordTokenizer.terms(of: query))
        let documents = Double(try counter("docCount", in: txn))
        guard !queryTerms.isEmpty, documents > 0 else { return [:] }
        let averageLength = max(1, Double(try counter("totalLength", in: txn)) / documents)
        var scores: [MemoryKey: Double] = [:]
        for term in queryTerms {
            let key = Array(term.utf8)
            guard let frequency = try terms.get(key, in: txn), frequency > 0 else { continue }
            let df = Double(frequency)
            let idf = log(1 + (documents - df + 0.5) / (df + 0.5))
            let prefix = key + [0]
            try postings.forEachInPlace(in: txn, from: prefix) { postingKey, value in
                guard postingKey.count == prefix.count + 16, postingKey.starts(with: prefix), value.count >= 8 else {
                    return postingKey.starts(with: prefix)  // a longer term sharing the prefix cannot occur (0 separator)
                }
                let tf = Double(Bytes.readBE32(value, at: 0))
                let length = Double(Bytes.readBE32(value, at: 4))
                let weight = idf * tf * (Self.k1 + 1) / (tf + Self.k1 * (1 - Self.b + Self.b * length / averageLength))
                scores[MemoryKey(UnsafeRawBufferPointer(rebasing: postingKey[prefix.count...])), default: 0] += weight
                return true
            }
        }
        return scores
    }

    // MARK: Vector index

    /// Appends vectors made by `embedder` (pinning it on the first write). A partition pinned to
    /// another embedder refuses: mixing models would make scores meaningless.
    func addVectors(_ entries: [(id: [UInt8], vector: [Float])], embedderID: String, in txn: WriteTransaction) throws {
        guard let dimension = entries.first?.vector.count else { return }
        if let pinned = try pinnedEmbedder(in: txn) {
            guard pinned.id == embedderID, pinned.dimension == dimension else {
                throw StoreError.conflict("this partition's vectors were made by \(pinned.id); run `neuroloom reindex` to switch to \(embedderID)")
            }
        } else {
            try meta.put(Array(embedderID.utf8), forKey: "embedder", in: txn)
            try meta.put(Bytes.be64(UInt64(dimension)), forKey: "dimension", in: txn)
        }
        var pending = entries[...]
        var (number, block) = try lastBlock(dimension: dimension, in: txn)
        while !pending.isEmpty {
            if block.count >= Self.blockCapacity {
                number += 1
                block = VectorBlock(dimension: dimension)
            }
            while block.count < Self.blockCapacity, let entry = pending.popFirst() {
                guard entry.vector.count == dimension else { throw StoreError.conflict("embedder returned a vector of the wrong size") }
                try vectorSlots.put(Bytes.be32(number) + Bytes.be16(UInt16(block.count)), forKey: entry.id, in: txn)
                block.append(id: entry.id, vector: entry.vector)
            }
            try vectors.put(block.encoded(), forKey: Bytes.be32(number), in: txn)
        }
    }

    private func lastBlock(dimension: Int, in txn: WriteTransaction) throws -> (UInt32, VectorBlock) {
        let last = try vectors.withCursor(in: txn) { cursor in try cursor.last() }
        guard let last else { return (0, VectorBlock(dimension: dimension)) }
        return (Bytes.readBE32(last.key), try VectorBlock(decoding: last.value, dimension: dimension))
    }

    /// Removes a memory's vector: the block's last vector moves into its slot.
    func removeVector(id: [UInt8], in txn: WriteTransaction) throws {
        guard let slot = try vectorSlots.get(id, in: txn), slot.count == 6,
              let pinned = try pinnedEmbedder(in: txn) else { return }
        let number = Bytes.readBE32(slot)
        let index = Int(Bytes.readBE16(Array(slot[4...])))
        guard let stored = try vectors.get(Bytes.be32(number), in: txn) else { throw StoreError.corruptRecord("vector block") }
        var block = try VectorBlock(decoding: stored, dimension: pinned.dimension)
        guard index < block.count else { throw StoreError.corruptRecord("vector slot") }
        if let moved = block.remove(at: index) {
            try vectorSlots.put(Bytes.be32(number) + Bytes.be16(UInt16(index)), forKey: moved, in: txn)
        }
        _ = try vectorSlots.delete(id, in: txn)
        if block.count == 0 {
            _ = try vectors.delete(Bytes.be32(number), in: txn)
        } else {
            try vectors.put(block.encoded(), forKey: Bytes.be32(number), in: txn)
        }
    }

    /// Cosine similarity of `query` (unit length) with every stored vector, read in place from the
    /// map block by block. `blockStarts` maps a block number to the position of its first vector
    /// in `keys`/`scores` (so a memory's position is `blockStarts[block] + slot`).
    func semanticScores(for query: [Float], in txn: some Transaction) throws -> SemanticScores {
        var result = SemanticScores()
        guard let pinned = try pinnedEmbedder(in: txn), pinned.dimension == query.count else { return result }
        let dimension = pinned.dimension
        let total = try vectorSlots.count(in: txn)
        result.keys.reserveCapacity(total)
        result.scores.reserveCapacity(total)
        var aligned: [Float] = []
        try query.withUnsafeBufferPointer { queryBuffer in
            try vectors.forEachInPlace(in: txn) { key, value in
                guard key.count == 4, value.count >= 4 else { throw StoreError.corruptRecord("vector block") }
                let count = Int(value.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
                let floatsOffset = 4 + 16 * count
                guard value.count == floatsOffset + count * dimension * 4 else { throw StoreError.corruptRecord("vector block") }
                result.blockStarts[Bytes.readBE32(key, at: 0)] = result.keys.count
                for index in 0..<count {
                    result.keys.append(MemoryKey(UnsafeRawBufferPointer(rebasing: value[(4 + 16 * index)..<(4 + 16 * index + 16)])))
                }
                let floats = UnsafeRawBufferPointer(rebasing: value[floatsOffset...])
                func score(_ matrix: UnsafeBufferPointer<Float>) {
                    guard let base = matrix.baseAddress else { return }
                    for index in 0..<count {
                        result.scores.append(dot(queryBuffer, UnsafeBufferPointer(start: base + index * dimension, count: dimension)))
                    }
                }
                if let base = floats.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
                    score(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: count * dimension))
                } else {
                    // Small blocks may sit unaligned inside a leaf page: copy those few floats.
                    aligned = Array(repeating: 0, count: count * dimension)
                    aligned.withUnsafeMutableBytes { $0.copyMemory(from: floats) }
                    aligned.withUnsafeBufferPointer { score($0) }
                }
                return true
            }
        }
        return result
    }

    /// Where a memory's vector sits in a ``SemanticScores`` (nil without a vector).
    func position(of id: MemoryKey, in scores: SemanticScores, txn: some Transaction) throws -> Int? {
        try vectorSlots.withValue(forKey: id.bytes, in: txn) { slot -> Int? in
            guard let slot, slot.count == 6, let start = scores.blockStarts[Bytes.readBE32(slot, at: 0)] else { return nil }
            let position = start + Int(slot[4]) << 8 + Int(slot[5])
            return position < scores.keys.count ? position : nil
        }
    }
}

/// The semantic scan's output: parallel arrays in block order.
struct SemanticScores {
    var keys: [MemoryKey] = []
    var scores: [Float] = []
    var blockStarts: [UInt32: Int] = [:]
}

/// One `vectors` value: `count` (u32 LE), `count` ids, then `count` × dimension Float32 LE.
struct VectorBlock {
    let dimension: Int
    private(set) var ids: [UInt8] = []
    private(set) var floats: [Float] = []
    var count: Int { ids.count / 16 }

    init(dimension: Int) {
        self.dimension = dimension
    }

    init(decoding bytes: [UInt8], dimension: Int) throws {
        self.dimension = dimension
        guard bytes.count >= 4 else { throw StoreError.corruptRecord("vector block") }
        let count = Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian })
        let floatsOffset = 4 + 16 * count
        guard bytes.count == floatsOffset + count * dimension * 4 else { throw StoreError.corruptRecord("vector block") }
        ids = Array(bytes[4..<floatsOffset])
        floats = Array(repeating: 0, count: count * dimension)
        floats.withUnsafeMutableBytes { target in
            bytes.withUnsafeBytes { source in target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[floatsOffset...])) }
        }
    }

    mutating func append(id: [UInt8], vector: [Float]) {
        ids += id
        floats += vector
    }

    /// Removes the entry at `index` by moving the last entry into it; returns the moved entry's id.
    mutating func remove(at index: Int) -> [UInt8]? {
        let last = count - 1
        var moved: [UInt8]?
        if index != last {
            moved = Array(ids[(last * 16)..<(last * 16 + 16)])
            ids.replaceSubrange((index * 16)..<(index * 16 + 16), with: ids[(last * 16)..<(last * 16 + 16)])
            floats.replaceSubrange((index * dimension)..<((index + 1) * dimension), with: floats[(last * dimension)..<((last + 1) * dimension)])
        }
        ids.removeLast(16)
        floats.removeLast(dimension)
        return moved
    }

    func encoded() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(4 + ids.count + floats.count * 4)
        withUnsafeBytes(of: UInt32(count).littleEndian) { bytes += $0 }
        bytes += ids
        floats.withUnsafeBytes { raw in
            for index in stride(from: 0, to: raw.count, by: 4) {
                let bits = raw.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian
                withUnsafeBytes(of: bits) { bytes += $0 }
            }
        }
        return bytes
    }
}

/// Big-endian integers in keys and values.
enum Bytes {
    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func be32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    static func be64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
    static func readBE16(_ bytes: [UInt8]) -> UInt16 { bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : 0 }
    static func readBE32(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { readBE32($0, at: 0) } }
    static func readBE32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        guard bytes.count >= offset + 4 else { return 0 }
        return (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
    static func readBE64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        guard bytes.count >= offset + 8 else { return 0 }
        return (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
    }
}
