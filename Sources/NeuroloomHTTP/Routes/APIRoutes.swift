import Hummingbird
import HTTPTypes
import NeuroloomStore
import Synchronization

/// One authenticated route as registered: what the route × scope matrix test and the OpenAPI
/// check read.
public struct RouteDescriptor: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    /// The path as registered, with `{name}` parameters, e.g. `/v1/memories/{id}`.
    public let path: String
    public let scope: Scope
    public var description: String { "\(method) \(path) [\(scope.rawValue)]" }
}

/// The routes a server registered, in order.
public final class RouteTable: Sendable {
    private let entries = Mutex<[RouteDescriptor]>([])
    public var routes: [RouteDescriptor] { entries.withLock { $0 } }
    func append(_ route: RouteDescriptor) { entries.withLock { $0.append(route) } }
}

/// Registers `/v1` routes. The only way to add one is ``add(_:_:scope:_:)``, which requires the
/// scope and hands the handler a grant only after checking it — a handler cannot touch workspace
/// data without a grant, so an authenticated route without a declared scope cannot be written.
struct APIRouteRegistrar {
    let group: RouterGroup<APIRequestContext>
    let prefix: String
    let table: RouteTable

    typealias Handler = @Sendable (Request, APIRequestContext, WorkspaceGrant) async throws -> Response

    func add(_ method: HTTPRequest.Method, _ path: String, scope: Scope, _ handler: @escaping Handler) {
        table.append(RouteDescriptor(method: method, path: prefix + path.replacingColonParameters(), scope: scope))
        group.on(RouterPath(path), method: method) { request, context in
            guard let grant = context.grant else { throw APIError.unauthorized }
            guard grant.scope.allows(scope) else { throw APIError.forbidden(scope) }
            return try await handler(request, context, grant)
        }
    }
}

extension String {
    /// `/memories/:id` → `/memories/{id}` (the OpenAPI form).
    func replacingColonParameters() -> String {
        split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }
}
