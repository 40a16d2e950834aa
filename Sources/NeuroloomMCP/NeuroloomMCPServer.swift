import Foundation
import Logging
import MCP
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomStore

/// Where an MCP session's grant comes from. It is asked again at the start of every `tools/list`
/// and `tools/call`, so a key revoked or expired mid-session stops working on its next call.
public struct MCPGrantSource: Sendable {
    private let current: @Sendable () throws -> WorkspaceGrant

    /// `current` returns the grant, or throws once the key no longer works (``AuthenticationFailure``
    /// or ``StoreError/unauthorized``) or cannot be checked right now (``StoreError/unavailable(_:)``).
    public init(_ current: @escaping @Sendable () throws -> WorkspaceGrant) {
        self.current = current
    }

    /// Resolves the presented key on every call (stdio): revocation and expiry take effect on the
    /// next call, and the key's `lastUsedAt` is kept up to date.
    public static func presentedKey(_ key: String, resolver: KeyResolver) -> MCPGrantSource {
        MCPGrantSource { try resolver.resolve(key) }
    }

    /// Re-checks an already resolved grant's key (HTTP sessions, whose every request the endpoint
    /// has authenticated already).
    public static func grant(_ grant: WorkspaceGrant, resolver: KeyResolver) -> MCPGrantSource {
        MCPGrantSource {
            try resolver.checkStillValid(grant)
            return grant
        }
    }

    func grant() throws -> WorkspaceGrant { try current() }
}

/// Builds the MCP server one client session talks to: name `neuroloom`, the tools capability,
/// `tools/list` filtered by the key's scope and `tools/call` dispatched to ``MemoryToolbox``.
///
/// - `tools/list` with a key that no longer works is a JSON-RPC error.
/// - `tools/call` of an unknown tool is a JSON-RPC error (invalid params, -32602).
/// - `tools/call` of a tool outside the key's scope, with a key that no longer works, with invalid
///   arguments, or failing in the store is a tool result with `isError: true`.
public enum NeuroloomMCPServer {
    public static let name = "neuroloom"
    public static let version = "1.0.0"
    public static let instructions = """
        Neuroloom is this workspace's long-term memory. Before answering anything that may depend on \
        what was learned earlier — the user's preferences, the project's facts and decisions — call \
        memory_search. Before storing something, search for it and update the existing memory \
        (memory_update) instead of creating a duplicate. Store one self-contained fact per memory, \
        with metadata for the facets you will filter on.
        """

    /// A server for one session, not yet started: call `start(transport:)` on it. For transports
    /// other than the SDK's HTTP server transports, wrap the transport in
    /// ``ExactArgumentsTransport`` so tool arguments are read from the raw message.
    public static func make(storage: WorkspaceStorage, grants: MCPGrantSource,
                            logger: Logger = Logger(label: "neuroloom.mcp")) async -> Server {
        let toolbox = MemoryToolbox(operations: MemoryOperations(storage: storage), logger: logger)
        let server = Server(
            name: name, version: version, instructions: instructions,
            capabilities: Server.Capabilities(tools: Server.Capabilities.Tools(listChanged: false)))

        await server.withMethodHandler(ListTools.self) { _ in
            let grant: WorkspaceGrant
            do {
                grant = try grants.grant()
            } catch {
                throw MCPError.invalidRequest(NeuroloomMCPServer.message(forGrantFailure: error))
            }
            return ListTools.Result(tools: toolbox.allowedTools(for: grant.scope).map(\.tool))
        }

        await server.withMethodHandler(CallTool.self) { parameters in
            guard let tool = toolbox.tool(named: parameters.name) else {
                throw MCPError.invalidParams("Unknown tool: \(parameters.name)")
            }
            let grant: WorkspaceGrant
            do {
                grant = try grants.grant()
            } catch {
                return CallTool.Result(
                    content: [.text(text: NeuroloomMCPServer.message(forGrantFailure: error), annotations: nil, _meta: nil)],
                    isError: true)
            }
            guard grant.scope.allows(tool.scope) else {
                return MemoryToolbox.errorResult(APIError.forbidden(tool.scope))
            }
            return await toolbox.call(tool, arguments: parameters.arguments,
                                      exactArguments: NeuroloomMCPServer.exactArguments(of: parameters), grant: grant)
        }
        return server
    }

    static let unauthorizedMessage = "unauthorized: Missing or invalid API key."

    /// What a client is told when its key could not be turned into a grant: a key that no longer
    /// works is `unauthorized`; a key store that cannot be read right now is `unavailable` (retry),
    /// never reported as a bad key.
    static func message(forGrantFailure error: any Error) -> String {
        switch error {
        case is AuthenticationFailure, StoreError.unauthorized: return unauthorizedMessage
        default:
            let apiError = APIError(error)
            return "\(apiError.code): \(apiError.message)"
        }
    }

    /// The call's arguments parsed from the raw JSON-RPC message, when the transport exposes it
    /// (the SDK's HTTP server transports, ``ExactArgumentsTransport``).
    ///
    /// The SDK's own decoding turns any string shaped like a data URL (`data:…,…`) into binary data,
    /// which cannot always be turned back into the same string; memory content must come through
    /// byte for byte, so the raw message is preferred. `nil` (use the decoded arguments) when the
    /// raw message is not there or does not match.
    static func exactArguments(of parameters: CallTool.Parameters) -> [String: JSONValue]? {
        guard let body = Server.currentHandlerContext?.httpContext?.body,
              let message = try? JSONParser.parse(body),
              let object = message.objectValue,
              object["method"]?.stringValue == CallTool.name,
              let params = object["params"]?.objectValue,
              params["name"]?.stringValue == parameters.name
        else { return nil }
        switch params["arguments"] {
        case .none, .some(.null): return [:]
        case .some(.object(let members)): return members
        case .some: return nil
        }
    }
}

/// Wraps a transport (stdio, in-memory) so that the server's `tools/call` handlers can read the
/// call's raw JSON-RPC message (see ``NeuroloomMCPServer/exactArguments(of:)``): it keeps each
/// incoming `tools/call` request until the server asks for it, once, when it dispatches the call.
public actor ExactArgumentsTransport: Transport, HTTPContextProviding {
    public nonisolated let logger: Logger
    private let base: any Transport
    private let incoming: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var pump: Task<Void, Never>?
    private var pending: [ID: Data] = [:]
    private var order: [ID] = []
    /// Calls waiting for dispatch kept at most (a client cannot grow this without bound).
    private let capacity = 256

    public init(wrapping base: any Transport, logger: Logger = Logger(label: "neuroloom.mcp")) {
        self.base = base
        self.logger = logger
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        incoming = stream
        self.continuation = continuation
    }

    public func connect() async throws {
        try await base.connect()
        guard pump == nil else { return }
        let upstream = await base.receive()
        let continuation = self.continuation
        pump = Task {
            do {
                for try await message in upstream {
                    self.remember(message)
                    continuation.yield(message)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    public func disconnect() async {
        await base.disconnect()
        pump?.cancel()
        pump = nil
        continuation.finish()
        pending.removeAll()
        order.removeAll()
    }

    public func send(_ data: Data) async throws {
        try await base.send(data)
    }

    public func receive() -> AsyncThrowingStream<Data, any Error> {
        incoming
    }

    /// The raw `tools/call` message with this id, as a body-only request; `nil` for anything else.
    public func httpRequestContext(for id: ID) -> MCP.HTTPRequest? {
        guard let body = pending.removeValue(forKey: id) else { return nil }
        order.removeAll { $0 == id }
        return MCP.HTTPRequest(method: "POST", headers: [:], body: body, path: nil)
    }

    private func remember(_ message: Data) {
        guard let object = (try? JSONParser.parse(message))?.objectValue,
              object["method"]?.stringValue == CallTool.name
        else { return }
        let id: ID
        switch object["id"] {
        case .some(.string(let text)): id = .string(text)
        case .some(.integer(let number)):
            guard let exact = Int(exactly: number) else { return }
            id = .number(exact)
        default: return
        }
        if pending.updateValue(message, forKey: id) == nil {
            order.append(id)
        }
        while order.count > capacity {
            pending.removeValue(forKey: order.removeFirst())
        }
    }
}
