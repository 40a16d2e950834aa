import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NeuroloomHTTP
@_spi(Operator) import NeuroloomStore
import NIOEmbedded

/// Measures the in-process cost of one request through the responder (middleware, routing, auth,
/// storage, JSON), without sockets: an authenticated `GET /v1/memories/{id}` against a bare
/// Hummingbird hello route, alternating, in the same process. Prints ns per request and the ratio.
/// Usage: hot-path-bench [iterations] [rounds] [only: get|hello]. With `only`, runs just that loop once
/// (no warm-up, no report): for counting instructions under valgrind, which is steadier than time.
struct CollectingWriter: ResponseBodyWriter {
    var bytes = 0
    mutating func write(_ buffer: ByteBuffer) async throws { bytes += buffer.readableBytes }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

@main
struct HotPathBench {
    static func main() async throws {
        // Off the main actor: every await from main would otherwise hop threads twice.
        try await Task.detached { try await run() }.value
    }

    static func run() async throws {
        let arguments = CommandLine.arguments
        let iterations = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
        let rounds = max(1, arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hot-path-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory.path
        configuration.rateLimit = 1e9
        configuration.rateBurst = 1_000_000_000
        configuration.logLevel = .warning
        var logger = Logger(label: "hot-path-bench")
        logger.logLevel = .warning
        let services = try NeuroloomServices(configuration: configuration, logger: logger)
        guard let boot = try services.control.bootstrapIfEmpty() else { fatalError("data directory not empty") }
        let grant = try services.resolver.resolve(boot.live.secret.value)
        let memory = try await services.storage.createMemory(NewMemory(content: "benchmark memory", metadata: .object(["k": .number(1)])), grant: grant)

        let router = buildRouter(services: services)
        let responder = router.buildResponder()
        let helloRouter = Router()
        helloRouter.get("/") { _, _ in "hello" }
        let helloResponder = helloRouter.buildResponder()
        let channel = NIOAsyncTestingChannel()

        var getHeaders = HTTPFields()
        getHeaders[.authorization] = "Bearer \(boot.live.secret.value)"
        let getHead = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/v1/memories/\(memory.id)", headerFields: getHeaders)
        let helloHead = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/", headerFields: [:])

        func runGet() async throws -> Double {
            let start = ContinuousClock.now
            for _ in 0..<iterations {
                let context = APIRequestContext(source: .init(channel: channel, logger: logger))
                let response = try await responder.respond(to: Request(head: getHead, body: .init(buffer: ByteBuffer())), context: context)
                guard response.status == .ok else { fatalError("GET answered \(response.status)") }
                try await response.body.write(CollectingWriter())
            }
            return nanoseconds(ContinuousClock.now - start) / Double(iterations)
        }
        func runHello() async throws -> Double {
            let start = ContinuousClock.now
            for _ in 0..<iterations {
                let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
                let response = try await helloResponder.respond(to: Request(head: helloHead, body: .init(buffer: ByteBuffer())), context: context)
                try await response.body.write(CollectingWriter())
            }
            return nanoseconds(ContinuousClock.now - start) / Double(iterations)
        }

        if arguments.count > 3 {
            switch arguments[3] {
            case "get": _ = try await runGet()
            case "hello": _ = try await runHello()
            default: print("unknown loop \(arguments[3]); use get or hello")
            }
            await services.shutdown()
            return
        }
        _ = try await runGet(); _ = try await runHello()  // warm up
        var rows: [(hello: Double, get: Double)] = []
        for round in 1...rounds {
            let hello = try await runHello()
            let get = try await runGet()
            rows.append((hello, get))
            print(String(format: "round %d: hello %.0f ns/request, GET %.0f ns/request, GET−hello %.0f ns", round, hello, get, get - hello))
        }
        // The machine's speed drifts between rounds; the fastest round is the least disturbed one.
        let extras = rows.map { $0.get - $0.hello }.sorted()
        let fastest = (hello: rows.map(\.hello).min() ?? 0, get: rows.map(\.get).min() ?? 0)
        print(String(format: "extra cost of an authenticated GET over hello: median %.0f ns/request over %d rounds", extras[rows.count / 2], rows.count))
        print(String(format: "fastest rounds: hello %.0f ns, GET %.0f ns, extra %.0f ns/request", fastest.hello, fastest.get, fastest.get - fastest.hello))
        await services.shutdown()
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }
}
