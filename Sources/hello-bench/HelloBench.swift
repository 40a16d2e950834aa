import Hummingbird
import Logging

/// The smallest possible Hummingbird server, used by `tools/bench-http` as the framework baseline:
/// `GET /` answers `hello`. Usage: `hello-bench [port]` (default 8090), bound to 127.0.0.1 only.
@main
struct HelloBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let port = arguments.count > 1 ? Int(arguments[1]) ?? 8090 : 8090

        var logger = Logger(label: "hello-bench")
        logger.logLevel = .warning  // keep logging out of the measured path

        let router = Router()
        router.get("/") { _, _ in
            "hello"
        }

        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: logger
        )
        try await app.runService()
    }
}
