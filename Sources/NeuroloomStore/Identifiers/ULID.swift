import Synchronization

/// Crockford's base32 alphabet, lower case: no i, l, o or u, so ids read aloud without ambiguity.
enum CrockfordBase32 {
    static let alphabet: [UInt8] = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// Value of one lower-case alphabet character, or `nil` (upper case is rejected: ids are canonical).
    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "z"):
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            return UInt8(index)
        default: return nil
        }
    }
}

/// A 128-bit ULID: 48 bits of milliseconds since the epoch, then 80 random bits, written as 26
/// Crockford base32 characters. Sorting the 16 bytes (or the text) sorts by creation time.
public struct ULID: Sendable, Hashable, Comparable {
    /// The 16 bytes, big-endian: the form stored as an LMDB key.
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        precondition(bytes.count == 16)
        self.bytes = bytes
    }

    /// The creation time encoded in the first 48 bits.
    public var timestamp: Timestamp {
        var millis: Int64 = 0
        for byte in bytes.prefix(6) { millis = millis << 8 | Int64(byte) }
        return Timestamp(millisecondsSinceEpoch: millis)
    }

    /// 26 characters of Crockford base32 (the first character holds only 3 bits).
    public var text: String {
        var out = [UInt8](repeating: 0, count: 26)
        // 128 bits as 2 bits of padding + 26 * 5 bits.
        var high = UInt64(0), low = UInt64(0)
        for byte in bytes.prefix(8) { high = high << 8 | UInt64(byte) }
        for byte in bytes.suffix(8) { low = low << 8 | UInt64(byte) }
        for index in stride(from: 25, through: 0, by: -1) {
            out[index] = CrockfordBase32.alphabet[Int(low & 31)]
            low = (low >> 5) | ((high & 31) << 59)
            high >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses exactly 26 canonical characters; `nil` for anything else (including overflow past 128 bits).
    public init?(text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 26 else { return nil }
        var high = UInt64(0), low = UInt64(0)
        for (index, byte) in utf8.enumerated() {
            guard let value = CrockfordBase32.value(of: byte) else { return nil }
            if index == 0 && value > 7 { return nil }
            high = (high << 5) | (low >> 59)
            low = (low << 5) | UInt64(value)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[7 - index] = UInt8(truncatingIfNeeded: high >> (8 * index))
            bytes[15 - index] = UInt8(truncatingIfNeeded: low >> (8 * index))
        }
        self.bytes = bytes
    }

    public static func < (lhs: ULID, rhs: ULID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    private static let lastGenerated = Mutex<(millis: Int64, random: [UInt8])>((0, []))

    /// A new ULID for time `now`. Within one process ids are strictly increasing, even several per
    /// millisecond (the random part is incremented, as the ULID spec's monotonic mode says).
    public static func generate(now: Timestamp = .now()) -> ULID {
        lastGenerated.withLock { last in
            var millis = now.millisecondsSinceEpoch
            var random: [UInt8]
            if millis <= last.millis, !last.random.isEmpty {
                millis = last.millis
                random = last.random
                var index = 9
                while index >= 0 {
                    random[index] &+= 1
                    if random[index] != 0 { break }
                    index -= 1
                }
                if index < 0 { millis += 1 } // 2^80 ids in one millisecond: move on to the next.
            } else {
                var generator = SystemRandomNumberGenerator()
                random = (0..<10).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            }
            last = (millis, random)
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in 0..<6 { bytes[5 - index] = UInt8(truncatingIfNeeded: millis >> (8 * index)) }
            bytes.replaceSubrange(6..<16, with: random)
            return ULID(bytes: bytes)
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
        guard description.hasPrefix(Self.prefix),
              let ulid = ULID(text: description.dropFirst(Self.prefix.count))
        else { return nil }
        self.init(ulid: ulid)
    }

    public var description: String { Self.prefix + ulid.text }

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
