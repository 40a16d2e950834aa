import LMDB
@_spi(Operator) import NeuroloomStore

/// The control environment (`<root>/control`), opened read-only: workspaces and key metadata.
///
/// Each method runs one short read transaction. Never reads a secret (none is stored) and never
/// returns a digest.
final class ControlReader: EnvironmentReader {
    let path: String
    let environment: Environment
    let meta: StoredTable
    let workspaces: StoredTable
    let keys: StoredTable
    let keyDigests: StoredTable
    let workspaceKeys: StoredTable

    init(directory: DataDirectory) throws(InspectError) {
        path = directory.controlPath
        environment = try ReadOnlyEnvironment.open(path: path, missing: .controlNotFound(path: path))
        meta = try ReadOnlyEnvironment.table(Layout.Control.meta, in: environment)
        workspaces = try ReadOnlyEnvironment.table(Layout.Control.workspaces, in: environment)
        keys = try ReadOnlyEnvironment.table(Layout.Control.keys, in: environment)
        keyDigests = try ReadOnlyEnvironment.table(Layout.Control.keyDigests, in: environment)
        workspaceKeys = try ReadOnlyEnvironment.table(Layout.Control.workspaceKeys, in: environment)
    }

    /// Every workspace, oldest first. A record that does not decode is an error (see `verify`).
    func allWorkspaces() throws(InspectError) -> [Workspace] {
        try read { txn in
            var result: [Workspace] = []
            try workspaces.forEach(in: txn) { key, value in
                result.append(try Self.decodeWorkspace(key: key, value: value))
                return true
            }
            return result
        }
    }

    /// The workspace's record, or `nil`.
    func workspace(_ id: WorkspaceID) throws(InspectError) -> Workspace? {
        try read { txn in
            try workspaces.get(id.ulid.bytes, in: txn).map { try Self.decodeWorkspace(key: id.ulid.bytes, value: $0) }
        }
    }

    /// Every key record (of one workspace if given), oldest first.
    func keyRecords(workspace: WorkspaceID? = nil) throws(InspectError) -> [APIKeyRecord] {
        try read { txn in
            var result: [APIKeyRecord] = []
            try keys.forEach(in: txn) { key, value in
                let record = try Self.decodeKey(key: key, value: value)
                if workspace == nil || record.workspaceID == workspace { result.append(record) }
                return true
            }
            return result
        }
    }

    static func decodeWorkspace(key: [UInt8], value: [UInt8]) throws -> Workspace {
        guard let ulid = ULID(storedBytes: key) else { throw InspectError.corruptRecord("workspace key of \(key.count) bytes") }
        let id = WorkspaceID(ulid: ulid)
        do {
            return try value.withUnsafeBytes { bytes in try Workspace(decodingRecord: bytes, id: id) }
        } catch {
            throw InspectError.corruptRecord("workspace \(id)")
        }
    }

    static func decodeKey(key: [UInt8], value: [UInt8]) throws -> APIKeyRecord {
        guard let ulid = ULID(storedBytes: key) else { throw InspectError.corruptRecord("key id of \(key.count) bytes") }
        let id = KeyID(ulid: ulid)
        do {
            return try value.withUnsafeBytes { bytes in try APIKeyRecord(decodingRecord: bytes, id: id) }
        } catch {
            throw InspectError.corruptRecord("key \(id)")
        }
    }
}
