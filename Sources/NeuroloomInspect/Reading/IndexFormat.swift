/// The byte formats of a partition's search indexes (`docs/search.md`), decoded. Every decoder
/// returns `nil` for bytes of the wrong shape instead of trapping: the inspector reads data it
/// must not trust.
enum IndexFormat {
    /// `term` + `0x00` + memory ULID: the key of one posting.
    static func postingKey(term: String, memory: [UInt8]) -> [UInt8] {
        Array(term.utf8) + [0] + memory
    }

    /// The first key a posting of `term` can have (for a range walk).
    static func postingPrefix(term: String) -> [UInt8] {
        Array(term.utf8) + [0]
    }

    /// Splits a posting key into its term and memory ULID bytes.
    static func splitPostingKey(_ key: [UInt8]) -> (term: String, memory: [UInt8])? {
        guard key.count >= 18, key[key.count - 17] == 0 else { return nil }
        let termBytes = key[..<(key.count - 17)]
        guard !termBytes.contains(0), let term = String(validating: termBytes, as: UTF8.self) else { return nil }
        return (term, Array(key[(key.count - 16)...]))
    }

    static func bigEndianUInt32(_ bytes: some Collection<UInt8>) -> UInt32? {
        guard bytes.count == 4 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A `postings` value: the term's frequency in the memory, then the memory's token count
    /// (both u32 BE; BM25 scores without a second lookup).
    static func posting(_ bytes: some Collection<UInt8>) -> (frequency: UInt32, length: UInt32)? {
        let bytes = Array(bytes)
        guard bytes.count == 8, let frequency = bigEndianUInt32(bytes[0..<4]), let length = bigEndianUInt32(bytes[4..<8]) else { return nil }
        return (frequency, length)
    }

    static func bigEndianUInt64(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The `vectors` key of block `number` (u32 BE).
    static func blockKey(_ number: UInt32) -> [UInt8] {
        withUnsafeBytes(of: number.bigEndian) { Array($0) }
    }

    /// A `vector_slots` value: block number (u32 BE) + slot (u16 BE).
    static func vectorSlot(_ bytes: [UInt8]) -> VectorSlot? {
        guard bytes.count == 6, let block = bigEndianUInt32(bytes[0..<4]) else { return nil }
        return VectorSlot(block: block, slot: UInt16(bytes[4]) << 8 | UInt16(bytes[5]))
    }
}

/// Where a memory's vector lives: a block of the `vectors` database and a slot in it.
struct VectorSlot: Hashable {
    var block: UInt32
    var slot: UInt16
}

/// A view of one `vectors` block: `count` (u32 LE), `count` × 16-byte memory ULIDs, then
/// `count` × `dimension` Float32 LE. Only valid while `bytes` is (inside a read transaction).
struct VectorBlockView {
    let bytes: UnsafeRawBufferPointer
    let count: Int
    let dimension: Int

    /// `nil` unless the block holds 1…256 vectors and its size is exactly what they need.
    /// `dimension` comes from `index_meta` (any u64 on disk): the size is computed with overflow
    /// checks, so a huge dimension is a malformed block, not a trap.
    init?(_ bytes: UnsafeRawBufferPointer, dimension: Int) {
        guard dimension > 0, bytes.count >= 4 else { return nil }
        let count = Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
        guard (1...Layout.vectorsPerBlock).contains(count),
              let size = Self.size(count: count, dimension: dimension), bytes.count == size
        else { return nil }
        self.bytes = bytes
        self.count = count
        self.dimension = dimension
    }

    /// `4 + count × (16 + dimension × 4)`, or `nil` past `Int`.
    static func size(count: Int, dimension: Int) -> Int? {
        let (floatBytes, overflow1) = dimension.multipliedReportingOverflow(by: 4)
        let (entry, overflow2) = floatBytes.addingReportingOverflow(16)
        let (entries, overflow3) = entry.multipliedReportingOverflow(by: count)
        let (total, overflow4) = entries.addingReportingOverflow(4)
        return overflow1 || overflow2 || overflow3 || overflow4 ? nil : total
    }

    /// The ULID bytes of the memory in `slot`.
    /// - Precondition: `0 <= slot < count` (callers loop over `0..<count`, or check ``holds(_:at:)`` first).
    func memory(at slot: Int) -> [UInt8] {
        let start = 4 + slot * 16
        return Array(bytes[start..<(start + 16)])
    }

    /// Whether `slot` holds the memory with these ULID bytes.
    func holds(_ memory: [UInt8], at slot: Int) -> Bool {
        guard slot >= 0, slot < count else { return false }
        let start = 4 + slot * 16
        return bytes[start..<(start + 16)].elementsEqual(memory)
    }

    /// The Euclidean norm of the vector in `slot` (1 for a normalised vector).
    /// - Precondition: `0 <= slot < count`, as for ``memory(at:)``.
    func norm(at slot: Int) -> Double {
        let start = 4 + count * 16 + slot * dimension * 4
        var sum = 0.0
        for index in 0..<dimension {
            let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + index * 4, as: UInt32.self))
            let value = Double(Float(bitPattern: bits))
            sum += value * value
        }
        return sum.squareRoot()
    }
}
