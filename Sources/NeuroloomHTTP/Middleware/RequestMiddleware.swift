import Hummingbird
import HTTPTypes
import Logging
import Metrics

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}

/// The outermost middleware: assigns the request id, renders every error as the API's JSON error,
/// refuses oversized bodies by `Content-Length` before reading them, records metrics and logs one
/// line per request (method, route, status, duration, request id — never headers).
///
/// The per-request line is logged at `debug` (formatting and writing it cost about 8% of a GET's CPU
/// time); failures that reach a 500 are logged at `error` with their request id at any level.
///
/// A path that exists, asked with a method it does not serve (`TRACE`, `PUT`, any token), is a
/// `405 method_not_allowed` whose `Allow` header lists the path's methods, before authentication;
/// a path that does not exist is a 404. Both need ``routeMethods`` recorded once the router is complete.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let maxBodyBytes: Int
    let metrics: ServerMetrics
    /// Filled by `buildRouter` after the last route is mounted (``RouteMethods/record(_:)``).
    let routeMethods = RouteMethods()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.requestID = RequestID.accept(request.headers.uniqueValue(.requestID)) ?? context.requestID
        var response: Response
        do {
            if let length = request.headers.uniqueValue(.contentLength).flatMap({ Int($0) }), length > maxBodyBytes {
                throw APIError.payloadTooLarge(maxBodyBytes)
            }
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == Self.unmatchedEndpoint {
            // Hummingbird's answer for an unknown path and for a known path with another method alike.
            if let allowed = routeMethods.allowed(at: request.uri.path) {
                response = Self.methodNotAllowed(request.method, allowed: allowed).response(requestID: context.requestID)
            } else {
                response = APIError(error, maxBodyBytes: maxBodyBytes).response(requestID: context.requestID)
            }
        } catch {
            let apiError = APIError(error, maxBodyBytes: maxBodyBytes)
            if apiError.status == .internalServerError {
                context.logger.error("request failed", metadata: [
                    "requestId": .string(context.requestID), "error": "\(String(describing: type(of: error)))",
                ])
            }
            response = apiError.response(requestID: context.requestID)
        }
        response.headers.append(HTTPField(name: .requestID, value: context.requestID))
        let route = context.endpointPath ?? "unmatched"
        let elapsed = ContinuousClock.now - start
        metrics.record(route: route, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        if context.logger.logLevel <= .debug {
            context.logger.debug("\(request.method) \(route) \(response.status.code)", metadata: [
                "requestId": .string(context.requestID), "durationMs": .string(String(format: elapsed)),
            ])
        }
        return response
    }

    /// The endpoint path Hummingbird's `NotFoundResponder` records before it throws.
    static let unmatchedEndpoint = "NotFound"

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(status: .methodNotAllowed, code: "method_not_allowed",
                        message: "\(method.rawValue) is not allowed here; this path allows \(list).",
                        headers: [.allow: list])
    }
}

private func String(format duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    return "\(micros / 1000).\(String(repeating: "0", count: 3 - String(micros % 1000).count))\(micros % 1000)"
}
