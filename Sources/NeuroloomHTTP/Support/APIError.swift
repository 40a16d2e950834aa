import Hummingbird
import HTTPTypes
import NeuroloomAPI
import NeuroloomStore
import NIOCore

/// An error as the API reports it: a status, a stable `code` and a readable message naming the field.
/// Every error response has the body `{"error":{"code","message","requestId"}}`.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// Stable machine-readable code: `invalid_request`, `not_found`, `forbidden`, …
    public var code: String
    /// Readable, names the field where there is one. Never contains a secret.
    public var message: String
    public var headers: HTTPFields = [:]

    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: "\(field) \(message)")
    }

    public static let unauthorized = APIError(
        status: .unauthorized, code: "unauthorized", message: "Missing or invalid API key.",
        headers: [.wwwAuthenticate: #"Bearer realm="neuroloom""#])

    public static func forbidden(_ required: Scope) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: "This API key lacks the \(required.rawValue) scope.")
    }

    static let notFound = APIError(status: .notFound, code: "not_found", message: "Not found.")

    static func payloadTooLarge(_ limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "payload_too_large", message: "The request body exceeds \(limit) bytes.")
    }

    static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "unsupported_media_type", message: "Send the body as application/json.")

    /// Storage cannot serve the request right now (reader table full, an I/O error on the
    /// authentication path): retry shortly. Never a 401, which would tell a client its key is bad.
    public static let unavailable = APIError(
        status: .serviceUnavailable, code: "unavailable",
        message: "Storage is temporarily unavailable; retry shortly.", headers: [.retryAfter: "1"])

    static let internalError = APIError(status: .internalServerError, code: "internal", message: "Internal error.")

}

extension HTTPResponse.Status {
    /// 507 Insufficient Storage (RFC 4918): the disk is full or the partition is at its maximum size.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}

extension APIError {
    /// Maps any error to its API form. Domain errors are translated here and only here.
    public init(_ error: any Error, maxBodyBytes: Int = 1 << 20) {
        switch error {
        case let error as APIError:
            self = error
        case is AuthenticationFailure:
            self = .unauthorized
        case let error as StoreError:
            switch error {
            case .invalid(let field, let message): self = .invalid(field, message)
            case .notFound: self = .notFound
            case .unauthorized: self = .unauthorized
            case .forbidden(let required): self = .forbidden(required)
            case .conflict(let message): self = APIError(status: .conflict, code: "conflict", message: message)
            case .unavailable:
                self = .unavailable
            case .insufficientStorage(let message):
                // Not transient (a full disk or a partition at its maximum map size waits for an
                // operator), so no Retry-After.
                self = APIError(status: .insufficientStorage, code: "insufficient_storage",
                                message: "Insufficient storage: \(message). Nothing was written.")
            case .corruptRecord, .storage: self = .internalError
            }
        case is NIOTooManyBytesError:
            self = .payloadTooLarge(maxBodyBytes)
        case let error as HTTPError:
            switch error.status {
            case .notFound: self = .notFound
            case .methodNotAllowed:
                // Keeps the thrower's `Allow`; RequestMiddleware builds its own 405s with one.
                self = APIError(status: .methodNotAllowed, code: "method_not_allowed",
                                message: error.body ?? "Method not allowed.", headers: error.headers)
            case .contentTooLarge: self = .payloadTooLarge(maxBodyBytes)
            case .badRequest: self = APIError(status: .badRequest, code: "invalid_request", message: error.body ?? "Bad request.")
            default: self = APIError(status: error.status, code: "internal", message: error.body ?? error.status.reasonPhrase)
            }
        default:
            self = .internalError
        }
    }

    /// The JSON response for this error.
    func response(requestID: String) -> Response {
        var body: [UInt8] = []
        body.reserveCapacity(96 + message.utf8.count)
        body.append(contentsOf: #"{"error":{"code":"#.utf8)
        JSONWriter.writeString(code, into: &body)
        body.append(contentsOf: #","message":"#.utf8)
        JSONWriter.writeString(message, into: &body)
        body.append(contentsOf: #","requestId":"#.utf8)
        JSONWriter.writeString(requestID, into: &body)
        body.append(contentsOf: "}}".utf8)
        var fields = ResponseJSON.jsonHeaders()
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
