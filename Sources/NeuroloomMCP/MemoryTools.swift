import Logging
import MCP
import NeuroloomAPI
import NeuroloomHTTP
import NeuroloomStore

/// One MCP tool: what `tools/list` shows, the scope a key needs to call it, and what it does.
public struct MemoryTool: Sendable {
    /// The tool as `tools/list` describes it (name, description, JSON Schema of its input).
    public let tool: Tool
    /// The least scope a key needs to see and call the tool.
    public let scope: Scope
    /// Runs the tool: JSON arguments in, the JSON bytes the matching REST route returns out.
    let run: @Sendable (MemoryOperations, [String: JSONValue], WorkspaceGrant) async throws -> [UInt8]

    public var name: String { tool.name }
}

/// The six memory tools, over ``MemoryOperations`` — the same code path (validation, limits,
/// errors, response JSON) as the REST routes.
///
/// Arguments are converted to ``JSONValue`` and checked by ``JSONArguments`` exactly as a REST body
/// is (unknown members are refused, naming the member). A tool's text content is exactly the JSON
/// the matching REST route sends; any failure is a tool result with `isError: true` and the text
/// `"<code>: <message>"` (e.g. `invalid_request: content must not be empty`).
public struct MemoryToolbox: Sendable {
    public let operations: MemoryOperations
    /// In `tools/list` order.
    public let tools: [MemoryTool]
    private let logger: Logger

    public init(operations: MemoryOperations, logger: Logger = Logger(label: "neuroloom.mcp")) {
        self.operations = operations
        self.logger = logger
        tools = MemoryToolbox.makeTools(limits: operations.storage.configuration.limits)
    }

    public func tool(named name: String) -> MemoryTool? {
        tools.first { $0.name == name }
    }

    /// The tools a key of `scope` may call, in `tools/list` order.
    public func allowedTools(for scope: Scope) -> [MemoryTool] {
        tools.filter { scope.allows($0.scope) }
    }

    /// Runs `tool` for `grant` (whose scope the caller has checked). Never throws: every failure
    /// becomes an `isError` result.
    ///
    /// `exactArguments`, when given, are the call's arguments parsed from the raw JSON-RPC message
    /// (see ``NeuroloomMCPServer``); otherwise the SDK's decoded `arguments` are converted.
    public func call(_ tool: MemoryTool, arguments: [String: Value]?, exactArguments: [String: JSONValue]? = nil,
                     grant: WorkspaceGrant) async -> CallTool.Result {
        let members: [String: JSONValue] = exactArguments ?? (arguments ?? [:]).mapValues { JSONValue(mcp: $0) }
        do {
            let bytes = try await tool.run(operations, members, grant)
            return CallTool.Result(content: [.text(text: String(decoding: bytes, as: UTF8.self), annotations: nil, _meta: nil)],
                                   isError: false)
        } catch {
            let apiError = APIError(error)
            if apiError.code == "internal" {
                logger.error("MCP tool failed", metadata: ["tool": "\(tool.name)", "error": "\(String(describing: type(of: error)))"])
            }
            return MemoryToolbox.errorResult(apiError)
        }
    }

    /// A tool result with `isError: true` and the text `"<code>: <message>"`.
    public static func errorResult(_ error: APIError) -> CallTool.Result {
        CallTool.Result(content: [.text(text: "\(error.code): \(error.message)", annotations: nil, _meta: nil)], isError: true)
    }

    // MARK: Implementations

    static let listFields: Set<String> = ["limit", "cursor"]

    /// Splits the required string `id` off the arguments; the rest are checked by the caller.
    static func takeID(_ members: [String: JSONValue]) throws -> (id: String, rest: [String: JSONValue]) {
        var rest = members
        switch rest.removeValue(forKey: "id") {
        case .some(.string(let id)): return (id, rest)
        case .none, .some(.null): throw StoreError.invalid(field: "id", message: "is required")
        case .some: throw StoreError.invalid(field: "id", message: "must be a string")
        }
    }

    static func create(_ operations: MemoryOperations, _ members: [String: JSONValue], _ grant: WorkspaceGrant) async throws -> [UInt8] {
        try await operations.create(try JSONArguments(members: members, allowed: MemoryOperations.createFields), grant: grant)
    }

    static func search(_ operations: MemoryOperations, _ members: [String: JSONValue], _ grant: WorkspaceGrant) async throws -> [UInt8] {
        try await operations.search(try JSONArguments(members: members, allowed: MemoryOperations.searchFields), grant: grant)
    }

    static func get(_ operations: MemoryOperations, _ members: [String: JSONValue], _ grant: WorkspaceGrant) async throws -> [UInt8] {
        let (id, rest) = try takeID(members)
        _ = try JSONArguments(members: rest, allowed: [])
        return try await operations.get(id: id, grant: grant)
    }

    static func update(_ operations: MemoryOperations, _ members: [String: JSONValue], _ grant: WorkspaceGrant) async throws -> [UInt8] {
        let (id, rest) = try takeID(members)
        return try await operations.update(id: id, try JSONArguments(members: rest, allowed: MemoryOperations.updateFields), grant: grant)
    }

    static func delete(_ operations: MemoryOperations, _ members: [String: JSONValue], _ grant: WorkspaceGrant) async throws -> [UInt8] {
        let (id, rest) = try takeID(members)
        _ = try JSONArguments(members: rest, allowed: [])
        try await operations.delete(id: id, grant: grant)
        // The id parsed (or delete would have thrown not_found): report it in canonical form.
        var bytes = Array(#"{"id":"#.utf8)
        JSONWriter.writeString(MemoryID(id)?.description ?? id, into: &bytes)
        bytes.append(contentsOf: #","deleted":true}"#.utf8)
        return bytes
    }

    static func list(_ operations: MemoryOperations, _ members: [String: JSONValue], _ grant: WorkspaceGrant) async throws -> [UInt8] {
        let arguments = try JSONArguments(members: members, allowed: listFields)
        var limit: Int?
        switch arguments.members["limit"] {
        case .none, .some(.null): limit = nil
        // Never `Int(someDouble)` unchecked: 1e300 or -1e300 saturate and are refused as out of range.
        case .some(.integer(let value)): limit = Int(exactly: value) ?? (value < 0 ? Int.min : Int.max)
        case .some(.number(let value)) where value.isFinite && value == value.rounded():
            limit = Int(exactly: value) ?? (value < 0 ? Int.min : Int.max)
        case .some: throw StoreError.invalid(field: "limit", message: "must be an integer")
        }
        var cursor: String?
        switch arguments.members["cursor"] {
        case .none, .some(.null): cursor = nil
        case .some(.string(let text)): cursor = text
        case .some: throw StoreError.invalid(field: "cursor", message: "must be a string")
        }
        return try await operations.list(limit: limit, cursor: cursor, grant: grant)
    }

    // MARK: Descriptions and schemas

    static let filterHelp = """
        `filters` keeps only memories whose metadata matches. Each member names a metadata field \
        (dots reach into nested objects: "user.id") and gives a value (equality; against an array \
        field it matches when the array contains the value) or an object of operators: $eq $ne \
        $gt $gte $lt $lte (numbers) $in $nin (arrays of values) $exists (true/false). All members \
        must hold; "$and" / "$or" take arrays of such objects. Example: \
        {"topic": "ui", "priority": {"$gte": 2}, "$or": [{"tags": "editor"}, {"user.id": {"$exists": true}}]}
        """

    static func makeTools(limits: MemoryLimits) -> [MemoryTool] {
        let memoryShape = "A memory is {id, content, metadata, createdAt, updatedAt, workspaceId}."
        return [
            MemoryTool(
                tool: Tool(
                    name: "memory_search",
                    title: "Search memories",
                    description: """
                        Search this workspace's long-term memories by meaning and keywords. Call it \
                        BEFORE answering anything that may depend on what was learned earlier (the \
                        user's preferences, the project's facts and decisions), and BEFORE creating \
                        a memory, to find one to update instead of storing a duplicate. Returns \
                        {"results": [{id, content, score, metadata, createdAt, updatedAt}]}, best \
                        first, score 0…1. An empty list means nothing relevant is stored. \
                        \(filterHelp)
                        """,
                    inputSchema: objectSchema([
                        "query": stringSchema("What to look for, in natural language or keywords.", minLength: 1,
                                              maxLength: SearchRequest.maximumQueryBytes),
                        "topK": integerSchema("How many results at most (default 10).", minimum: 1, maximum: 100, default: 10),
                        "filters": .object([
                            "type": .string("object"),
                            "description": .string("Metadata conditions every result must meet (see the tool description)."),
                        ]),
                        "mode": .object([
                            "type": .string("string"),
                            "enum": .array([.string("hybrid"), .string("semantic"), .string("keyword")]),
                            "default": .string("hybrid"),
                            "description": .string("hybrid (default) ranks by meaning and keywords; semantic by meaning only; keyword by exact terms."),
                        ]),
                        "minScore": .object([
                            "type": .string("number"),
                            "minimum": .int(0),
                            "maximum": .int(1),
                            "description": .string("Drop results scoring below this (0…1)."),
                        ]),
                    ], required: ["query"]),
                    annotations: .init(title: "Search memories", readOnlyHint: true, openWorldHint: false)),
                scope: .read, run: { try await MemoryToolbox.search($0, $1, $2) }),
            MemoryTool(
                tool: Tool(
                    name: "memory_create",
                    title: "Store a memory",
                    description: """
                        Store one new long-term memory in this workspace: a single self-contained \
                        fact, preference, decision or event, written so it makes sense later without \
                        this conversation. Search first (memory_search): if a memory on the same \
                        subject exists, update it (memory_update) rather than storing a duplicate or \
                        a contradiction. Put structured facets you may filter on later in metadata, \
                        e.g. {"topic": "ui", "priority": 2, "tags": ["editor"]}. Returns the new \
                        memory, with the id to use in memory_get/update/delete. \(memoryShape)
                        """,
                    inputSchema: objectSchema([
                        "content": stringSchema("The memory's text (not only whitespace; at most \(limits.maxContentBytes) bytes of UTF-8).",
                                                minLength: 1, maxLength: limits.maxContentBytes),
                        "metadata": metadataSchema(limits),
                    ], required: ["content"]),
                    annotations: .init(title: "Store a memory", readOnlyHint: false, destructiveHint: false,
                                       idempotentHint: false, openWorldHint: false)),
                scope: .write, run: { try await MemoryToolbox.create($0, $1, $2) }),
            MemoryTool(
                tool: Tool(
                    name: "memory_get",
                    title: "Get a memory",
                    description: """
                        Fetch one memory by its id (mem_…, as returned by memory_search, memory_list \
                        or memory_create). Returns the memory, or the error not_found if no memory \
                        with that id is in this workspace. \(memoryShape)
                        """,
                    inputSchema: objectSchema(["id": stringSchema("The memory's id, mem_…")], required: ["id"]),
                    annotations: .init(title: "Get a memory", readOnlyHint: true, openWorldHint: false)),
                scope: .read, run: { try await MemoryToolbox.get($0, $1, $2) }),
            MemoryTool(
                tool: Tool(
                    name: "memory_update",
                    title: "Update a memory",
                    description: """
                        Change a memory's content, metadata or both, when a stored fact has changed or \
                        was incomplete (find it with memory_search first). Metadata is replaced as a \
                        whole, not merged: send every field it should keep. Give at least one of \
                        content and metadata. Returns the updated memory. \(memoryShape)
                        """,
                    inputSchema: objectSchema([
                        "id": stringSchema("The memory's id, mem_…"),
                        "content": stringSchema("The new text (replaces the old).", minLength: 1, maxLength: limits.maxContentBytes),
                        "metadata": metadataSchema(limits),
                    ], required: ["id"]),
                    annotations: .init(title: "Update a memory", readOnlyHint: false, destructiveHint: true,
                                       idempotentHint: true, openWorldHint: false)),
                scope: .write, run: { try await MemoryToolbox.update($0, $1, $2) }),
            MemoryTool(
                tool: Tool(
                    name: "memory_delete",
                    title: "Delete a memory",
                    description: """
                        Permanently delete a memory by id: for a memory that is wrong, obsolete, or \
                        that the user asked to forget. This cannot be undone; to correct a memory, \
                        prefer memory_update. Returns {"id": …, "deleted": true}, or not_found.
                        """,
                    inputSchema: objectSchema(["id": stringSchema("The memory's id, mem_…")], required: ["id"]),
                    annotations: .init(title: "Delete a memory", readOnlyHint: false, destructiveHint: true,
                                       idempotentHint: true, openWorldHint: false)),
                scope: .write, run: { try await MemoryToolbox.delete($0, $1, $2) }),
            MemoryTool(
                tool: Tool(
                    name: "memory_list",
                    title: "List memories",
                    description: """
                        List this workspace's memories, newest first, one page at a time. Returns \
                        {"memories": […], "nextCursor": …}; pass nextCursor back as cursor for the \
                        next page (null means there are no more). To find something specific, use \
                        memory_search instead. \(memoryShape)
                        """,
                    inputSchema: objectSchema([
                        "limit": integerSchema("Page size (default \(limits.defaultPageSize)).", minimum: 1,
                                               maximum: limits.maxPageSize, default: limits.defaultPageSize),
                        "cursor": stringSchema("nextCursor from the previous page; omit for the first page."),
                    ], required: []),
                    annotations: .init(title: "List memories", readOnlyHint: true, openWorldHint: false)),
                scope: .read, run: { try await MemoryToolbox.list($0, $1, $2) }),
        ]
    }

    static func objectSchema(_ properties: [String: Value], required: [String]) -> Value {
        var schema: [String: Value] = [
            "type": .string("object"),
            "properties": .object(properties),
            "additionalProperties": .bool(false),
        ]
        if !required.isEmpty {
            schema["required"] = .array(required.map { Value.string($0) })
        }
        return .object(schema)
    }

    static func stringSchema(_ description: String, minLength: Int? = nil, maxLength: Int? = nil) -> Value {
        var schema: [String: Value] = ["type": .string("string"), "description": .string(description)]
        if let minLength { schema["minLength"] = .int(minLength) }
        if let maxLength { schema["maxLength"] = .int(maxLength) }
        return .object(schema)
    }

    static func integerSchema(_ description: String, minimum: Int, maximum: Int, default value: Int) -> Value {
        .object([
            "type": .string("integer"),
            "minimum": .int(minimum),
            "maximum": .int(maximum),
            "default": .int(value),
            "description": .string(description),
        ])
    }

    static func metadataSchema(_ limits: MemoryLimits) -> Value {
        .object([
            "type": .string("object"),
            "description": .string("""
                Any JSON object (at most \(limits.maxMetadataDepth) levels deep and \(limits.maxMetadataBytes) bytes \
                encoded) of facets to filter on in memory_search, e.g. {"topic": "ui", "priority": 2, "tags": ["editor"]}.
                """),
        ])
    }
}

extension JSONValue {
    /// The MCP SDK's `Value` as the API's JSON value. The SDK decodes a string that looks like a
    /// data URL (`data:…,…`) as `.data`; it is turned back into a string here, though not always
    /// byte for byte — which is why ``NeuroloomMCPServer`` prefers the raw message's arguments.
    init(mcp value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .integer(Int64(number))  // Int is 64 bits on every supported platform
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .data: self = .string(value.description)
        case .array(let items): self = .array(items.map(JSONValue.init(mcp:)))
        case .object(let members): self = .object(members.mapValues(JSONValue.init(mcp:)))
        }
    }
}
