import LMDB
import NeuroloomAPI
import NeuroloomStore

/// Checks one partition against the invariants of `docs/search.md`, in **one** read transaction
/// (one snapshot, so a server writing meanwhile cannot produce false alarms):
///
/// 1. every memory record decodes (metadata a JSON object), has its `doc_lengths` entry equal to
///    its token count, a posting with the right frequency for each of its terms, and — when the
///    partition has an embedder — a `vector_slots` entry whose block holds it at that slot;
/// 2. every posting points at an existing memory, and at a term that memory has; `terms[t]`
///    equals the number of postings of `t`;
/// 3. every `doc_lengths` entry has a memory; `docCount` equals the number of memories and
///    `totalLength` the sum of `doc_lengths`;
/// 4. every vector block is well-formed, each of its vectors belongs to an existing memory whose
///    slot entry points back, and is normalised; every slot entry has a memory. Without an
///    embedder there must be no vectors at all (keyword-only partition).
///
/// Memory use does not grow with the partition: besides the problems found, the only per-memory
/// state is the set of undecodable records (and a bounded cache while naming stray postings).
final class PartitionCheck {
    let reader: PartitionReader
    let list: ProblemList
    private(set) var memoryCount = 0
    private(set) var metadata = IndexMetadata()
    /// Keys of memory records that do not decode (their terms are unknown).
    private var undecodable: Set<[UInt8]> = []
    /// Postings the memories' terms call for, and how many of them were missing.
    private var expectedPostings = 0
    private var missingPostings = 0

    /// Norms further than this from 1 are reported.
    static let normTolerance = 1e-3

    init(_ reader: PartitionReader) {
        self.reader = reader
        self.list = ProblemList(workspace: reader.workspace, environment: reader.partition)
    }

    var problems: [VerifyProblem] { list.problems }

    func run() throws(InspectError) {
        try reader.read { txn in
            reset()
            checkSchema(txn)
            metadata = try reader.indexMetadata(in: txn)
            for key in metadata.malformed { list.add(.malformedValue, "index_meta[\(key)] has a value of the wrong size") }
            let dimension = vectorDimension()
            try checkMemories(txn, dimension: dimension)
            try checkPostings(txn)
            try checkTerms(txn)
            try checkDocLengths(txn)
            if let dimension { try checkVectorBlocks(txn, dimension: dimension) }
            try checkVectorSlots(txn)
        }
    }

    /// Forgets everything found so far (the read closure may run again if the map was resized).
    private func reset() {
        list.removeAll()
        memoryCount = 0
        metadata = IndexMetadata()
        undecodable = []
        expectedPostings = 0
        missingPostings = 0
    }

    private func checkSchema(_ txn: ReadTransaction) {
        let stored = (try? reader.meta.get(Array(Layout.schemaKey.utf8), in: txn)).flatMap { IndexFormat.bigEndianUInt64($0) }
        if stored != StoredFormat.partitionSchemaVersion {
            list.add(.unsupportedSchema, "partition schema is \(stored.map(String.init) ?? "missing"), this release reads \(StoredFormat.partitionSchemaVersion)")
        }
    }

    /// The dimension vectors must have, or `nil` when there are none to check (keyword-only, or
    /// an embedder without a usable dimension, which is reported).
    private func vectorDimension() -> Int? {
        guard let embedder = metadata.embedder else { return nil }
        guard let dimension = metadata.dimension, dimension > 0, dimension <= 1 << 20 else {
            list.add(.missingDimension, "index_meta names embedder '\(embedder)' but has no usable dimension")
            return nil
        }
        return Int(dimension)
    }

    // MARK: 1. Memories

    private func checkMemories(_ txn: ReadTransaction, dimension: Int?) throws {
        try reader.memories.forEach(in: txn) { key, value in
            guard let ulid = ULID(storedBytes: key) else {
                list.add(.malformedKey, "memories key of \(key.count) bytes")
                return true
            }
            memoryCount += 1
            let id = MemoryID(ulid: ulid)
            if let memory = try? value.withUnsafeBytes({ try Memory(decodingRecord: $0, id: id, workspaceID: reader.workspace) }) {
                if case .object? = try? JSONParser.parse(memory.metadataJSON) {} else {
                    list.add(.corruptRecord, memory: id, "metadata is not a JSON object")
                }
                try checkKeywordEntries(memory, txn)
            } else {
                undecodable.insert(key)
                list.add(.corruptRecord, memory: id, "memory record does not decode")
            }
            if let dimension { try checkVector(of: id, dimension: dimension, txn) }
            return true
        }
    }

    private func checkKeywordEntries(_ memory: Memory, _ txn: ReadTransaction) throws {
        let key = memory.id.ulid.bytes
        let (frequencies, length) = KeywordTokenizer.termFrequencies(of: memory.content)
        if let stored = try reader.docLengths.get(key, in: txn) {
            if let indexed = IndexFormat.bigEndianUInt32(stored) {
                if Int(indexed) != length { list.add(.docLengthMismatch, memory: memory.id, "doc_lengths has \(indexed), the content has \(length) tokens") }
            } else {
                list.add(.malformedValue, memory: memory.id, "doc_lengths value of \(stored.count) bytes (expected 4)")
            }
        } else {
            list.add(.missingDocLength, memory: memory.id, "no doc_lengths entry (the content has \(length) tokens)")
        }
        var missing: [String] = []
        for term in frequencies.keys.sorted() {
            expectedPostings += 1
            guard let stored = try reader.postings.get(IndexFormat.postingKey(term: term, memory: key), in: txn) else {
                missing.append(term)
                continue
            }
            let expected = frequencies[term] ?? 0
            if let posting = IndexFormat.posting(stored) {
                if Int(posting.frequency) != expected {
                    list.add(.postingFrequencyMismatch, memory: memory.id, term: term, "posting stores \(posting.frequency), the content has \(expected)")
                }
                if Int(posting.length) != length {
                    list.add(.docLengthMismatch, memory: memory.id, term: term, "posting stores length \(posting.length), the content has \(length) tokens")
                }
            } else {
                list.add(.malformedValue, memory: memory.id, term: term, "posting value of \(stored.count) bytes (expected 8)")
            }
        }
        if !missing.isEmpty {
            missingPostings += missing.count
            let shown = missing.prefix(10).joined(separator: ", ") + (missing.count > 10 ? ", …" : "")
            list.add(.missingPostings, memory: memory.id, "\(missing.count) of \(frequencies.count) terms have no posting: \(shown)")
        }
    }

    // MARK: 2. Postings and terms

    private func checkPostings(_ txn: ReadTransaction) throws {
        var currentTerm: String?
        var run = 0
        var postingsOfDecodableMemories = 0
        try reader.postings.forEach(in: txn) { key, value in
            guard let (term, memory) = IndexFormat.splitPostingKey(key) else {
                list.add(.malformedKey, "postings key of \(key.count) bytes is not term + 0x00 + memory id")
                return true
            }
            if IndexFormat.posting(value) == nil {
                list.add(.malformedValue, term: term, "posting value of \(value.count) bytes (expected 8)")
            }
            if term != currentTerm {
                try closeRun(term: currentTerm, count: run, txn)
                currentTerm = term
                run = 0
            }
            run += 1
            if try reader.memories.contains(memory, in: txn) {
                if !undecodable.contains(memory) { postingsOfDecodableMemories += 1 }
            } else {
                list.add(.postingForMissingMemory, memory: ULID(storedBytes: memory).map(MemoryID.init(ulid:)), term: term, "posting for a memory that does not exist")
            }
            return true
        }
        try closeRun(term: currentTerm, count: run, txn)
        // Postings of existing memories beyond those their terms call for point at absent terms.
        if postingsOfDecodableMemories > expectedPostings - missingPostings {
            try findPostingsForAbsentTerms(txn)
        }
    }

    /// Compares `terms[term]` with the number of postings just counted for it.
    private func closeRun(term: String?, count: Int, _ txn: ReadTransaction) throws {
        guard let term else { return }
        guard let stored = try reader.terms.get(Array(term.utf8), in: txn) else {
            list.add(.termCountMismatch, term: term, "\(count) postings, but terms has no entry")
            return
        }
        guard let recorded = IndexFormat.bigEndianUInt64(stored) else {
            list.add(.malformedValue, term: term, "terms value of \(stored.count) bytes (expected 8)")
            return
        }
        if recorded != UInt64(count) {
            list.add(.termCountMismatch, term: term, "terms records \(recorded), there are \(count) postings")
        }
    }

    /// Walks the postings again, re-tokenizing the memories they point at (a bounded cache), to
    /// name each posting under a term its memory does not have. Runs only when the counts say
    /// such postings exist.
    private func findPostingsForAbsentTerms(_ txn: ReadTransaction) throws {
        var cache: [[UInt8]: [String: Int]] = [:]
        try reader.postings.forEach(in: txn) { key, _ in
            guard let (term, memory) = IndexFormat.splitPostingKey(key), !undecodable.contains(memory),
                  let ulid = ULID(storedBytes: memory)
            else { return true }
            let id = MemoryID(ulid: ulid)
            let frequencies: [String: Int]
            if let cached = cache[memory] {
                frequencies = cached
            } else {
                guard let decoded = try? reader.memory(id, in: txn) else { return true }
                frequencies = KeywordTokenizer.termFrequencies(of: decoded.content).frequencies
                if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
                cache[memory] = frequencies
            }
            if frequencies[term] == nil {
                list.add(.postingForAbsentTerm, memory: id, term: term, "posting for a term the memory's content does not have")
            }
            return true
        }
    }

    /// Terms entries with no posting at all (those with postings were compared in ``closeRun``).
    private func checkTerms(_ txn: ReadTransaction) throws {
        try reader.terms.forEach(in: txn) { key, value in
            guard let term = String(validating: key, as: UTF8.self), !key.contains(0) else {
                list.add(.malformedKey, "terms key is not a UTF-8 term")
                return true
            }
            let prefix = IndexFormat.postingPrefix(term: term)
            var hasPostings = false
            try reader.postings.forEach(in: txn, from: prefix) { posting, _ in
                hasPostings = posting.starts(with: prefix)
                return false
            }
            if !hasPostings {
                let recorded = IndexFormat.bigEndianUInt64(value).map(String.init) ?? "an unreadable count"
                list.add(.termCountMismatch, term: term, "terms records \(recorded), there are no postings")
            }
            return true
        }
    }

    // MARK: 3. Document lengths and totals

    private func checkDocLengths(_ txn: ReadTransaction) throws {
        var sum: UInt64 = 0
        try reader.docLengths.forEach(in: txn) { key, value in
            guard let ulid = ULID(storedBytes: key) else {
                list.add(.malformedKey, "doc_lengths key of \(key.count) bytes")
                return true
            }
            if let length = IndexFormat.bigEndianUInt32(value) {
                let (next, overflow) = sum.addingReportingOverflow(UInt64(length))  // saturating: a mismatch, not a trap
                sum = overflow ? .max : next
            }
            if try !reader.memories.contains(key, in: txn) {
                list.add(.docLengthForMissingMemory, memory: MemoryID(ulid: ulid), "doc_lengths entry for a memory that does not exist")
            }
            return true
        }
        switch metadata.docCount {
        case nil where memoryCount > 0:
            list.add(.docCountMismatch, "index_meta has no docCount, there are \(memoryCount) memories")
        case let recorded? where recorded != UInt64(memoryCount):
            list.add(.docCountMismatch, "index_meta.docCount is \(recorded), there are \(memoryCount) memories")
        default: break
        }
        switch metadata.totalLength {
        case nil where sum > 0 || memoryCount > 0:
            list.add(.totalLengthMismatch, "index_meta has no totalLength, doc_lengths sum to \(sum)")
        case let recorded? where recorded != sum:
            list.add(.totalLengthMismatch, "index_meta.totalLength is \(recorded), doc_lengths sum to \(sum)")
        default: break
        }
    }
}
