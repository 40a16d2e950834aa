import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NeuroloomAPI
import NeuroloomHTTP
@_spi(Operator) import NeuroloomStore
import NIOCore
import Synchronization
import NeuroloomTestSupport

/// A clock tests can move.
final class TestClock: Sendable {
    private let current = Mutex<Int64>(Timestamp.now().millisecondsSinceEpoch)
    var clock: StoreClock { StoreClock { [self] in Timestamp(millisecondsSinceEpoch: current.withLock { $0 }) } }
    func advance(milliseconds: Int64) { current.withLock { $0 += milliseconds } }
}

/// A server built exactly as `neuroloom serve` builds it, on a temporary data directory,
/// with one bootstrapped workspace.
struct HTTPFixture {
    let directory = TemporaryDirectory("http")
    let services: NeuroloomServices
    let clock = TestClock()
    let workspace: Workspace
    let liveAdmin: String
    let testAdmin: String

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory.path
        configuration.rateLimit = 100_000
        configuration.rateBurst = 100_000
        configuration.logLevel = .error
        configure(&configuration)
        services = try NeuroloomServices(configuration: configuration, clock: clock.clock)
        guard let (workspace, live, test) = try services.control.bootstrapIfEmpty() else { throw FixtureError.notEmpty }
        self.workspace = workspace
        liveAdmin = live.secret.value
        testAdmin = test.secret.value
    }

    enum FixtureError: Error { case notEmpty }

    /// A new key's secret.
    func key(_ scope: Scope, _ environment: WorkspaceEnvironment = .live, workspace: WorkspaceID? = nil) throws -> String {
        try services.control.createKey(workspace: workspace ?? self.workspace.id, environment: environment, scope: scope, name: "\(scope)").secret.value
    }

    func run<T: Sendable>(_ mode: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = buildApplication(services: services)
        return try await app.test(mode, body)
    }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer key and JSON body; returns status, headers and parsed JSON.
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: String? = nil,
              body: ByteBuffer? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let payload = body ?? json.map { ByteBuffer(string: $0) }
        return try await execute(uri: uri, method: method, headers: headers, body: payload) { response in
            Reply(status: response.status, headers: response.headers, body: Array(response.body.readableBytesView))
        }
    }
}

struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    subscript(_ key: String) -> JSONValue? { json.objectValue?[key] }
    var errorCode: String? { json.objectValue?["error"]?.objectValue?["code"]?.stringValue }
    var errorMessage: String? { json.objectValue?["error"]?.objectValue?["message"]?.stringValue }
}
