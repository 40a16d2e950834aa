import Foundation
import MCP
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomMCP
@_spi(Operator) import NeuroloomStore
import NeuroloomTestSupport

/// Services on a temporary data directory with one bootstrapped workspace, built as
/// `neuroloom serve` builds them.
struct MCPFixture {
    let directory = TemporaryDirectory("mcp")
    let services: NeuroloomServices
    let workspace: Workspace
    /// The live partition's admin key.
    let admin: String

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory.path
        configuration.rateLimit = 100_000
        configuration.rateBurst = 100_000
        configuration.logLevel = .error
        configure(&configuration)
        services = try NeuroloomServices(configuration: configuration)
        guard let (workspace, live, _) = try services.control.bootstrapIfEmpty() else { throw FixtureError.notEmpty }
        self.workspace = workspace
        admin = live.secret.value
    }

    enum FixtureError: Error { case notEmpty }

    /// A new key in the fixture's workspace (or `workspace`).
    func key(_ scope: Scope, _ environment: WorkspaceEnvironment = .live, workspace: WorkspaceID? = nil) throws -> CreatedKey {
        try services.control.createKey(workspace: workspace ?? self.workspace.id, environment: environment, scope: scope, name: "\(scope)")
    }

    /// An MCP client connected over the SDK's in-memory transport to a Neuroloom server for `key`.
    func connect(_ key: String) async throws -> MCPSession {
        let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
        let server = await NeuroloomMCPServer.make(storage: services.storage, grants: .presentedKey(key, resolver: services.resolver))
        try await server.start(transport: ExactArgumentsTransport(wrapping: serverTransport))
        let client = Client(name: "neuroloom-tests", version: "1.0.0")
        try await client.connect(transport: clientTransport)
        return MCPSession(client: client, server: server)
    }
}

/// One tool call's outcome: the text content, parsed as JSON where it is JSON.
struct ToolReply: Sendable {
    let text: String
    let isError: Bool

    var json: JSONValue { (try? JSONParser.parse(Array(text.utf8))) ?? .null }
    subscript(_ key: String) -> JSONValue? { json.objectValue?[key] }
}

struct MCPSession: Sendable {
    let client: Client
    let server: Server

    func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> ToolReply {
        let result: (content: [Tool.Content], isError: Bool?) = try await client.callTool(name: name, arguments: arguments)
        var text = ""
        for item in result.content {
            if case .text(text: let part, annotations: _, _meta: _) = item { text += part }
        }
        return ToolReply(text: text, isError: result.isError ?? false)
    }

    func toolNames() async throws -> [String] {
        let listed: (tools: [Tool], nextCursor: String?) = try await client.listTools()
        return listed.tools.map(\.name).sorted()
    }

    func tools() async throws -> [Tool] {
        let listed: (tools: [Tool], nextCursor: String?) = try await client.listTools()
        return listed.tools
    }

    func close() async {
        await client.disconnect()
        await server.stop()
    }
}
