import Hummingbird
import Logging
import NeuroloomStore
import NIOCore
import Synchronization

/// Per-request state: the request id and, on authenticated routes, the grant the key resolved to.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Echoed as `X-Request-Id` and in every error body.
    public var requestID: String
    /// Set by ``AuthenticationMiddleware``; `nil` on public routes.
    public var grant: WorkspaceGrant?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        requestID = RequestID.generate()
        grant = nil
    }

    /// The body limit used by Hummingbird's own decoders (we read bodies ourselves, with the same limit).
    public var maxUploadSize: Int { 1 << 20 }
}

enum RequestID {
    /// `req_` + 10 random characters fixed per process + a 10-digit base-32 counter: unique within a
    /// process run and, by the prefix, across runs; costs no system call (a ULID per request did).
    static func generate() -> String {
        var number = counter.add(1, ordering: .relaxed).newValue
        let prefix = self.prefix.utf8
        return String(unsafeUninitializedCapacity: prefix.count + 10) { buffer in
            let end = buffer.initialize(fromContentsOf: prefix)
            for index in stride(from: end + 9, through: end, by: -1) {
                buffer[index] = alphabet[Int(number & 31)]
                number >>= 5
            }
            return end + 10
        }
    }

    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)
    private static let counter = Atomic<UInt64>(0)
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let letters = (0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt8(32)))] }
        return "req_" + String(decoding: letters, as: UTF8.self)
    }()

    /// An incoming `X-Request-Id` is kept if it is short and plain; anything else is replaced.
    static func accept(_ presented: String?) -> String? {
        guard let presented, (1...64).contains(presented.utf8.count),
              presented.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
        else { return nil }
        return presented
    }
}
