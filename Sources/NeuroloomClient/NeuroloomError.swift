#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NeuroloomAPI

/// Every failure a ``Neuroloom`` call reports (besides `CancellationError` when the calling task is
/// cancelled).
///
/// HTTP error responses map by status; `message` and `requestId` come from the server's error
/// envelope `{"error":{"code","message","requestId"}}`. `requestId` is `nil` only when the failure
/// was detected by the client itself or the response carried no envelope (e.g. from a proxy).
/// Quote the request id when reporting a problem: the server logs it with every request.
public enum NeuroloomError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 401: the API key is missing, malformed, unknown, expired or revoked (the server does not say
    /// which). Also thrown by ``Neuroloom/init(apiKey:baseURL:httpClient:retry:timeout:)`` when no key is
    /// given and `NEUROLOOM_API_KEY` is unset.
    case unauthorized(message: String, requestId: String?)
    /// 403: the key's scope does not allow this call (`read` ⊂ `write` ⊂ `admin`).
    case forbidden(message: String, requestId: String?)
    /// 404: no such memory or key in the key's partition (another partition's ids look the same).
    case notFound(message: String, requestId: String?)
    /// 400: the request was refused; `message` names the field, e.g. `content is required`.
    case invalidRequest(message: String, requestId: String?)
    /// 429: the key's rate limit is exhausted; retry after `retryAfter` seconds (≥ 1).
    case rateLimited(retryAfter: Int, message: String, requestId: String?)
    /// 409: the change conflicts with the current state, e.g. revoking the partition's last admin key.
    case conflict(message: String, requestId: String?)
    /// 413: the request body is larger than the server accepts (1 MiB by default).
    case payloadTooLarge(message: String, requestId: String?)
    /// 415: the body was not sent as JSON (the client always sends JSON; seen only behind a rewriting proxy).
    case unsupportedMediaType(message: String, requestId: String?)
    /// 503: storage is temporarily unavailable; retry after `retryAfter` seconds. Nothing was changed.
    case unavailable(retryAfter: Int, message: String, requestId: String?)
    /// Any other non-2xx status (500 `internal`, a proxy's 502, …). `code` is the envelope's code if any.
    case server(status: Int, code: String?, message: String, requestId: String?)
    /// The request did not complete: connection refused or lost, timeout, invalid base URL, an
    /// oversized response, or a request value JSON cannot represent.
    case transport(String)
    /// A 2xx response whose body is not the JSON the API documents.
    case decoding(String)

    /// The HTTP status behind the error, or `nil` for ``transport(_:)`` and ``decoding(_:)``.
    public var status: Int? {
        switch self {
        case .invalidRequest: return 400
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .conflict: return 409
        case .payloadTooLarge: return 413
        case .unsupportedMediaType: return 415
        case .rateLimited: return 429
        case .unavailable: return 503
        case .server(let status, _, _, _): return status
        case .transport, .decoding: return nil
        }
    }

    /// The readable message: the server's, or the client's description of the failure.
    public var message: String {
        switch self {
        case .unauthorized(let message, _), .forbidden(let message, _), .notFound(let message, _),
             .invalidRequest(let message, _), .conflict(let message, _), .payloadTooLarge(let message, _),
             .unsupportedMediaType(let message, _):
            return message
        case .rateLimited(_, let message, _), .unavailable(_, let message, _):
            return message
        case .server(_, _, let message, _):
            return message
        case .transport(let message), .decoding(let message):
            return message
        }
    }

    /// The server's request id for this failure, if the server answered with an error envelope.
    public var requestId: String? {
        switch self {
        case .unauthorized(_, let requestId), .forbidden(_, let requestId), .notFound(_, let requestId),
             .invalidRequest(_, let requestId), .conflict(_, let requestId), .payloadTooLarge(_, let requestId),
             .unsupportedMediaType(_, let requestId):
            return requestId
        case .rateLimited(_, _, let requestId), .unavailable(_, _, let requestId):
            return requestId
        case .server(_, _, _, let requestId):
            return requestId
        case .transport, .decoding:
            return nil
        }
    }

    /// Seconds to wait before retrying, for ``rateLimited(retryAfter:message:requestId:)`` and
    /// ``unavailable(retryAfter:message:requestId:)``; `nil` for every other case.
    public var retryAfter: Int? {
        switch self {
        case .rateLimited(let seconds, _, _), .unavailable(let seconds, _, _): return seconds
        default: return nil
        }
    }

    /// A one-line description: the kind, the message and the request id.
    public var description: String {
        let kind: String
        switch self {
        case .unauthorized: kind = "unauthorized"
        case .forbidden: kind = "forbidden"
        case .notFound: kind = "not found"
        case .invalidRequest: kind = "invalid request"
        case .rateLimited(let seconds, _, _): kind = "rate limited (retry after \(seconds) s)"
        case .conflict: kind = "conflict"
        case .payloadTooLarge: kind = "payload too large"
        case .unsupportedMediaType: kind = "unsupported media type"
        case .unavailable(let seconds, _, _): kind = "unavailable (retry after \(seconds) s)"
        case .server(let status, let code, _, _): kind = "server error \(status)" + (code.map { " \($0)" } ?? "")
        case .transport: kind = "transport error"
        case .decoding: kind = "decoding error"
        }
        let request = requestId.map { " [request \($0)]" } ?? ""
        return "Neuroloom \(kind): \(message)\(request)"
    }
}

extension NeuroloomError {
    /// The error for a non-2xx response: mapped by status, message and request id from the envelope.
    /// A missing or unreadable `Retry-After` on 429/503 counts as 1 second.
    static func fromResponse(status: Int, retryAfter: Int?, body: [UInt8]) -> NeuroloomError {
        let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: Data(body))
        let requestId = envelope?.error.requestId
        let message = envelope?.error.message ?? fallbackMessage(status: status, body: body)
        let wait = max(1, retryAfter ?? 1)
        switch status {
        case 400: return .invalidRequest(message: message, requestId: requestId)
        case 401: return .unauthorized(message: message, requestId: requestId)
        case 403: return .forbidden(message: message, requestId: requestId)
        case 404: return .notFound(message: message, requestId: requestId)
        case 409: return .conflict(message: message, requestId: requestId)
        case 413: return .payloadTooLarge(message: message, requestId: requestId)
        case 415: return .unsupportedMediaType(message: message, requestId: requestId)
        case 429: return .rateLimited(retryAfter: wait, message: message, requestId: requestId)
        case 503: return .unavailable(retryAfter: wait, message: message, requestId: requestId)
        default: return .server(status: status, code: envelope?.error.code, message: message, requestId: requestId)
        }
    }

    /// A message for a response without an envelope: the start of its text, else the status.
    private static func fallbackMessage(status: Int, body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        return trimmed.isEmpty ? "HTTP status \(status)" : String(trimmed)
    }
}
