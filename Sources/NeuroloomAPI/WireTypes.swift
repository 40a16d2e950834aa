// The REST API's JSON shapes as `Codable` values, shared by every Swift client of the API (the
// `NeuroloomClient` SDK, tests) so that a client and the server's contract cannot drift apart.
// Property names are the JSON member names exactly; no key strategy is needed to encode or decode.
//
// Optional request members are encoded only when set (the synthesized `encodeIfPresent`), never as
// `null`. The server writes its responses directly as bytes (NeuroloomHTTP's `ResponseJSON`); these
// types describe the same members, and the client tests decode real server responses with them.

// MARK: - Responses

/// A stored memory: `{id, content, metadata, createdAt, updatedAt, workspaceId}`.
public struct MemoryRecord: Codable, Sendable, Hashable {
    /// `mem_` + a 26-character lower-case ULID; ids sort by creation time.
    public var id: String
    /// The memory's text (1 byte – 32 KiB of UTF-8).
    public var content: String
    /// The memory's metadata: always a JSON object (`{}` when none was given).
    public var metadata: JSONValue
    /// Creation time, ISO 8601 UTC with milliseconds (`2026-11-26T23:28:00.123Z`).
    public var createdAt: String
    /// Time of the last change, ISO 8601 UTC with milliseconds.
    public var updatedAt: String
    /// The workspace the memory belongs to (`ws_…`).
    public var workspaceId: String

    /// Creates a memory record (clients receive these from the server; tests may build them).
    public init(id: String, content: String, metadata: JSONValue, createdAt: String, updatedAt: String, workspaceId: String) {
        self.id = id
        self.content = content
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.workspaceId = workspaceId
    }
}

/// One page of `GET /v1/memories`: `{memories, nextCursor}`, newest first.
public struct MemoryList: Codable, Sendable, Hashable {
    /// The page's memories, newest first.
    public var memories: [MemoryRecord]
    /// Opaque cursor for the next page; `nil` (JSON `null`) on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(memories: [MemoryRecord], nextCursor: String?) {
        self.memories = memories
        self.nextCursor = nextCursor
    }
}

/// One search result: `{id, content, score, metadata, createdAt, updatedAt}`.
public struct SearchHit: Codable, Sendable, Hashable {
    /// The memory's id.
    public var id: String
    /// The memory's text.
    public var content: String
    /// Relevance in (0, 1], rounded to 6 decimal places.
    public var score: Double
    /// The memory's metadata object.
    public var metadata: JSONValue
    /// Creation time, ISO 8601 UTC with milliseconds.
    public var createdAt: String
    /// Time of the last change, ISO 8601 UTC with milliseconds.
    public var updatedAt: String

    /// Creates a search result.
    public init(id: String, content: String, score: Double, metadata: JSONValue, createdAt: String, updatedAt: String) {
        self.id = id
        self.content = content
        self.score = score
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The body of `POST /v1/memories/search`'s answer: `{results}`, best first.
public struct SearchResponse: Codable, Sendable, Hashable {
    /// At most `topK` results, best first.
    public var results: [SearchHit]

    /// Creates a search response.
    public init(results: [SearchHit]) {
        self.results = results
    }
}

/// `GET /v1/workspace`: `{id, name, environment, memoryCount, createdAt}`.
public struct WorkspaceInfo: Codable, Sendable, Hashable {
    /// `ws_` + a 26-character ULID.
    public var id: String
    /// The workspace's name.
    public var name: String
    /// The partition the calling key belongs to: `live` or `test`.
    public var environment: String
    /// Memories in this environment's partition.
    public var memoryCount: Int
    /// Creation time, ISO 8601 UTC with milliseconds.
    public var createdAt: String

    /// Creates a workspace description.
    public init(id: String, name: String, environment: String, memoryCount: Int, createdAt: String) {
        self.id = id
        self.name = name
        self.environment = environment
        self.memoryCount = memoryCount
        self.createdAt = createdAt
    }
}

/// An API key as `GET /v1/keys` lists it: never the secret.
public struct APIKeyInfo: Codable, Sendable, Hashable {
    /// `key_` + a 26-character ULID. Not a secret.
    public var id: String
    /// The key's name.
    public var name: String
    /// `read`, `write` or `admin`.
    public var scope: String
    /// `live` or `test`.
    public var environment: String
    /// Identifies the key without revealing it, e.g. `nlk_live_4Jm2…9xZq`.
    public var preview: String
    /// Creation time, ISO 8601 UTC with milliseconds.
    public var createdAt: String
    /// When the key stops working; `nil` for never.
    public var expiresAt: String?
    /// When the key was last used (recorded at most once a minute); `nil` if never.
    public var lastUsedAt: String?

    /// Creates a key description.
    public init(id: String, name: String, scope: String, environment: String, preview: String, createdAt: String,
                expiresAt: String? = nil, lastUsedAt: String? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.environment = environment
        self.preview = preview
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// The answer to `POST /v1/keys`: the key's record and, this one time only, its secret `key`.
public struct CreatedAPIKey: Codable, Sendable, Hashable {
    /// `key_` + a 26-character ULID.
    public var id: String
    /// The key's name.
    public var name: String
    /// `read`, `write` or `admin`.
    public var scope: String
    /// `live` or `test` (the creating key's environment).
    public var environment: String
    /// The secret (`nlk_live_…` / `nlk_test_…`). Shown once; store it safely.
    public var key: String
    /// Identifies the key without revealing it.
    public var preview: String
    /// Creation time, ISO 8601 UTC with milliseconds.
    public var createdAt: String
    /// When the key stops working; `nil` for never.
    public var expiresAt: String?

    /// Creates a created-key answer.
    public init(id: String, name: String, scope: String, environment: String, key: String, preview: String,
                createdAt: String, expiresAt: String? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.environment = environment
        self.key = key
        self.preview = preview
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// `GET /v1/keys`: `{keys}`, the partition's active keys, oldest first.
public struct KeyList: Codable, Sendable, Hashable {
    /// Active keys, oldest first; never secrets.
    public var keys: [APIKeyInfo]

    /// Creates a key list.
    public init(keys: [APIKeyInfo]) {
        self.keys = keys
    }
}

/// `POST /v1/memories/batch`'s answer: `{memories}`, in request order.
public struct BatchCreateResponse: Codable, Sendable, Hashable {
    /// The created memories, in the order they were sent.
    public var memories: [MemoryRecord]

    /// Creates a batch answer.
    public init(memories: [MemoryRecord]) {
        self.memories = memories
    }
}

/// Every error response's body: `{"error":{"code","message","requestId"}}`.
public struct ErrorEnvelope: Codable, Sendable, Hashable {
    /// The `error` member.
    public struct Detail: Codable, Sendable, Hashable {
        /// Stable machine-readable code: `unauthorized`, `forbidden`, `rate_limited`, `not_found`,
        /// `invalid_request`, `payload_too_large`, `conflict`, `unsupported_media_type`,
        /// `unavailable` or `internal`.
        public var code: String
        /// Readable; names the field for `invalid_request`. Never contains a secret.
        public var message: String
        /// The request's id, also sent as the `X-Request-Id` header and logged by the server.
        public var requestId: String

        /// Creates an error detail.
        public init(code: String, message: String, requestId: String) {
            self.code = code
            self.message = message
            self.requestId = requestId
        }
    }

    /// The error.
    public var error: Detail

    /// Creates an error envelope.
    public init(error: Detail) {
        self.error = error
    }
}

// MARK: - Requests

/// `POST /v1/memories` and each item of a batch: `{content, metadata?}`.
public struct CreateMemoryRequest: Codable, Sendable, Hashable {
    /// The memory's text: 1 byte – 32 KiB of UTF-8, not only whitespace.
    public var content: String
    /// A JSON object of at most 16 KiB and 8 levels; absent means `{}`.
    public var metadata: JSONValue?

    /// Creates a memory to store. `metadata` reads naturally as a literal: `["topic": "ui", "priority": 2]`.
    public init(content: String, metadata: JSONValue? = nil) {
        self.content = content
        self.metadata = metadata
    }
}

/// `PATCH /v1/memories/{id}`: `{content?, metadata?}`, at least one; metadata replaces the old object whole.
public struct UpdateMemoryRequest: Codable, Sendable, Hashable {
    /// The new text, or `nil` to keep it.
    public var content: String?
    /// The new metadata object (replacing the old one whole), or `nil` to keep it.
    public var metadata: JSONValue?

    /// Creates a change; the server refuses one that sets neither member.
    public init(content: String? = nil, metadata: JSONValue? = nil) {
        self.content = content
        self.metadata = metadata
    }
}

/// `POST /v1/memories/batch`: `{memories}`, 1–100 memories created all or nothing.
public struct BatchCreateRequest: Codable, Sendable, Hashable {
    /// The memories to create.
    public var memories: [CreateMemoryRequest]

    /// Creates a batch.
    public init(memories: [CreateMemoryRequest]) {
        self.memories = memories
    }
}

/// `POST /v1/memories/search`: `{query, topK?, mode?, filters?, minScore?}`.
public struct SearchRequestBody: Codable, Sendable, Hashable {
    /// What to look for: 1–4096 bytes of UTF-8, not only whitespace.
    public var query: String
    /// How many results at most (1–100; the server's default is 10).
    public var topK: Int?
    /// `hybrid` (the server's default), `semantic` or `keyword`.
    public var mode: String?
    /// A metadata filter, e.g. `["topic": "ui", "priority": ["$gte": 2]]`.
    public var filters: JSONValue?
    /// Results scoring below this are left out.
    public var minScore: Double?

    /// Creates a search request; unset members are left out of the JSON.
    public init(query: String, topK: Int? = nil, mode: String? = nil, filters: JSONValue? = nil, minScore: Double? = nil) {
        self.query = query
        self.topK = topK
        self.mode = mode
        self.filters = filters
        self.minScore = minScore
    }
}

/// `POST /v1/keys`: `{name, scope, expiresAt?}`.
public struct CreateKeyRequest: Codable, Sendable, Hashable {
    /// 1–100 characters after trimming whitespace, no control characters.
    public var name: String
    /// `read`, `write` or `admin`.
    public var scope: String
    /// When the key stops working (ISO 8601, in the future), or `nil` for never.
    public var expiresAt: String?

    /// Creates a key request.
    public init(name: String, scope: String, expiresAt: String? = nil) {
        self.name = name
        self.scope = scope
        self.expiresAt = expiresAt
    }
}
