import HTTPTypes
import Hummingbird
import NeuroloomStore

/// Authenticates, then rate-limits, every `/v1` request — in that order, so an unknown key never
/// consumes anyone's budget. The scope check (403) comes last, in the route itself.
///
/// Accepts `Authorization: Bearer <key>` with the scheme word in any case. Every failure
/// (missing, malformed, unknown, expired, revoked) is the same 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let resolver: KeyResolver
    let rateLimiter: RateLimiter
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = BearerToken.parse(request.headers),
              let grant = try? resolver.resolve(presented)
        else {
            metrics.authenticationFailures.increment()
            throw APIError.unauthorized
        }
        let decision = rateLimiter.decide(for: grant.keyID)
        var response: Response
        if decision.allowed {
            var context = context
            context.grant = grant
            do {
                response = try await next(request, context)
            } catch {
                response = APIError(error, maxBodyBytes: maxBodyBytes).response(requestID: context.requestID)
            }
        } else {
            metrics.rateLimited.increment()
            var error = APIError(status: .tooManyRequests, code: "rate_limited",
                                 message: "Rate limit exceeded; retry in \(decision.retryAfterSeconds) s.")
            error.headers[.retryAfter] = String(decision.retryAfterSeconds)
            response = error.response(requestID: context.requestID)
        }
        // Appended, not assigned: no handler sets these, and appending skips a search of the fields.
        response.headers.append(HTTPField(name: .rateLimitLimit, value: String(decision.limit)))
        response.headers.append(HTTPField(name: .rateLimitRemaining, value: String(decision.remaining)))
        response.headers.append(HTTPField(name: .rateLimitReset, value: String(decision.resetSeconds)))
        return response
    }
}
