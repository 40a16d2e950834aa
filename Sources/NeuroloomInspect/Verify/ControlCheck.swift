import LMDB
import NeuroloomStore

/// Checks the control environment in one read transaction: schema version, every workspace and key
/// record decodes, and the key indexes (`keyDigests`, `workspaceKeys`) agree with the key records.
struct ControlCheck {
    /// Workspaces with a record (decodable or not).
    var workspaces: Set<WorkspaceID> = []
    var problems: [VerifyProblem] = []

    init(_ control: ControlReader) throws(InspectError) {
        (workspaces, problems) = try control.read { txn in
            let list = ProblemList()
            Self.checkSchema(control, list, txn)
            let workspaces = try Self.checkWorkspaces(control, list, txn)
            let keys = try Self.checkKeys(control, workspaces, list, txn)
            try Self.checkDigests(control, keys, list, txn)
            try Self.checkWorkspaceKeys(control, keys, list, txn)
            return (workspaces, list.problems)
        }
    }

    private static func checkSchema(_ control: ControlReader, _ list: ProblemList, _ txn: ReadTransaction) {
        let stored = (try? control.meta.get(Array(Layout.schemaKey.utf8), in: txn)).flatMap { IndexFormat.bigEndianUInt64($0) }
        if stored != StoredFormat.controlSchemaVersion {
            list.add(.unsupportedSchema, "control schema is \(stored.map(String.init) ?? "missing"), this release reads \(StoredFormat.controlSchemaVersion)")
        }
    }

    private static func checkWorkspaces(_ control: ControlReader, _ list: ProblemList, _ txn: ReadTransaction) throws -> Set<WorkspaceID> {
        var ids: Set<WorkspaceID> = []
        try control.workspaces.forEach(in: txn) { key, value in
            guard let ulid = ULID(storedBytes: key) else {
                list.add(.malformedKey, "workspaces key of \(key.count) bytes")
                return true
            }
            let id = WorkspaceID(ulid: ulid)
            ids.insert(id)
            if (try? ControlReader.decodeWorkspace(key: key, value: value)) == nil {
                list.add(.corruptRecord, workspace: id, "workspace record does not decode")
            }
            return true
        }
        return ids
    }

    /// Every key's workspace, by key id.
    private static func checkKeys(_ control: ControlReader, _ workspaces: Set<WorkspaceID>, _ list: ProblemList,
                                  _ txn: ReadTransaction) throws -> [KeyID: WorkspaceID?] {
        var keys: [KeyID: WorkspaceID?] = [:]
        try control.keys.forEach(in: txn) { key, value in
            guard let ulid = ULID(storedBytes: key) else {
                list.add(.malformedKey, "keys key of \(key.count) bytes")
                return true
            }
            let id = KeyID(ulid: ulid)
            guard let record = try? ControlReader.decodeKey(key: key, value: value) else {
                keys[id] = .some(nil)
                list.add(.corruptRecord, "key \(id): record does not decode")
                return true
            }
            keys[id] = record.workspaceID
            if !workspaces.contains(record.workspaceID) {
                list.add(.keyForMissingWorkspace, workspace: record.workspaceID, "key \(id) belongs to a workspace with no record")
            }
            return true
        }
        return keys
    }

    private static func checkDigests(_ control: ControlReader, _ keys: [KeyID: WorkspaceID?], _ list: ProblemList, _ txn: ReadTransaction) throws {
        var digestCounts: [KeyID: Int] = [:]
        try control.keyDigests.forEach(in: txn) { digest, value in
            guard digest.count == 32 else {
                list.add(.malformedKey, "keyDigests key of \(digest.count) bytes (a SHA-256 digest has 32)")
                return true
            }
            guard let ulid = ULID(storedBytes: value) else {
                list.add(.malformedValue, "keyDigests value of \(value.count) bytes (a key id has 16)")
                return true
            }
            let id = KeyID(ulid: ulid)
            if keys[id] == nil {
                list.add(.danglingKeyDigest, "a keyDigests entry points at \(id), which has no record")
            }
            digestCounts[id, default: 0] += 1
            return true
        }
        for (id, workspace) in keys.sorted(by: { $0.key < $1.key }) where digestCounts[id, default: 0] != 1 {
            list.add(.keyDigestCountMismatch, workspace: workspace, "key \(id) is the target of \(digestCounts[id, default: 0]) keyDigests entries (expected 1)")
        }
    }

    private static func checkWorkspaceKeys(_ control: ControlReader, _ keys: [KeyID: WorkspaceID?], _ list: ProblemList, _ txn: ReadTransaction) throws {
        var listed: Set<KeyID> = []
        try control.workspaceKeys.forEach(in: txn) { key, _ in
            guard key.count == 32, let workspaceULID = ULID(storedBytes: key[..<16]), let keyULID = ULID(storedBytes: key[16...]) else {
                list.add(.malformedKey, "workspaceKeys key of \(key.count) bytes (expected 32)")
                return true
            }
            let workspace = WorkspaceID(ulid: workspaceULID)
            let id = KeyID(ulid: keyULID)
            switch keys[id] {
            case .none:
                list.add(.danglingWorkspaceKey, workspace: workspace, "workspaceKeys lists \(id), which has no record")
            case .some(.some(let owner)) where owner != workspace:
                list.add(.danglingWorkspaceKey, workspace: workspace, "workspaceKeys lists \(id) under this workspace, but it belongs to \(owner)")
            default:
                listed.insert(id)
            }
            return true
        }
        for (id, workspace) in keys.sorted(by: { $0.key < $1.key }) where !listed.contains(id) {
            list.add(.keyNotListed, workspace: workspace, "key \(id) has no workspaceKeys entry")
        }
    }
}
