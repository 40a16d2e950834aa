import Hummingbird
import Logging
import NeuroloomStore
import NIOCore

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
    /// `req_` + 26 characters, unique enough to find one request in the logs.
    static func generate() -> String { "req_" + ULID.generate().text }

    /// An incoming `X-Request-Id` is kept if it is short and plain; anything else is replaced.
    static func accept(_ presented: String?) -> String? {
        guard let presented, (1...64).contains(presented.utf8.count),
              presented.utf8.allSatisfy({ $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
        else { return nil }
        return presented
    }
}
