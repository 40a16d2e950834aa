import Foundation
import Logging
import MCP
import NeuroloomAPI
import NeuroloomStore

/// What the `/mcp` endpoint sends back, in neither Hummingbird's nor the SDK's types (the two
/// share names such as `HTTPRequest`, so each is only imported where it is needed).
enum MCPGatewayReply: Sendable {
    case complete(status: Int, headers: [String: String], body: [UInt8])
    /// Server-sent events: the body is streamed until the SDK finishes it (response sent, session
    /// closed).
    case stream(status: Int, headers: [String: String], body: AsyncThrowingStream<Data, any Error>)
}

/// The Streamable HTTP sessions of one server: each is an MCP `Server` on its own
/// `StatefulHTTPServerTransport`, bound to the API key that opened it.
///
/// - A request naming a session that does not exist, has ended, or was opened by a different key
///   gets the same 404 (JSON-RPC error body): a key cannot learn whether another key's session
///   exists, and an MCP client treats 404 as "start a new session".
/// - Sessions end on DELETE, after `idleTimeout` without a request, when their key opens more than
///   `maxSessionsPerKey` (the least recently used goes), or on ``closeAll()``.
actor MCPSessionRegistry {
    struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        let keyID: KeyID
        var lastUsed: ContinuousClock.Instant
    }

    private let storage: WorkspaceStorage
    private let resolver: KeyResolver
    private let idleTimeout: Duration
    private let maxSessionsPerKey: Int
    private let maxSessions: Int
    private let logger: Logger
    private var sessions: [String: Session] = [:]
    private var sweeper: Task<Void, Never>?

    init(storage: WorkspaceStorage, resolver: KeyResolver, idleTimeout: Duration, maxSessionsPerKey: Int,
         maxSessions: Int, logger: Logger) {
        self.storage = storage
        self.resolver = resolver
        self.idleTimeout = idleTimeout
        self.maxSessionsPerKey = max(1, maxSessionsPerKey)
        self.maxSessions = max(1, maxSessions)
        self.logger = logger
    }

    var count: Int { sessions.count }

    /// Handles one authenticated request. `headers` must not include `Authorization`.
    func handle(method: String, headers: [String: String], body: Data?, path: String,
                grant: WorkspaceGrant) async -> MCPGatewayReply {
        let request = MCP.HTTPRequest(method: method, headers: headers, body: body, path: path)
        if let sessionID = request.header(HTTPHeaderName.sessionID) {
            guard var session = sessions[sessionID], session.keyID == grant.keyID else {
                return Self.reply(.error(statusCode: 404, .invalidRequest("Not Found: Session not found or expired")))
            }
            session.lastUsed = .now
            sessions[sessionID] = session
            let response = await session.transport.handleRequest(request)
            if method == "DELETE", response.statusCode == 200 {
                await close(sessionID)
            }
            return Self.reply(response)
        }
        guard method == "POST", let body, Self.isInitializeRequest(body) else {
            return Self.reply(.error(statusCode: 400,
                                     .invalidRequest("Bad Request: Missing \(HTTPHeaderName.sessionID) header")))
        }
        return await openSession(request, grant: grant)
    }

    /// Ends every session (their open streams finish). Used at graceful shutdown.
    func closeAll() async {
        for sessionID in Array(sessions.keys) {
            await close(sessionID)
        }
    }

    /// Ends sessions idle for longer than the timeout.
    func sweep() async {
        let now = ContinuousClock.now
        let expired = sessions.filter { now - $0.value.lastUsed > idleTimeout }.map(\.key)
        for sessionID in expired {
            logger.debug("MCP session expired", metadata: ["session": .string(sessionID)])
            await close(sessionID)
        }
    }

    // MARK: Private

    private func openSession(_ request: MCP.HTTPRequest, grant: WorkspaceGrant) async -> MCPGatewayReply {
        if sessions.count >= maxSessions {
            await sweep()
            guard sessions.count < maxSessions else {
                return Self.reply(.error(statusCode: 503, .internalError("Too many MCP sessions; retry later"),
                                         extraHeaders: ["Retry-After": "5"]))
            }
        }
        let keySessions = sessions.filter { $0.value.keyID == grant.keyID }.sorted { $0.value.lastUsed < $1.value.lastUsed }
        if keySessions.count >= maxSessionsPerKey {
            for (sessionID, _) in keySessions.prefix(keySessions.count - maxSessionsPerKey + 1) {
                await close(sessionID)
            }
        }

        let sessionID = Self.newSessionID()
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(value: sessionID), logger: logger)
        let server = await NeuroloomMCPServer.make(storage: storage, grants: .grant(grant, resolver: resolver), logger: logger)
        do {
            try await server.start(transport: transport)
        } catch {
            await server.stop()
            logger.error("MCP session failed to start", metadata: ["error": "\(String(describing: type(of: error)))"])
            return Self.reply(.error(statusCode: 500, .internalError("Internal error: the session could not start")))
        }
        sessions[sessionID] = Session(server: server, transport: transport, keyID: grant.keyID, lastUsed: .now)
        startSweeper()

        let response = await transport.handleRequest(request)
        if case .error = response {
            await close(sessionID)
        }
        return Self.reply(response)
    }

    private func close(_ sessionID: String) async {
        guard let session = sessions.removeValue(forKey: sessionID) else { return }
        await session.server.stop()
    }

    private func startSweeper() {
        guard sweeper == nil else { return }
        let interval = min(max(idleTimeout / 4, .seconds(1)), .seconds(60))
        sweeper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self.sweep()
                if self.sessions.isEmpty {
                    // Started again by the next session that opens.
                    self.sweeper = nil
                    return
                }
            }
        }
    }

    private static func reply(_ response: MCP.HTTPResponse) -> MCPGatewayReply {
        switch response {
        case .stream(let stream, headers: let headers):
            return .stream(status: response.statusCode, headers: headers, body: stream)
        default:
            return .complete(status: response.statusCode, headers: response.headers, body: response.bodyData.map { Array($0) } ?? [])
        }
    }

    /// Whether a POST body is a JSON-RPC `initialize` request (the only request without a session).
    static func isInitializeRequest(_ body: Data) -> Bool {
        guard let object = (try? JSONParser.parse(body))?.objectValue,
              object["method"]?.stringValue == "initialize"
        else { return false }
        switch object["id"] {
        case .some(.string), .some(.integer): return true
        default: return false
        }
    }

    /// 128 random bits, hex: visible ASCII as the spec requires, and not guessable.
    static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high: UInt64 = generator.next()
        let low: UInt64 = generator.next()
        return hex16(high) + hex16(low)
    }

    private static func hex16(_ word: UInt64) -> String {
        let hex = String(word, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Gives the transport the session id the registry chose (so the registry knows it up front).
private struct FixedSessionID: SessionIDGenerator {
    let value: String
    func generateSessionID() -> String { value }
}
