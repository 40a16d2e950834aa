import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NeuroloomHTTP
import NeuroloomStore
import NIOCore
import ServiceLifecycle

/// Settings of the `/mcp` endpoint.
public struct MCPEndpointOptions: Sendable {
    /// A session with no request for this long is closed (default 30 minutes).
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// Sessions one API key may hold; opening one more closes its least recently used (default 16).
    public var maxSessionsPerKey = 16
    /// Sessions the server holds in all; beyond it `initialize` gets 503 (default 4096).
    public var maxSessions = 4096

    public init() {}
}

/// Mounts MCP Streamable HTTP at `/mcp` (POST, GET and DELETE) on the API's router.
///
/// Every request must present `Authorization: Bearer <key>`; the key is resolved before any MCP
/// processing, and a missing, unknown, revoked or expired key gets the API's 401 (JSON error body,
/// `WWW-Authenticate: Bearer realm="neuroloom"`). Sessions (`Mcp-Session-Id`) are bound to the key
/// that opened them: another key presenting the session id gets 404, exactly as for a session that
/// does not exist. Bodies are read up to the configured body limit (413 beyond it).
///
/// Each session is an MCP server over the SDK's `StatefulHTTPServerTransport`: POST answers with
/// server-sent events, GET opens the stream for server-initiated messages, DELETE ends the session.
/// Open streams are finished at graceful shutdown.
public func registerMCPEndpoint(on router: Router<APIRequestContext>, services: NeuroloomServices,
                                options: MCPEndpointOptions = MCPEndpointOptions(),
                                logger: Logger = Logger(label: "neuroloom.mcp")) {
    let endpoint = MCPHTTPEndpoint(
        registry: MCPSessionRegistry(
            storage: services.storage, resolver: services.resolver, idleTimeout: options.idleTimeout,
            maxSessionsPerKey: options.maxSessionsPerKey, maxSessions: options.maxSessions, logger: logger),
        resolver: services.resolver,
        maxBodyBytes: services.configuration.maxBodyBytes)
    // Behind the same authentication and rate limiter as `/v1` (401 → 429 → 403).
    let mcp = services.authenticated(router, path: "mcp")
    mcp.post { request, context in try await endpoint.respond(to: request, context: context) }
    mcp.get { request, context in try await endpoint.respond(to: request, context: context) }
    mcp.delete { request, context in try await endpoint.respond(to: request, context: context) }
}

/// Converts between Hummingbird and the session registry.
struct MCPHTTPEndpoint: Sendable {
    let registry: MCPSessionRegistry
    let resolver: KeyResolver
    let maxBodyBytes: Int

    /// Request headers not handed to the MCP layer: the key (already resolved, and not to be kept
    /// in the SDK's per-request context) and `Host`, so that the SDK's DNS-rebinding check looks at
    /// `Origin` only (non-browser clients send none) and a server behind a proxy or on a non-loopback
    /// address is not refused for its host name.
    static let withheldHeaders: Set<String> = ["authorization", "host", "cookie"]

    /// Response headers Hummingbird manages itself.
    static let hopByHopHeaders: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length"]

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        // Authenticated and rate-limited by the group's middleware: a request without a working
        // key never reaches the MCP layer.
        guard let grant = context.grant else { throw APIError.unauthorized }

        let buffer = try await request.body.collect(upTo: maxBodyBytes)
        let body = buffer.readableBytes > 0 ? Data(buffer.readableBytesView) : nil

        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            guard !Self.withheldHeaders.contains(name) else { continue }
            if let existing = headers[name] {
                headers[name] = existing + ", " + field.value
            } else {
                headers[name] = field.value
            }
        }

        let reply = await registry.handle(method: request.method.rawValue, headers: headers, body: body,
                                          path: request.uri.path, grant: grant)
        switch reply {
        case .complete(let status, let headers, let body):
            return Response(status: HTTPResponse.Status(code: status), headers: Self.fields(headers),
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        case .stream(let status, let headers, let stream):
            let registry = self.registry
            let body = ResponseBody { writer in
                try await withGracefulShutdownHandler(
                    operation: {
                        for try await chunk in stream {
                            try await writer.write(ByteBuffer(bytes: chunk))
                        }
                    },
                    onGracefulShutdown: {
                        _ = Task { await registry.closeAll() }
                    })
                try await writer.finish(nil)
            }
            return Response(status: HTTPResponse.Status(code: status), headers: Self.fields(headers), body: body)
        }
    }

    static func fields(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            guard let fieldName = HTTPField.Name(name), !hopByHopHeaders.contains(fieldName.canonicalName) else { continue }
            fields[fieldName] = value
        }
        return fields
    }
}
