#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AsyncHTTPClient
@_exported import NeuroloomAPI
import NIOHTTP1

/// A client for the Neuroloom REST API: memories, search, API keys and the workspace.
///
/// ```swift
/// import NeuroloomClient
///
/// let client = try Neuroloom()                     // the key from NEUROLOOM_API_KEY
/// let memory = try await client.memories.create(content: "The user prefers dark mode",
///                                               metadata: ["topic": "ui", "priority": 2])
/// let hits = try await client.memories.search(query: "dark mode", topK: 5,
///                                             filters: ["priority": ["$gte": 2]])
/// ```
///
/// Every call throws ``NeuroloomError`` (or `CancellationError` when the calling task is cancelled).
/// The wire types (``MemoryRecord``, ``SearchHit``, `JSONValue`, …) live in the small `NeuroloomAPI`
/// module the server uses too, re-exported here, so the client and the server cannot drift apart
/// and the client pulls in no server code.
///
/// ## Why AsyncHTTPClient
///
/// The client is built on swift-server's AsyncHTTPClient rather than `URLSession`. Neuroloom runs on
/// Linux, where `URLSession` comes from FoundationNetworking: a libcurl-backed reimplementation that
/// is less complete (its async/await and streaming support lag Darwin's), slower, and adds libcurl to
/// every program using the SDK. AsyncHTTPClient is SwiftNIO-based, identical on Linux and macOS,
/// pools keep-alive connections, supports deadlines and task cancellation natively, and is already in
/// the package graph through Hummingbird's testing tools — so the SDK adds no new dependency.
///
/// A `Neuroloom` value is immutable and `Sendable`: share one between tasks.
public final class Neuroloom: Sendable {
    /// Create, read, update, delete, list and search memories.
    public let memories: Memories
    /// Create, list and revoke API keys (needs an `admin` key).
    public let keys: Keys
    /// The server's base URL, without a trailing slash.
    public let baseURL: String

    private let transport: Transport

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - apiKey: An API key (`nlk_live_…` or `nlk_test_…`); `nil` reads `NEUROLOOM_API_KEY` from the
    ///     environment. Surrounding whitespace is ignored.
    ///   - baseURL: The server, e.g. `https://memory.example.com`; a trailing slash is ignored.
    ///   - httpClient: The AsyncHTTPClient to send requests with; the process-wide shared one by default.
    ///     A client you create yourself must outlive this value, and you shut it down.
    ///   - retry: Whether to retry 429 and 503 answers after `Retry-After`; ``RetryPolicy/none`` by default.
    ///   - timeout: The deadline for each HTTP exchange (connecting, sending and receiving), 30 s by default.
    /// - Throws: ``NeuroloomError/unauthorized(message:requestId:)`` when no key is given and
    ///   `NEUROLOOM_API_KEY` is unset or empty.
    public init(
        apiKey: String? = nil,
        baseURL: String = "http://127.0.0.1:8080",
        httpClient: HTTPClient = .shared,
        retry: RetryPolicy = .none,
        timeout: Duration = .seconds(30)
    ) throws {
        let key = Neuroloom.trimmed(apiKey ?? ProcessInfo.processInfo.environment["NEUROLOOM_API_KEY"] ?? "")
        guard !key.isEmpty else {
            throw NeuroloomError.unauthorized(
                message: "No API key: pass apiKey or set NEUROLOOM_API_KEY.", requestId: nil)
        }
        var base = Neuroloom.trimmed(baseURL)
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        let transport = Transport(httpClient: httpClient, baseURL: base, authorization: "Bearer \(key)",
                                  retry: retry, timeout: Transport.timeAmount(timeout))
        self.transport = transport
        memories = Memories(transport: transport)
        keys = Keys(transport: transport)
    }

    /// The key's workspace and environment: `GET /v1/workspace` (any scope).
    public func workspace() async throws -> WorkspaceInfo {
        try await transport.call(.GET, "/v1/workspace", as: WorkspaceInfo.self)
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}

extension Neuroloom {
    /// The memory calls, as `client.memories`.
    public struct Memories: Sendable {
        let transport: Transport

        /// Stores a memory: `POST /v1/memories` (`write` scope).
        ///
        /// - Parameters:
        ///   - content: 1 byte – 32 KiB of UTF-8, not only whitespace.
        ///   - metadata: A JSON object (at most 16 KiB, 8 levels), e.g. `["topic": "ui", "priority": 2]`.
        /// - Returns: The stored memory with its id and times.
        public func create(content: String, metadata: JSONValue? = nil) async throws -> MemoryRecord {
            try await transport.call(.POST, "/v1/memories", body: CreateMemoryRequest(content: content, metadata: metadata),
                                     as: MemoryRecord.self)
        }

        /// Stores 1–100 memories all or nothing: `POST /v1/memories/batch` (`write` scope).
        ///
        /// - Returns: The stored memories in the order given.
        public func batchCreate(_ memories: [CreateMemoryRequest]) async throws -> [MemoryRecord] {
            try await transport.call(.POST, "/v1/memories/batch", body: BatchCreateRequest(memories: memories),
                                     as: BatchCreateResponse.self).memories
        }

        /// The memory with this id: `GET /v1/memories/{id}` (`read` scope).
        ///
        /// - Throws: ``NeuroloomError/notFound(message:requestId:)`` if the key's partition has no such memory.
        public func get(id: String) async throws -> MemoryRecord {
            let path = try Self.memoryPath(id)
            return try await transport.call(.GET, path, as: MemoryRecord.self)
        }

        /// Changes a memory's content, metadata or both: `PATCH /v1/memories/{id}` (`write` scope).
        ///
        /// `nil` keeps a member as it is; new metadata replaces the old object whole. At least one must be
        /// given (the server answers ``NeuroloomError/invalidRequest(message:requestId:)`` otherwise).
        public func update(id: String, content: String? = nil, metadata: JSONValue? = nil) async throws -> MemoryRecord {
            let path = try Self.memoryPath(id)
            return try await transport.call(.PATCH, path, body: UpdateMemoryRequest(content: content, metadata: metadata),
                                            as: MemoryRecord.self)
        }

        /// Deletes a memory: `DELETE /v1/memories/{id}` (`write` scope).
        ///
        /// - Throws: ``NeuroloomError/notFound(message:requestId:)`` if it does not exist (or is already deleted).
        public func delete(id: String) async throws {
            let path = try Self.memoryPath(id)
            try await transport.callWithoutContent(.DELETE, path)
        }

        /// One page of memories, newest first: `GET /v1/memories?limit=&cursor=` (`read` scope).
        ///
        /// - Parameters:
        ///   - limit: Page size (the server's default and bounds apply).
        ///   - cursor: The previous page's ``MemoryList/nextCursor``; `nil` for the first page.
        /// - Returns: The page; its `nextCursor` is `nil` on the last page. To walk every page, use ``list(limit:cursor:)``.
        public func page(limit: Int? = nil, cursor: String? = nil) async throws -> MemoryList {
            var query: [String] = []
            if let limit { query.append("limit=\(limit)") }
            if let cursor, !cursor.isEmpty { query.append("cursor=\(Transport.segment(cursor))") }
            let path = query.isEmpty ? "/v1/memories" : "/v1/memories?" + query.joined(separator: "&")
            return try await transport.call(.GET, path, as: MemoryList.self)
        }

        /// The partition's memories, newest first, as an `AsyncSequence` that fetches one page
        /// (`GET /v1/memories`, `read` scope) at a time and follows `nextCursor` until the last page.
        ///
        /// ```swift
        /// for try await memory in client.memories.list(limit: 100) { print(memory.id) }
        /// ```
        ///
        /// - Parameters:
        ///   - limit: Page size (the server's default and bounds apply).
        ///   - cursor: Where to start (a ``MemoryList/nextCursor`` from ``page(limit:cursor:)``); `nil`
        ///     starts at the newest memory.
        ///
        /// Pages are requested lazily, only when the previous one is used up; stopping the loop stops
        /// the requests. Each iterator starts again from `cursor`.
        public func list(limit: Int? = nil, cursor: String? = nil) -> MemorySequence {
            MemorySequence(memories: self, pageSize: limit, start: cursor)
        }

        /// Searches memories: `POST /v1/memories/search` (`read` scope).
        ///
        /// - Parameters:
        ///   - query: What to look for: 1–4096 bytes of UTF-8, not only whitespace.
        ///   - topK: How many results at most (1–100; 10 when `nil`).
        ///   - mode: How to rank (``SearchMode/hybrid`` when `nil`).
        ///   - filters: A metadata filter, e.g. `["topic": "ui", "priority": ["$gte": 2], "tags": ["$in": ["a"]]]`,
        ///     with `$eq $ne $gt $gte $lt $lte $in $nin $exists` and `$and`/`$or` arrays.
        ///   - minScore: Leave out results scoring below this.
        /// - Returns: The results, best first.
        public func search(query: String, topK: Int? = nil, mode: SearchMode? = nil, filters: JSONValue? = nil,
                           minScore: Double? = nil) async throws -> [SearchHit] {
            let body = SearchRequestBody(query: query, topK: topK, mode: mode?.rawValue, filters: filters, minScore: minScore)
            return try await transport.call(.POST, "/v1/memories/search", body: body, as: SearchResponse.self).results
        }

        /// `/v1/memories/{id}` with the id percent-encoded; an empty id is not found without asking.
        static func memoryPath(_ id: String) throws -> String {
            guard !id.isEmpty else { throw NeuroloomError.notFound(message: "Not found.", requestId: nil) }
            return "/v1/memories/" + Transport.segment(id)
        }
    }

    /// Every memory of a partition, newest first, fetched page by page. Made by
    /// ``Memories/list(limit:cursor:)``.
    public struct MemorySequence: AsyncSequence, Sendable {
        /// A memory.
        public typealias Element = MemoryRecord

        let memories: Memories
        let pageSize: Int?
        let start: String?

        /// An iterator starting at the sequence's cursor (the newest memory when none).
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(memories: memories, pageSize: pageSize, cursor: start)
        }

        /// Fetches the next page when the current one is used up.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let memories: Memories
            let pageSize: Int?
            private var page: [MemoryRecord] = []
            private var position = 0
            private var cursor: String?
            private var finished = false

            init(memories: Memories, pageSize: Int?, cursor: String?) {
                self.memories = memories
                self.pageSize = pageSize
                self.cursor = cursor
            }

            /// The next memory, or `nil` after the last page. Throws ``NeuroloomError`` or `CancellationError`.
            public mutating func next() async throws -> MemoryRecord? {
                while position >= page.count {
                    if finished { return nil }
                    try Task.checkCancellation()
                    let next = try await memories.page(limit: pageSize, cursor: cursor)
                    page = next.memories
                    position = 0
                    // The last page has no cursor. An empty page, or a cursor that does not move, ends
                    // the walk too, so a misbehaving server cannot make this loop forever.
                    if let nextCursor = next.nextCursor, !nextCursor.isEmpty, nextCursor != cursor, !next.memories.isEmpty {
                        cursor = nextCursor
                    } else {
                        finished = true
                    }
                }
                let memory = page[position]
                position += 1
                return memory
            }
        }
    }

    /// The API key calls, as `client.keys` (all need an `admin` key; they act on the key's own
    /// workspace and environment).
    public struct Keys: Sendable {
        let transport: Transport

        /// Creates a key: `POST /v1/keys`.
        ///
        /// - Parameters:
        ///   - name: 1–100 characters, no control characters.
        ///   - scope: What the key may do.
        ///   - expiresAt: When it stops working (ISO 8601, in the future, e.g. `2027-01-01T00:00:00Z`); `nil` for never.
        /// - Returns: The key's record with its secret ``CreatedAPIKey/key`` — the only time it is shown.
        public func create(name: String, scope: KeyScope, expiresAt: String? = nil) async throws -> CreatedAPIKey {
            let body = CreateKeyRequest(name: name, scope: scope.rawValue, expiresAt: expiresAt)
            return try await transport.call(.POST, "/v1/keys", body: body, as: CreatedAPIKey.self)
        }

        /// The environment's active keys, oldest first, never their secrets: `GET /v1/keys`.
        public func list() async throws -> [APIKeyInfo] {
            try await transport.call(.GET, "/v1/keys", as: KeyList.self).keys
        }

        /// Revokes a key, in force from the next request: `DELETE /v1/keys/{id}`.
        ///
        /// - Throws: ``NeuroloomError/conflict(message:requestId:)`` for the environment's last admin key;
        ///   ``NeuroloomError/notFound(message:requestId:)`` for an unknown or already revoked key.
        public func revoke(id: String) async throws {
            guard !id.isEmpty else { throw NeuroloomError.notFound(message: "Not found.", requestId: nil) }
            try await transport.callWithoutContent(.DELETE, "/v1/keys/" + Transport.segment(id))
        }
    }
}
