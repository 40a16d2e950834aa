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

    /// Adds `delta` to a stored counter, saturating at 0 and at `UInt64.max`: a counter read from
    /// disk may hold anything, and a wrong figure (which `neuroloom-inspect verify` reports) is
    /// better than a trap.
    private func adjust(_ name: String, by delta: Int, in txn: WriteTransaction) throws {
        let current = try counter(name, in: txn)
        let magnitude = UInt64(delta.magnitude)
        let next: UInt64
        if delta >= 0 {
            let (sum, overflow) = current.addingReportingOverflow(magnitude)
            next = overflow ? .max : sum
        } else {
            next = current > magnitude ? current - magnitude : 0
        }
        try meta.put(Bytes.be64(next), forKey: name, in: txn)
    }

    /// The embedder the partition's vectors were made with, if any vector was ever written.
    /// A stored dimension beyond `Int` is a corrupt record.
    func pinnedEmbedder(in txn: some Transaction) throws -> (id: String, dimension: Int)? {
        guard let id = try meta.get("embedder", in: txn) else { return nil }
        guard let dimension = Int(exactly: try counter("dimension", in: txn)) else { throw StoreError.corruptRecord("index metadata") }
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
        // Content is validated to at most `maxContentBytes` (32 KiB by default), so both figures are
        // far below 2^32; clamping states the bound instead of trapping on it.
        let storedLength = Bytes.be32(UInt32(clamping: length))
        for (term, frequency) in frequencies {
            try postings.put(Bytes.be32(UInt32(clamping: frequency)) + storedLength, forKey: Self.postingKey(term, id), in: txn)
            let key = Array(term.utf8)
            let documents = try terms.get(key, in: txn) ?? 0
            try terms.put(documents == .max ? documents : documents + 1, forKey: key, in: txn)
        }
        try documentLengths.put(storedLength, forKey: id, in: txn)
        try adjust("docCount", by: 1, in: txn)
        try adjust("totalLength", by: length, in: txn)
    }

    /// Removes what ``addKeywords(id:content:in:)`` added for the same content.
    func removeKeywords(id: [UInt8], content: String, in txn: WriteTransaction) throws {
        let (frequencies, length) = KeywordTokenizer.termFrequencies(of: content)
        for term in frequencies.keys {
            guard try postings.delete(Self.postingKey(term, id), in: txn) else { continue }
            let key = Array(term.utf8)
            // A missing or zero count (corruption) deletes the entry rather than underflowing.
            let documents = try terms.get(key, in: txn) ?? 0
            if documents <= 1 { _ = try terms.delete(key, in: txn) } else { try terms.put(documents - 1, forKey: key, in: txn) }
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
                guard postingKey.starts(with: prefix) else { return false }
                // A malformed entry under the term is skipped (verify reports it).
                guard let memory = Self.postingMemory(postingKey, prefixLength: prefix.count),
                      let figures = Self.postingFigures(value) else { return true }
                let tf = Double(figures.frequency)
                let length = Double(figures.length)
                let weight = idf * tf * (Self.k1 + 1) / (tf + Self.k1 * (1 - Self.b + Self.b * length / averageLength))
                scores[memory, default: 0] += weight
                return true
            }
        }
        return scores
    }

    /// The memory a posting key points at: the 16 bytes after the term and its 0 separator
    /// (`prefixLength` bytes), or `nil` for a key of any other length.
    static func postingMemory(_ key: UnsafeRawBufferPointer, prefixLength: Int) -> MemoryKey? {
        guard prefixLength >= 0, key.count - prefixLength == 16 else { return nil }
        return MemoryKey(UnsafeRawBufferPointer(rebasing: key[prefixLength...]))
    }

    /// A `postings` value: the term's frequency in the memory and the memory's length (u32 BE
    /// each), or `nil` for a value of any other size.
    static func postingFigures(_ value: UnsafeRawBufferPointer) -> (frequency: UInt32, length: UInt32)? {
        guard value.count == 8 else { return nil }
        return (Bytes.readBE32(value, at: 0), Bytes.readBE32(value, at: 4))
    }

    /// A `vector_slots` value: block number (u32 BE) and slot (u16 BE), or `nil` for a value of
    /// any other size.
    static func vectorSlot(_ value: UnsafeRawBufferPointer) -> (block: UInt32, slot: Int)? {
        guard value.count == 6 else { return nil }
        return (Bytes.readBE32(value, at: 0), Int(value[4]) << 8 | Int(value[5]))
    }

    static func vectorSlotValue(block: UInt32, slot: Int) -> [UInt8] {
        Bytes.be32(block) + Bytes.be16(UInt16(truncatingIfNeeded: slot))
    }

    // MARK: Vector index

    /// Appends vectors made by `embedder` (pinning it on the first write). A partition pinned to
    /// another embedder refuses: mixing models would make scores meaningless.
    func addVectors(_ entries: [(id: [UInt8], vector: [Float])], embedderID: String, in txn: WriteTransaction) throws {
        guard let dimension = entries.first?.vector.count else { return }
        guard dimension > 0 else { throw StoreError.conflict("the embedder returned an empty vector") }
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
                // Block numbers come from the last stored key: the last possible one (only a
                // corrupt key can be there) cannot be followed.
                guard number < UInt32.max else { throw StoreError.corruptRecord("vector block") }
                number += 1
                block = VectorBlock(dimension: dimension)
            }
            while block.count < Self.blockCapacity, let entry = pending.popFirst() {
                guard entry.vector.count == dimension else { throw StoreError.conflict("embedder returned a vector of the wrong size") }
                // block.count < blockCapacity (256): fits a u16.
                try vectorSlots.put(Self.vectorSlotValue(block: number, slot: block.count), forKey: entry.id, in: txn)
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
        guard let slot = try vectorSlots.withValue(forKey: id, in: txn, { $0.flatMap(Self.vectorSlot) }),
              let pinned = try pinnedEmbedder(in: txn) else { return }
        let (number, index) = slot
        guard let stored = try vectors.get(Bytes.be32(number), in: txn) else { throw StoreError.corruptRecord("vector block") }
        var block = try VectorBlock(decoding: stored, dimension: pinned.dimension)
        guard index < block.count else { throw StoreError.corruptRecord("vector slot") }
        if let moved = block.remove(at: index) {
            // index came from a u16 slot: it fits one again.
            try vectorSlots.put(Self.vectorSlotValue(block: number, slot: index), forKey: moved, in: txn)
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
                guard key.count == 4, let count = VectorBlock.count(ofBlock: value, dimension: dimension) else {
                    throw StoreError.corruptRecord("vector block")
                }
                // The size check above makes every range below lie inside `value`.
                let floatsOffset = 4 + 16 * count
                result.blockStarts[Bytes.readBE32(key, at: 0)] = result.keys.count
                for index in 0..<count {
                    result.keys.append(MemoryKey(UnsafeRawBufferPointer(rebasing: value[(4 + 16 * index)..<(4 + 16 * index + 16)])))
                }
                let floats = UnsafeRawBufferPointer(rebasing: value[floatsOffset...])
                func score(_ matrix: UnsafeBufferPointer<Float>) {
                    guard let base = matrix.baseAddress else {
                        // No floats at all: still one score per key, so the arrays stay parallel.
                        result.scores.append(contentsOf: repeatElement(0, count: count))
                        return
                    }
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
            guard let slot = slot.flatMap(Self.vectorSlot), let start = scores.blockStarts[slot.block] else { return nil }
            let position = start + slot.slot
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

    /// The byte size of a block of `count` vectors of `dimension` floats, or `nil` past `Int`
    /// (`count` and `dimension` are read from disk).
    static func encodedSize(count: Int, dimension: Int) -> Int? {
        guard count >= 0, dimension >= 0 else { return nil }
        guard count > 0 else { return 4 }  // an empty block is its count alone, whatever the dimension
        let (floats, overflow1) = dimension.multipliedReportingOverflow(by: 4)
        let (entry, overflow2) = floats.addingReportingOverflow(16)
        let (entries, overflow3) = entry.multipliedReportingOverflow(by: count)
        let (total, overflow4) = entries.addingReportingOverflow(4)
        return overflow1 || overflow2 || overflow3 || overflow4 ? nil : total
    }

    /// How many vectors a stored block holds: its `count` if that is at most ``SearchIndexes/blockCapacity``
    /// and the block's size is exactly what `count` vectors of `dimension` need; otherwise `nil`.
    static func count(ofBlock bytes: UnsafeRawBufferPointer, dimension: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        let count = Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
        guard count <= SearchIndexes.blockCapacity, encodedSize(count: count, dimension: dimension) == bytes.count else { return nil }
        return count
    }

    init(decoding bytes: [UInt8], dimension: Int) throws {
        self.dimension = dimension
        guard let count = bytes.withUnsafeBytes({ VectorBlock.count(ofBlock: $0, dimension: dimension) }) else {
            throw StoreError.corruptRecord("vector block")
        }
        let floatsOffset = 4 + 16 * count
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
    /// - Precondition: `0 <= index < count` (``SearchIndexes/removeVector(id:in:)`` checks a slot read
    ///   from disk against `count` first).
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
