import Foundation
@_spi(Operator) import LMDB
@_spi(Operator) import NeuroloomStore
import Testing

/// Test-only writer of the search index layout of `docs/search.md`, straight through the LMDB
/// layer, independent of the store's own write path. Used to make fixtures consistent and to
/// corrupt them on purpose. Opens the partition read-write: the store must not have it open.
enum IndexWriter {
    struct Tables {
        let environment: Environment
        let memories: Database<RawBytes, RawBytes>
        let indexMeta: Database<UTF8Text, RawBytes>
        let postings: Database<RawBytes, RawBytes>
        let terms: Database<RawBytes, RawBytes>
        let docLengths: Database<RawBytes, RawBytes>
        let vectors: Database<RawBytes, RawBytes>
        let vectorSlots: Database<RawBytes, RawBytes>

        init(path: String) throws {
            environment = try Environment(path: path)
            memories = try environment.openDatabase(named: "memories")
            indexMeta = try environment.openDatabase(named: "index_meta")
            postings = try environment.openDatabase(named: "postings")
            terms = try environment.openDatabase(named: "terms")
            docLengths = try environment.openDatabase(named: "doc_lengths")
            vectors = try environment.openDatabase(named: "vectors")
            vectorSlots = try environment.openDatabase(named: "vector_slots")
        }
    }

    /// Runs `body` in one write transaction on the partition at `path`, then closes it.
    static func write(path: String, _ body: (Tables, WriteTransaction) throws -> Void) throws {
        let tables = try Tables(path: path)
        defer { tables.environment.close() }
        try tables.environment.write { txn in try body(tables, txn) }
    }

    static func u32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).bigEndian) { Array($0) } }
    static func u64(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(value).bigEndian) { Array($0) } }
    static func postingKey(_ term: String, _ memory: MemoryID) -> [UInt8] { Array(term.utf8) + [0] + memory.ulid.bytes }

    /// Writes every memory's postings and document length, then recomputes `terms`, `docCount`
    /// and `totalLength` from what is stored. Idempotent, and writes the same bytes a correct write
    /// path would, so it is harmless where the store already maintains the index.
    static func ensureKeywordIndex(path: String, workspace: WorkspaceID) throws {
        try write(path: path) { tables, txn in
            var count = 0
            try tables.memories.forEach(in: txn) { key, value in
                let id = MemoryID(ulid: try #require(ULID(storedBytes: key)))
                let memory = try value.withUnsafeBytes { try Memory(decodingRecord: $0, id: id, workspaceID: workspace) }
                let (frequencies, length) = KeywordTokenizer.termFrequencies(of: memory.content)
                for (term, frequency) in frequencies {
                    try tables.postings.put(u32(frequency) + u32(length), forKey: postingKey(term, id), in: txn)
                }
                try tables.docLengths.put(u32(length), forKey: key, in: txn)
                count += 1
                return true
            }
            var documentFrequency: [[UInt8]: Int] = [:]
            try tables.postings.forEach(in: txn) { key, _ in
                documentFrequency[Array(key[..<(key.count - 17)]), default: 0] += 1
                return true
            }
            for (term, frequency) in documentFrequency { try tables.terms.put(u64(frequency), forKey: term, in: txn) }
            var total = 0
            try tables.docLengths.forEach(in: txn) { _, value in
                total += Int(value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
                return true
            }
            try tables.indexMeta.put(u64(count), forKey: "docCount", in: txn)
            try tables.indexMeta.put(u64(total), forKey: "totalLength", in: txn)
        }
    }

    /// Dimension of the vectors this writer makes.
    static let dimension = 8

    /// Gives every memory a normalised vector in one block, with an `embedder` entry, unless the
    /// partition already has an embedder (then the store's own vectors are left alone).
    static func ensureVectors(path: String, workspace: WorkspaceID) throws {
        try write(path: path) { tables, txn in
            guard try tables.indexMeta.get("embedder", in: txn) == nil else { return }
            var ids: [[UInt8]] = []
            try tables.memories.forEach(in: txn) { key, _ in ids.append(key); return true }
            try tables.indexMeta.put(Array("test-embedder".utf8), forKey: "embedder", in: txn)
            try tables.indexMeta.put(u64(dimension), forKey: "dimension", in: txn)
            guard !ids.isEmpty else { return }
            var block = withUnsafeBytes(of: UInt32(ids.count).littleEndian) { Array($0) }
            for id in ids { block += id }
            for id in ids { block += vector(for: id) }
            try tables.vectors.put(block, forKey: u32(0), in: txn)
            for (slot, id) in ids.enumerated() {
                try tables.vectorSlots.put(u32(0) + [UInt8(slot >> 8), UInt8(slot & 0xFF)], forKey: id, in: txn)
            }
        }
    }

    /// A deterministic unit vector derived from the id, as Float32 little-endian bytes.
    static func vector(for id: [UInt8]) -> [UInt8] {
        let raw = (0..<dimension).map { Float(Int(id[15 - $0]) + 1) }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.flatMap { value in withUnsafeBytes(of: (value / norm).bitPattern.littleEndian) { Array($0) } }
    }
}
