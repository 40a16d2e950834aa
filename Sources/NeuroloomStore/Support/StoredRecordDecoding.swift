// Read-only access to the on-disk record formats, for offline tools (`neuroloom-inspect`) that read
// the LMDB environments directly, beside the server. Decoding only: nothing here can write a record,
// and nothing here grants access to a workspace through the store's APIs.

extension ULID {
    /// A ULID from its 16 stored bytes (an LMDB key), or `nil` for any other length.
    public init?(storedBytes bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.init(bytes: bytes)
    }
}

extension Memory {
    /// Decodes the record stored under `id` in a partition's `memories` database.
    /// Throws ``StoreError/corruptRecord(_:)`` if the bytes are not a memory record this release reads.
    public init(decodingRecord bytes: UnsafeRawBufferPointer, id: MemoryID, workspaceID: WorkspaceID) throws(StoreError) {
        do {
            try self.init(id: id, workspaceID: workspaceID, decoding: bytes)
        } catch {
            throw StoreError(wrapping: error)
        }
    }
}

extension Workspace {
    /// Decodes the record stored under `id` in the control environment's `workspaces` database.
    public init(decodingRecord bytes: UnsafeRawBufferPointer, id: WorkspaceID) throws(StoreError) {
        do {
            try self.init(id: id, decoding: bytes)
        } catch {
            throw StoreError(wrapping: error)
        }
    }
}

extension APIKeyRecord {
    /// Decodes the record stored under `id` in the control environment's `keys` database
    /// (key metadata only: secrets are never stored, digests live in another database).
    public init(decodingRecord bytes: UnsafeRawBufferPointer, id: KeyID) throws(StoreError) {
        do {
            try self.init(id: id, decoding: bytes)
        } catch {
            throw StoreError(wrapping: error)
        }
    }
}

/// Format versions this release reads and writes, as stored under `meta["schema"]`.
public enum StoredFormat {
    /// The control environment's schema version.
    public static var controlSchemaVersion: UInt64 { ControlStore.schemaVersion }
    /// A partition environment's schema version.
    public static var partitionSchemaVersion: UInt64 { Partition.schemaVersion }
}
