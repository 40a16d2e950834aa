import NeuroloomAPI

/// One stored memory, as every feature sees it.
public struct Memory: Sendable, Equatable {
    public let id: MemoryID
    public var content: String
    /// The metadata object in canonical compact JSON (keys sorted), exactly as stored.
    public var metadataJSON: [UInt8]
    public let createdAt: Timestamp
    public var updatedAt: Timestamp
    public let workspaceID: WorkspaceID

    /// The metadata object decoded.
    public var metadata: JSONValue {
        (try? JSONParser.parse(metadataJSON)) ?? .object([:])
    }

    static let recordVersion: UInt8 = 1

    /// `version | createdAt | updatedAt | content (len-prefixed) | metadata JSON (rest)`.
    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 32 + content.utf8.count + metadataJSON.count)
        writer.write(Memory.recordVersion)
        writer.write(createdAt)
        writer.write(updatedAt)
        writer.write(content)
        writer.write(bytes: metadataJSON)
        return writer.bytes
    }

    init(id: MemoryID, content: String, metadataJSON: [UInt8], createdAt: Timestamp, updatedAt: Timestamp, workspaceID: WorkspaceID) {
        self.id = id
        self.content = content
        self.metadataJSON = metadataJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.workspaceID = workspaceID
    }

    init(id: MemoryID, workspaceID: WorkspaceID, decoding bytes: UnsafeRawBufferPointer) throws {
        var reader = BinaryReader(bytes, what: "memory")
        guard try reader.readByte() == Memory.recordVersion else { throw StoreError.corruptRecord("memory") }
        self.id = id
        self.workspaceID = workspaceID
        self.createdAt = try reader.readTimestamp()
        self.updatedAt = try reader.readTimestamp()
        self.content = try reader.readString()
        self.metadataJSON = Array(try reader.readBytes())
        guard reader.isAtEnd else { throw StoreError.corruptRecord("memory") }
    }
}

/// Input to create a memory.
public struct NewMemory: Sendable, Equatable {
    public var content: String
    public var metadata: JSONValue?

    public init(content: String, metadata: JSONValue? = nil) {
        self.content = content
        self.metadata = metadata
    }
}

/// A partial update: `nil` fields stay as they are; metadata, when given, replaces the old object whole.
public struct MemoryPatch: Sendable, Equatable {
    public var content: String?
    public var metadata: JSONValue?

    public init(content: String? = nil, metadata: JSONValue? = nil) {
        self.content = content
        self.metadata = metadata
    }
}

/// One page of a newest-first listing. `nextCursor` is `nil` on the last page.
public struct MemoryPage: Sendable, Equatable {
    public var memories: [Memory]
    public var nextCursor: String?
}

/// Limits on memory input. Defaults are the documented API limits.
public struct MemoryLimits: Sendable, Equatable {
    /// Content length in UTF-8 bytes (at least 1). Default 32 KiB.
    public var maxContentBytes = 32 * 1024
    /// Encoded metadata size in bytes. Default 16 KiB.
    public var maxMetadataBytes = 16 * 1024
    /// Metadata nesting depth; the top-level object counts as 1. Default 8.
    public var maxMetadataDepth = 8
    /// Memories per batch create. Default 100.
    public var maxBatchSize = 100
    /// Largest page a listing returns. Default 100.
    public var maxPageSize = 100
    /// Page size when none is asked for. Default 20.
    public var defaultPageSize = 20

    public init() {}
}
