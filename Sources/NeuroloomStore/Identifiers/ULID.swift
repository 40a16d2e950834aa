import Synchronization

/// Crockford's base32 alphabet, lower case: no i, l, o or u, so ids read aloud without ambiguity.
enum CrockfordBase32 {
    static let alphabet: [UInt8] = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// Each byte's value in the alphabet, or 0xFF (upper case is rejected: ids are canonical).
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Value of one lower-case alphabet character, or `nil`.
    static func value(of byte: UInt8) -> UInt8? {
        let value = values[Int(byte)]
        return value == 0xFF ? nil : value
    }
}

/// A 128-bit ULID: 48 bits of milliseconds since the epoch, then 80 random bits, written as 26
/// Crockford base32 characters. Sorting the 16 bytes (or the text) sorts by creation time.
///
/// Held as two big-endian-ordered words, so an id is a plain value: no allocation, and hashing or
/// comparing it is two word operations (ids are built and compared on every request).
public struct ULID: Sendable, Hashable, Comparable {
    /// The first 8 of the 16 bytes, as a big-endian number.
    let high: UInt64
    /// The last 8 bytes, as a big-endian number.
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From the 16 stored bytes (an LMDB key); the caller guarantees the length. Bytes read from
    /// disk go through ``init(storedBytes:)`` (or a `count == 16` guard) first: every caller checks
    /// the length on the line before, so this precondition guards only against a programming error.
    init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "ULID(bytes:) takes exactly 16 bytes; check stored keys with ULID(storedBytes:)")
        var high = UInt64(0), low = UInt64(0)
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// From 16 stored bytes in place (a posting key's tail, a vector block's id slot). The caller
    /// guarantees at least 16 bytes: both callers (``SearchIndexes``' keyword and vector scans) have
    /// checked the whole entry's size against its layout first.
    init(_ bytes: UnsafeRawBufferPointer) {
        assert(bytes.count >= 16)
        self.init(high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                  low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// The 16 bytes, big-endian: the form stored as an LMDB key.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// Calls `body` with the 16 stored bytes, without allocating.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { try body($0) }
    }

    /// The creation time encoded in the first 48 bits.
    public var timestamp: Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64(high >> 16))
    }

    /// 26 characters of Crockford base32 (the first character holds only 3 bits).
    public var text: String {
        String(unsafeUninitializedCapacity: 26) { buffer in
            write(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<26]))
            return 26
        }
    }

    /// Writes the 26 characters into `buffer` (exactly 26 bytes).
    func write(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        // 128 bits as 2 bits of padding + 26 * 5 bits.
        var high = self.high, low = self.low
        CrockfordBase32.alphabet.withUnsafeBufferPointer { alphabet in
            for index in stride(from: 25, through: 0, by: -1) {
                buffer[index] = alphabet[Int(low & 31)]
                low = (low >> 5) | ((high & 31) << 59)
                high >>= 5
            }
        }
    }

    /// Parses exactly 26 canonical characters; `nil` for anything else (including overflow past 128 bits).
    public init?(text: some StringProtocol) {
        self.init(utf8: text.utf8)
    }

    /// Parses `prefix` followed by exactly 26 canonical characters. Not generic, so that parsing an
    /// id from another module (every request does) runs specialised code.
    init?(text: String, prefix: String) {
        let utf8 = text.utf8
        guard utf8.starts(with: prefix.utf8) else { return nil }
        self.init(utf8: utf8.dropFirst(prefix.utf8.count))
    }

    /// Parses the UTF-8 of exactly 26 canonical characters.
    init?(utf8: some Sequence<UInt8>) {
        var high = UInt64(0), low = UInt64(0), count = 0
        for byte in utf8 {
            guard count < 26, let value = CrockfordBase32.value(of: byte) else { return nil }
            if count == 0 && value > 7 { return nil }
            high = (high << 5) | (low >> 59)
            low = (low << 5) | UInt64(value)
            count += 1
        }
        guard count == 26 else { return nil }
        self.init(high: high, low: low)
    }

    public static func < (lhs: ULID, rhs: ULID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    private static let lastGenerated = Mutex<(millis: Int64, random: (high: UInt16, low: UInt64))?>(nil)

    /// A new ULID for time `now`. Within one process ids are strictly increasing, even several per
    /// millisecond (the random part is incremented, as the ULID spec's monotonic mode says).
    public static func generate(now: Timestamp = .now()) -> ULID {
        lastGenerated.withLock { last in
            var millis = now.millisecondsSinceEpoch
            var random: (high: UInt16, low: UInt64)
            if let previous = last, millis <= previous.millis {
                millis = previous.millis
                random = previous.random
                // The 80-bit random part plus one.
                let (low, carry) = random.low.addingReportingOverflow(1)
                random.low = low
                if carry {
                    let (high, overflow) = random.high.addingReportingOverflow(1)
                    random.high = high
                    if overflow { millis += 1 } // 2^80 ids in one millisecond: move on to the next.
                }
            } else {
                var generator = SystemRandomNumberGenerator()
                random = (UInt16.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
            }
            last = (millis, random)
            return ULID(high: UInt64(truncatingIfNeeded: millis) << 16 | UInt64(random.high), low: random.low)
        }
    }
}

/// An identifier with a fixed textual prefix (`ws_`, `mem_`, `key_`) over a ULID. Parsing is strict:
/// the prefix, exactly 26 lower-case Crockford characters, nothing else — so an id can be used in a
/// file path only after it has parsed.
public protocol PrefixedIdentifier: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    static var prefix: String { get }
    var ulid: ULID { get }
    init(ulid: ULID)
}

extension PrefixedIdentifier {
    public init?(_ description: String) {
        guard let ulid = ULID(text: description, prefix: Self.prefix) else { return nil }
        self.init(ulid: ulid)
    }

    public var description: String {
        let prefix = Self.prefix.utf8
        return String(unsafeUninitializedCapacity: prefix.count + 26) { buffer in
            let end = buffer.initialize(fromContentsOf: prefix)
            ulid.write(into: UnsafeMutableBufferPointer(rebasing: buffer[end..<end + 26]))
            return end + 26
        }
    }

    public static func generate(now: Timestamp = .now()) -> Self { Self(ulid: .generate(now: now)) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.ulid < rhs.ulid }
}

/// A workspace: `ws_` + 26 characters.
public struct WorkspaceID: PrefixedIdentifier {
    public static let prefix = "ws_"
    public let ulid: ULID
    public init(ulid: ULID) { self.ulid = ulid }
}

/// A memory: `mem_` + 26 characters, time-ordered.
public struct MemoryID: PrefixedIdentifier {
    public static let prefix = "mem_"
    public let ulid: ULID
    public init(ulid: ULID) { self.ulid = ulid }
}

/// An API key's public id: `key_` + 26 characters. Not a secret.
public struct KeyID: PrefixedIdentifier {
    public static let prefix = "key_"
    public let ulid: ULID
    public init(ulid: ULID) { self.ulid = ulid }
}
