import Foundation
import Hummingbird
import Logging
import NeuroloomHTTP
@_spi(Operator) import NeuroloomStore
import NeuroloomTestSupport
import ServiceLifecycle

/// A real Neuroloom server, built exactly as `neuroloom serve` builds it, listening on a free
/// loopback port over a temporary data directory with one bootstrapped workspace.
struct LiveServer {
    let directory = TemporaryDirectory("client")
    let services: NeuroloomServices
    let workspace: Workspace
    /// The bootstrapped live and test admin keys' secrets.
    let liveAdmin: String
    let testAdmin: String

    enum Failure: Error { case notEmpty, didNotStart }

    /// A server with generous rate limits unless `configure` changes them.
    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory.path
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.rateLimit = 100_000
        configuration.rateBurst = 100_000
        configuration.logLevel = .error
        configure(&configuration)
        services = try NeuroloomServices(configuration: configuration)
        guard let (workspace, live, test) = try services.control.bootstrapIfEmpty() else { throw Failure.notEmpty }
        self.workspace = workspace
        liveAdmin = live.secret.value
        testAdmin = test.secret.value
    }

    /// The bootstrapped workspace's id, as the API writes it.
    var workspaceID: String { workspace.id.description }

    /// A new key's secret in the bootstrapped workspace.
    func key(_ scope: Scope, _ environment: WorkspaceEnvironment = .live) throws -> String {
        try services.control.createKey(workspace: workspace.id, environment: environment, scope: scope, name: "\(scope)")
            .secret.value
    }

    /// Starts the server, runs `body` with its base URL (`http://127.0.0.1:<port>`), then shuts the
    /// server down gracefully and closes its storage, whether `body` succeeded or not.
    func run<T>(_ body: (String) async throws -> T) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "neuroloom-client-tests")
        logger.logLevel = .error
        let app = buildApplication(services: services, logger: logger, onServerRunning: { port in
            portContinuation.yield(port)
        })
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [], logger: logger))
        let server = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The server stopped before listening: report its error.
            try await server.value
            throw Failure.didNotStart
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body("http://127.0.0.1:\(port)"))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        _ = await server.result
        await services.shutdown()
        return try result.get()
    }
}
