/// A tenant. Its memories live in two partitions (``WorkspaceEnvironment``), each its own LMDB environment.
public struct Workspace: Sendable, Equatable {
    public let id: WorkspaceID
    public var name: String
    public let createdAt: Timestamp

    public init(id: WorkspaceID, name: String, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }

    static let recordVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(Workspace.recordVersion)
        writer.write(name)
        writer.write(createdAt)
        return writer.bytes
    }

    init(id: WorkspaceID, decoding bytes: UnsafeRawBufferPointer) throws {
        var reader = BinaryReader(bytes, what: "workspace")
        guard try reader.readByte() == Workspace.recordVersion else { throw StoreError.corruptRecord("workspace") }
        self.id = id
        self.name = try reader.readString()
        self.createdAt = try reader.readTimestamp()
        guard reader.isAtEnd else { throw StoreError.corruptRecord("workspace") }
    }
}

/// What the store keeps about an API key. Never the secret; the digest is stored separately, as the index key.
public struct APIKeyRecord: Sendable, Equatable {
    public let id: KeyID
    public var name: String
    public let workspaceID: WorkspaceID
    public let environment: WorkspaceEnvironment
    public let scope: Scope
    public let createdAt: Timestamp
    public let expiresAt: Timestamp?
    public var revokedAt: Timestamp?
    public var lastUsedAt: Timestamp?
    /// `nlk_live_ab12…9xZq`: enough to recognise the key, not enough to use it.
    public let preview: String

    /// Not revoked and not expired at `now`.
    public func isActive(at now: Timestamp) -> Bool {
        guard revokedAt == nil else { return false }
        if let expiresAt, expiresAt <= now { return false }
        return true
    }

    static let recordVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        writer.write(APIKeyRecord.recordVersion)
        writer.write(bytes: workspaceID.ulid.bytes)
        writer.write(environment.rawValue)
        writer.write(scope.rawValue)
        writer.write(name)
        writer.write(preview)
        writer.write(createdAt)
        writer.write(expiresAt)
        writer.write(revokedAt)
        writer.write(lastUsedAt)
        return writer.bytes
    }

    init(id: KeyID, name: String, workspaceID: WorkspaceID, environment: WorkspaceEnvironment, scope: Scope,
         createdAt: Timestamp, expiresAt: Timestamp?, revokedAt: Timestamp?, lastUsedAt: Timestamp?, preview: String) {
        self.id = id
        self.name = name
        self.workspaceID = workspaceID
        self.environment = environment
        self.scope = scope
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
        self.preview = preview
    }

    init(id: KeyID, decoding bytes: UnsafeRawBufferPointer) throws {
        var reader = BinaryReader(bytes, what: "key")
        guard try reader.readByte() == APIKeyRecord.recordVersion else { throw StoreError.corruptRecord("key") }
        self.id = id
        let workspaceBytes = Array(try reader.readBytes())
        guard workspaceBytes.count == 16 else { throw StoreError.corruptRecord("key") }
        self.workspaceID = WorkspaceID(ulid: ULID(bytes: workspaceBytes))  // 16 bytes: checked above
        guard let environment = WorkspaceEnvironment(rawValue: try reader.readString()),
              let scope = Scope(rawValue: try reader.readString())
        else { throw StoreError.corruptRecord("key") }
        self.environment = environment
        self.scope = scope
        self.name = try reader.readString()
        self.preview = try reader.readString()
        self.createdAt = try reader.readTimestamp()
        self.expiresAt = try reader.readOptionalTimestamp()
        self.revokedAt = try reader.readOptionalTimestamp()
        self.lastUsedAt = try reader.readOptionalTimestamp()
        guard reader.isAtEnd else { throw StoreError.corruptRecord("key") }
    }
}

/// A key just created: its record and the secret, which exists nowhere else and is shown once.
public struct CreatedKey: Sendable {
    public let record: APIKeyRecord
    public let secret: APIKeySecret
}

