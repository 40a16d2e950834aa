import Crypto

/// The secret form of an API key: `nlk_live_` or `nlk_test_`, 32 base62 characters of randomness
/// (190 bits), then a 6-character base62 CRC-32 checksum of everything before it — so a mistyped or
/// truncated key is rejected without touching the database, and secret scanners can recognise keys.
///
/// The secret is shown once, when created; the store keeps only its SHA-256 ``digest``.
public struct APIKeySecret: Sendable, Equatable, CustomStringConvertible {
    /// The whole key, e.g. `nlk_live_4Jm…`. Never log it.
    public let value: String
    public let environment: WorkspaceEnvironment

    static let randomLength = 32
    static let checksumLength = 6
    static let base62: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let livePrefix = "nlk_live_"
    private static let testPrefix = "nlk_test_"
    /// Both prefixes have this many bytes.
    static let prefixLength = 9
    static let length = prefixLength + randomLength + checksumLength

    static func prefix(for environment: WorkspaceEnvironment) -> String {
        switch environment {
        case .live: livePrefix
        case .test: testPrefix
        }
    }

    /// A fresh random key for `environment`.
    public static func generate(environment: WorkspaceEnvironment) -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        var body = Array(prefix(for: environment).utf8)
        body.reserveCapacity(length)
        for _ in 0..<randomLength {
            body.append(base62[Int.random(in: 0..<62, using: &generator)])
        }
        body += checksumCharacters(CRC32.checksum(body))
        return APIKeySecret(value: String(decoding: body, as: UTF8.self), environment: environment)
    }

    private init(value: String, environment: WorkspaceEnvironment) {
        self.value = value
        self.environment = environment
    }

    /// Parses a presented key: right prefix, right length, base62 only, checksum matches.
    /// Returns `nil` for anything else, without saying why. It runs on every request, so it reads
    /// the UTF-8 bytes in place.
    public init?(parsing presented: some StringProtocol) {
        var text = String(presented)
        guard let environment = text.withUTF8({ APIKeySecret.environment(ofValidKey: $0) }) else { return nil }
        self.value = text
        self.environment = environment
    }

    /// The key's environment if `bytes` are a well-formed key with a matching checksum, else `nil`.
    private static func environment(ofValidKey bytes: UnsafeBufferPointer<UInt8>) -> WorkspaceEnvironment? {
        guard bytes.count == length else { return nil }
        let environment: WorkspaceEnvironment
        if bytes.starts(with: livePrefix.utf8) {
            environment = .live
        } else if bytes.starts(with: testPrefix.utf8) {
            environment = .test
        } else {
            return nil
        }
        let checksumStart = length - checksumLength
        var crc = CRC32.initial
        for index in 0..<checksumStart {
            if index >= prefixLength, base62Value(bytes[index]) == nil { return nil }
            crc = CRC32.update(crc, bytes[index])
        }
        var presentedChecksum: UInt64 = 0
        for index in checksumStart..<length {
            guard let digit = base62Value(bytes[index]) else { return nil }
            presentedChecksum = presentedChecksum * 62 + UInt64(digit)
        }
        return presentedChecksum == UInt64(CRC32.finish(crc)) ? environment : nil
    }

    /// SHA-256 of the whole key: what the control environment stores and indexes.
    public var digest: [UInt8] { Array(sha256) }

    /// The same digest as a fixed-size value (no allocation).
    var sha256: SHA256Digest {
        var value = value
        return value.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    }

    /// A display form that identifies the key without revealing it: `nlk_live_ab12…9xZq`.
    public var preview: String {
        let prefixLength = APIKeySecret.prefix(for: environment).count
        return String(value.prefix(prefixLength + 4)) + "…" + String(value.suffix(4))
    }

    /// Redacted, so that string interpolation never leaks the secret into a log.
    public var description: String { preview }

    /// The value of a base62 digit, or `nil`.
    static func base62Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...90: byte - 55
        case 97...122: byte - 61
        default: nil
        }
    }

    /// The checksum's six base62 characters: the CRC-32 as a six-digit base62 number.
    static func checksumCharacters(_ crc: UInt32) -> [UInt8] {
        var value = crc
        var characters = [UInt8](repeating: base62[0], count: checksumLength)
        for index in stride(from: checksumLength - 1, through: 0, by: -1) {
            characters[index] = base62[Int(value % 62)]
            value /= 62
        }
        return characters
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) — the checksum GitHub-style tokens carry.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        finish(bytes.reduce(initial, update))
    }

    static let initial: UInt32 = 0xFFFF_FFFF

    static func update(_ crc: UInt32, _ byte: UInt8) -> UInt32 {
        table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }

    static func finish(_ crc: UInt32) -> UInt32 { crc ^ 0xFFFF_FFFF }
}
