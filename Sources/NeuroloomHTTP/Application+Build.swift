import Hummingbird
import Logging
import NeuroloomStore

/// The long-lived parts of a running server: the store, the limiter, metrics and the route table.
public final class NeuroloomServices: Sendable {
    public let configuration: ServerConfiguration
    public let control: ControlStore
    public let resolver: KeyResolver
    public let storage: WorkspaceStorage
    public let routeTable = RouteTable()
    let metrics = ServerMetrics()
    let rateLimiter: RateLimiter

    /// Opens (creating if needed) the data directory's control environment.
    public init(configuration: ServerConfiguration, clock: StoreClock = .system, logger: Logger = Logger(label: "neuroloom")) throws {
        self.configuration = configuration
        let directory = DataDirectory(root: configuration.dataDirectory)
        control = try ControlStore(directory: directory, clock: clock)
        resolver = KeyResolver(control: control)
        storage = WorkspaceStorage(directory: directory, resolver: resolver, configuration: configuration.storage, logger: logger)
        rateLimiter = RateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst)
    }

    /// Closes every LMDB environment once in-flight work ends, and records pending key use. Call at shutdown.
    public func shutdown() async {
        await storage.closeAll()
        resolver.flushLastUse()
        control.close()
    }
}

extension NeuroloomServices {
    /// A route group at `path` behind authentication and the per-key rate limiter: every route in
    /// it answers 401 (no working key) → 429 (over the key's rate) → 503 (the key cannot be checked
    /// right now) before its handler runs, finds the grant in `context.grant`, and withholds its
    /// response from a key revoked while it ran. `/v1` and `/mcp` are mounted this way.
    public func authenticated(_ router: Router<APIRequestContext>, path: RouterPath) -> RouterGroup<APIRequestContext> {
        router.group(path).add(middleware: AuthenticationMiddleware(
            resolver: resolver, rateLimiter: rateLimiter, metrics: metrics, maxBodyBytes: configuration.maxBodyBytes))
    }
}

/// Mounts more routes on the server's router (the executable uses it for the MCP endpoint, which
/// lives in a library that depends on this one).
public typealias RouterExtension = @Sendable (Router<APIRequestContext>, NeuroloomServices) -> Void

/// Builds the router: public system routes, then `/v1` behind authentication and rate limiting,
/// each route with its required scope, then whatever `extensions` mount.
public func buildRouter(services: NeuroloomServices, extensions: [RouterExtension] = []) -> Router<APIRequestContext> {
    let configuration = services.configuration
    let router = Router(context: APIRequestContext.self)
    let requests = RequestMiddleware(maxBodyBytes: configuration.maxBodyBytes, metrics: services.metrics)
    router.add(middleware: requests)
    SystemRoutes(storage: services.storage, metrics: services.metrics).register(on: router)
    DashboardRoutes().register(on: router)

    let v1 = services.authenticated(router, path: "v1")
    let routes = APIRouteRegistrar(group: v1, prefix: "/v1", table: services.routeTable)
    MemoryRoutes(operations: MemoryOperations(storage: services.storage), maxBodyBytes: configuration.maxBodyBytes).register(routes)
    WorkspaceRoutes(storage: services.storage, control: services.control, maxBodyBytes: configuration.maxBodyBytes).register(routes)
    for extend in extensions { extend(router, services) }
    requests.routeMethods.record(router)  // every route is mounted: 405 + Allow from here on
    return router
}

/// The application the `neuroloom serve` command runs, and that tests build the same way.
public func buildApplication(
    services: NeuroloomServices,
    logger: Logger = Logger(label: "neuroloom"),
    extensions: [RouterExtension] = [],
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = services.configuration
    var logger = logger
    logger.logLevel = configuration.logLevel
    return Application(
        router: buildRouter(services: services, extensions: extensions),
        // No `Server` header: it only tells a scanner what is running.
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// Runs the server until SIGINT or SIGTERM: stops accepting, lets in-flight requests finish,
/// then closes every LMDB environment cleanly.
public func runServer(services: NeuroloomServices, logger: Logger = Logger(label: "neuroloom"),
                      extensions: [RouterExtension] = [],
                      onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    let app = buildApplication(services: services, logger: logger, extensions: extensions, onServerRunning: onServerRunning)
    let sweeper = Task.detached { [services, logger] in
        await sweepStaleReaders(services: services, logger: logger)
    }
    defer { sweeper.cancel() }
    do {
        try await app.runService()
    } catch {
        await services.shutdown()
        throw error
    }
    await services.shutdown()
}

/// Every ``ServerConfiguration/staleReaderSweepInterval``, frees LMDB reader slots held by dead
/// processes (a `neuroloom mcp` over stdio killed by its editor) until cancelled.
private func sweepStaleReaders(services: NeuroloomServices, logger: Logger) async {
    while !Task.isCancelled {
        do {
            try await Task.sleep(for: services.configuration.staleReaderSweepInterval)
        } catch {
            return
        }
        let freed = services.storage.reclaimStaleReaders()
        if freed > 0 {
            logger.notice("freed LMDB reader slots of dead processes", metadata: ["slots": "\(freed)"])
        }
    }
}
