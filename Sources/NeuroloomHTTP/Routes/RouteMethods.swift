import Hummingbird
import HTTPTypes
import Synchronization

/// The methods each mounted path answers, read from the router once every route (the extensions'
/// too) is mounted: how a request for a path that exists, with a method it does not serve, gets
/// `405 Method Not Allowed` and an `Allow` header rather than a 404.
///
/// Hummingbird answers such a request exactly like an unknown path (its `NotFoundResponder`), and
/// keeps its route trie to itself; ``RequestMiddleware`` asks this index when that happens.
/// Lookups follow the router's own precedence: a literal segment wins over a parameter, so
/// `GET /v1/memories/search` is the `POST`-only search route (405), not a memory id.
public final class RouteMethods: Sendable {
    private struct Entry: Sendable {
        let components: [RouterPath.Element]
        /// Sorted, e.g. `DELETE, GET, PATCH`.
        let methods: [HTTPRequest.Method]
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// Replaces the index with the router's routes. Call after the last route is mounted.
    public func record<Context>(_ router: Router<Context>) {
        var methods: [String: (path: RouterPath, methods: Set<HTTPRequest.Method>)] = [:]
        for route in router.routes {
            methods[route.path.description, default: (route.path, [])].methods.insert(route.method)
        }
        let entries = methods.values.map { path, methods in
            Entry(components: path.components, methods: methods.sorted { $0.rawValue < $1.rawValue })
        }
        self.entries.withLock { $0 = entries }
    }

    /// The methods served at `path` (a request's path, without the query), or `nil` when no route
    /// has this path.
    public func allowed(at path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return entries.withLock { entries in
            var best: Entry?
            for entry in entries where entry.components.count == segments.count
                && zip(entry.components, segments).allSatisfy({ $0 ~= $1 }) {
                if let current = best, !Self.isMoreSpecific(entry.components, than: current.components) { continue }
                best = entry
            }
            return best?.methods
        }
    }

    /// Left to right, the first segment where one path has a literal and the other does not decides.
    private static func isMoreSpecific(_ candidate: [RouterPath.Element], than current: [RouterPath.Element]) -> Bool {
        for (left, right) in zip(candidate, current) {
            let leftIsLiteral = isLiteral(left), rightIsLiteral = isLiteral(right)
            if leftIsLiteral != rightIsLiteral { return leftIsLiteral }
        }
        return false
    }

    /// A segment that matches only itself. `RouterPath.Element` hides its kind; a literal is the
    /// one element whose `==` against its own description holds.
    private static func isLiteral(_ element: RouterPath.Element) -> Bool {
        element == element.description
    }
}
