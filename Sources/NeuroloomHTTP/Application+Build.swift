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

    /// On an empty data directory, creates the `default` workspace and returns its two admin keys
    /// (the only time they can be shown); otherwise `nil`.
    public func bootstrapIfEmpty() throws -> (workspace: Workspace, live: CreatedKey, test: CreatedKey)? {
        guard try control.allWorkspaces().isEmpty else { return nil }
        return try control.createWorkspace(name: "default")
    }

    /// Closes every LMDB environment once in-flight work ends, and records pending key use. Call at shutdown.
    public func shutdown() async {
        await storage.closeAll()
        resolver.flushLastUse()
        control.close()
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
    router.add(middleware: RequestMiddleware(maxBodyBytes: configuration.maxBodyBytes, metrics: services.metrics))
    SystemRoutes(storage: services.storage, metrics: services.metrics).register(on: router)
    DashboardRoutes().register(on: router)

    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(
        resolver: services.resolver, rateLimiter: services.rateLimiter, metrics: services.metrics,
        maxBodyBytes: configuration.maxBodyBytes))
    let routes = APIRouteRegistrar(group: v1, prefix: "/v1", table: services.routeTable)
    MemoryRoutes(operations: MemoryOperations(storage: services.storage), maxBodyBytes: configuration.maxBodyBytes).register(routes)
    WorkspaceRoutes(storage: services.storage, control: services.control, maxBodyBytes: configuration.maxBodyBytes).register(routes)
    for extend in extensions { extend(router, services) }
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
    do {
        try await app.runService()
    } catch {
        await services.shutdown()
        throw error
    }
    await services.shutdown()
}
