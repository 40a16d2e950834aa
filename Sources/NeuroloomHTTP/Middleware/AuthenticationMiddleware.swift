import HTTPTypes
import Hummingbird
import NeuroloomStore

/// Authenticates, then rate-limits, every `/v1` request — in that order, so an unknown key never
/// consumes anyone's budget. The scope check (403) comes last, in the route itself.
///
/// Accepts `Authorization: Bearer <key>` with the scheme word in any case. Every failure
/// (missing, malformed, unknown, expired, revoked) is the same 401. A key that cannot be checked
/// because the control environment fails (reader table full, an I/O error) is a 503 with
/// `Retry-After`, never a 401: a 401 tells a client its key is bad.
///
/// Revocation is immediate for reads too: once the handler has produced its response, the key is
/// checked again (in the common case one comparison of the control environment's last transaction
/// id), and a key revoked meanwhile gets a 401 instead of the data.
///
/// `/v1` and `/mcp` both sit behind it (``NeuroloomServices/authenticated(_:path:)``), so both see
/// the same order: 401 → 429 → 403.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let resolver: KeyResolver
    let rateLimiter: RateLimiter
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = BearerToken.parse(request.headers) else {
            metrics.authenticationFailures.increment()
            throw APIError.unauthorized
        }
        let grant: WorkspaceGrant
        do {
            grant = try resolver.resolve(presented)
        } catch is AuthenticationFailure {
            metrics.authenticationFailures.increment()
            throw APIError.unauthorized
        } catch {
            throw APIError(error, maxBodyBytes: maxBodyBytes)
        }
        let decision = rateLimiter.decide(for: grant.keyID)
        var response: Response
        if decision.allowed {
            var context = context
            context.grant = grant
            do {
                response = try await next(request, context)
                // The key may have been revoked while the handler ran: its data is not sent then.
                try resolver.checkStillValid(grant)
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
