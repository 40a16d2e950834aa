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

    static func prefix(for environment: WorkspaceEnvironment) -> String { "nlk_\(environment.rawValue)_" }

    /// A fresh random key for `environment`.
    public static func generate(environment: WorkspaceEnvironment) -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        var body = prefix(for: environment)
        body.reserveCapacity(body.utf8.count + randomLength + checksumLength)
        for _ in 0..<randomLength {
            body.unicodeScalars.append(Unicode.Scalar(base62[Int.random(in: 0..<62, using: &generator)]))
        }
        body += checksum(of: body)
        return APIKeySecret(value: body, environment: environment)
    }

    private init(value: String, environment: WorkspaceEnvironment) {
        self.value = value
        self.environment = environment
    }

    /// Parses a presented key: right prefix, right length, base62 only, checksum matches.
    /// Returns `nil` for anything else, without saying why.
    public init?(parsing presented: some StringProtocol) {
        let text = String(presented)
        let environment: WorkspaceEnvironment
        if text.hasPrefix(APIKeySecret.prefix(for: .live)) {
            environment = .live
        } else if text.hasPrefix(APIKeySecret.prefix(for: .test)) {
            environment = .test
        } else {
            return nil
        }
        let utf8 = Array(text.utf8)
        let prefixLength = APIKeySecret.prefix(for: environment).utf8.count
        guard utf8.count == prefixLength + APIKeySecret.randomLength + APIKeySecret.checksumLength,
              utf8[prefixLength...].allSatisfy({ APIKeySecret.isBase62($0) })
        else { return nil }
        let bodyEnd = utf8.count - APIKeySecret.checksumLength
        let body = String(decoding: utf8[..<bodyEnd], as: UTF8.self)
        let checksum = String(decoding: utf8[bodyEnd...], as: UTF8.self)
        guard APIKeySecret.checksum(of: body) == checksum else { return nil }
        self.value = text
        self.environment = environment
    }

    /// SHA-256 of the whole key: what the control environment stores and indexes.
    public var digest: [UInt8] { Array(SHA256.hash(data: Array(value.utf8))) }

    /// A display form that identifies the key without revealing it: `nlk_live_ab12…9xZq`.
    public var preview: String {
        let prefixLength = APIKeySecret.prefix(for: environment).count
        return String(value.prefix(prefixLength + 4)) + "…" + String(value.suffix(4))
    }

    /// Redacted, so that string interpolation never leaks the secret into a log.
    public var description: String { preview }

    static func isBase62(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    static func checksum(of body: String) -> String {
        var value = CRC32.checksum(Array(body.utf8))
        var characters = [UInt8](repeating: base62[0], count: checksumLength)
        for index in stride(from: checksumLength - 1, through: 0, by: -1) {
            characters[index] = base62[Int(value % 62)]
            value /= 62
        }
        return String(decoding: characters, as: UTF8.self)
    }
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) — the checksum GitHub-style tokens carry.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
