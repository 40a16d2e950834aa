import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NeuroloomHTTP
import NeuroloomMCP
@_spi(Operator) import NeuroloomStore

/// `neuroloom serve`: flags and `NEUROLOOM_*` environment variables mapped onto ``ServerConfiguration``
/// (a flag wins over its variable, which wins over the default).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP API server (Ctrl-C or SIGTERM stops it gracefully).")

    @OptionGroup var data: DataOptions
    @OptionGroup var embedding: EmbedderOptions
    @Option(help: "Listen address (default: $NEUROLOOM_HOST or 127.0.0.1).") var host: String?
    @Option(help: "Listen port (default: $NEUROLOOM_PORT or 8080; 0 picks a free port).") var port: Int?
    @Option(help: "Sustained requests per second per key (default: $NEUROLOOM_RATE_LIMIT or 50).") var rateLimit: Double?
    @Option(help: "Burst size per key (default: $NEUROLOOM_RATE_BURST or 100).") var rateBurst: Int?
    @Option(help: "Most LMDB environments open at once (default: $NEUROLOOM_MAX_OPEN_ENVS or 256).") var maxOpenEnvironments: Int?
    @Option(help: "Largest a partition's LMDB map may grow, in MiB; writes beyond it get 507 (default: $NEUROLOOM_MAX_MAP_SIZE or 1048576 = 1 TiB).")
    var maxMapSize: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: $NEUROLOOM_LOG_LEVEL or info).")
    var logLevel: String?
    @Flag(help: "Do not create a default workspace on an empty data directory.") var noBootstrap = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        tuneAllocatorForManyEnvironments(environment)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = data.directory.root
        configuration.host = host ?? environment["NEUROLOOM_HOST"] ?? configuration.host
        configuration.port = try port ?? environment["NEUROLOOM_PORT"].map { try Self.parse($0, "NEUROLOOM_PORT") } ?? configuration.port
        configuration.rateLimit = try rateLimit ?? environment["NEUROLOOM_RATE_LIMIT"].map { try Self.parse($0, "NEUROLOOM_RATE_LIMIT") } ?? configuration.rateLimit
        configuration.rateBurst = try rateBurst ?? environment["NEUROLOOM_RATE_BURST"].map { try Self.parse($0, "NEUROLOOM_RATE_BURST") } ?? configuration.rateBurst
        configuration.storage.maxOpenPartitions = try maxOpenEnvironments
            ?? environment["NEUROLOOM_MAX_OPEN_ENVS"].map { try Self.parse($0, "NEUROLOOM_MAX_OPEN_ENVS") } ?? configuration.storage.maxOpenPartitions
        if let mebibytes = try maxMapSize ?? environment["NEUROLOOM_MAX_MAP_SIZE"].map({ try Self.parse($0, "NEUROLOOM_MAX_MAP_SIZE") }) as Int? {
            guard (1...(1 << 24)).contains(mebibytes) else { throw OperatorError("--max-map-size must be 1…16777216 MiB") }
            configuration.storage.maximumMapSize = mebibytes << 20
            configuration.storage.initialMapSize = min(configuration.storage.initialMapSize, configuration.storage.maximumMapSize)
        }
        if let level = logLevel ?? environment["NEUROLOOM_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else { throw OperatorError("unknown log level \(level)") }
            configuration.logLevel = parsed
        }
        configuration.bootstrap = !noBootstrap
        guard (0...65535).contains(configuration.port) else { throw OperatorError("port must be 0…65535") }
        // Bounded so that the limiter's arithmetic (nanoseconds per token × burst, in Int64) cannot
        // overflow or divide by zero: `inf`, `1e-300` or a burst of 10^12 would trap on the first request.
        guard configuration.rateLimit.isFinite, (0.001...1_000_000_000).contains(configuration.rateLimit) else {
            throw OperatorError("rate limit must be 0.001…1000000000 requests per second")
        }
        guard (1...1_000_000).contains(configuration.rateBurst) else { throw OperatorError("rate burst must be 1…1000000") }
        guard configuration.storage.maxOpenPartitions > 0 else { throw OperatorError("--max-open-environments must be positive") }
        if let weight = environment["NEUROLOOM_HYBRID_WEIGHT"] {
            guard let parsed = Double(weight), (0...1).contains(parsed) else { throw OperatorError("NEUROLOOM_HYBRID_WEIGHT must be 0…1") }
            configuration.storage.hybridSemanticWeight = parsed
        }
        // The model loads once, before the server accepts anything; a missing model stops here.
        configuration.storage.embedder = try await embedding.load()

        // Logs go to stderr; stdout carries only what a user must read (keys, the address).
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "neuroloom")

        let services: NeuroloomServices
        do {
            services = try NeuroloomServices(configuration: configuration, logger: logger)
        } catch {
            throw OperatorError("cannot open the data directory \(configuration.dataDirectory): \(error)")
        }
        if configuration.bootstrap, let (workspace, live, test) = try services.control.bootstrapIfEmpty() {
            print("Created workspace \(workspace.id) (\(workspace.name)) in \(configuration.dataDirectory).")
            print("  Live admin key: \(live.secret.value)")
            print("  Test admin key: \(test.secret.value)")
            print("These keys will not be shown again. Copy one now, e.g.:")
            print("  export NEUROLOOM_API_KEY=\(live.secret.value)")
        }
        let host = configuration.host
        let mcp: RouterExtension = { router, services in
            registerMCPEndpoint(on: router, services: services, logger: Logger(label: "neuroloom.mcp"))
        }
        try await runServer(services: services, logger: logger, extensions: [mcp]) { port in
            print("Neuroloom listening on http://\(host):\(port)")
            fflush(nil)
        }
    }

    static func parse<T: LosslessStringConvertible>(_ text: String, _ name: String) throws -> T {
        guard let value = T(text) else { throw OperatorError("\(name) is not valid: \(text)") }
        return value
    }
}

/// Keeps glibc's malloc from holding ~3 MiB of touched heap per open LMDB environment.
///
/// `mdb_env_open` allocates, for every write-enabled environment, a 2 MiB dirty-page list
/// (`calloc`) and a 1 MiB free-page list, of which a small write touches a page or two. glibc
/// serves blocks that large with `mmap` (untouched pages cost nothing, `free` unmaps them) only
/// until the first such block is freed: its dynamic threshold then rises past them, later ones come
/// from the heap arenas, `calloc` zeroes all 2 MiB there, and freed blocks stay resident. With the
/// LRU cycling 256 partitions that was ~3.7 MiB per open partition (+950 MiB RSS after 10,000
/// workspaces); a fixed threshold below 1 MiB keeps both lists on `mmap` (~8 KiB resident
/// together). Vector blocks (≤ 385 KiB) and other request-sized buffers stay on the heap. An
/// operator's own `GLIBC_TUNABLES` / `MALLOC_MMAP_THRESHOLD_` setting is left alone.
func tuneAllocatorForManyEnvironments(_ environment: [String: String]) {
    #if canImport(Glibc)
    let operatorChoseThreshold = environment["MALLOC_MMAP_THRESHOLD_"] != nil
        || (environment["GLIBC_TUNABLES"]?.contains("mmap_threshold") ?? false)
    // `mallopt` is declared in <malloc.h>, which the Glibc module does not import: look it up.
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
    if !operatorChoseThreshold, let symbol = dlsym(nil, "mallopt") {
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 512 << 10)
    }
    #endif
}
