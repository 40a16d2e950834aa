@_spi(Operator) import LMDB

/// The control environment: workspaces and API keys (stored by digest, never as secrets).
///
/// Named databases:
/// - `meta`: `schema` → format version;
/// - `workspaces`: workspace ULID bytes → workspace record;
/// - `keys`: key ULID bytes → key record;
/// - `keyDigests`: SHA-256 of the secret → key ULID bytes (the only way from a presented key to a record);
/// - `workspaceKeys`: workspace ULID bytes ‖ key ULID bytes → empty (keys of a workspace, by prefix).
///
/// Safe to use from several processes at once (the server and the operator CLI): every read is a
/// fresh LMDB snapshot, so a key revoked by one process is refused by all from the next read.
public final class ControlStore: Sendable {
    public static let schemaVersion: UInt64 = 1

    let environment: Environment
    let meta: Database<UTF8Text, BigEndianUInt64>
    let workspaces: Database<RawBytes, RawBytes>
    let keys: Database<RawBytes, RawBytes>
    let keyDigests: Database<RawBytes, RawBytes>
    let workspaceKeys: Database<RawBytes, EmptyValue>
    public let clock: StoreClock
    public let directory: DataDirectory

    /// Opens (creating if needed) `<root>/control`. With `readOnly`, nothing on disk changes.
    public init(directory: DataDirectory, clock: StoreClock = .system, readOnly: Bool = false) throws(StoreError) {
        self.directory = directory
        self.clock = clock
        var options = EnvironmentOptions()
        options.mapSize = 8 << 20
        options.readOnly = readOnly
        let opened = try StoreError.mapping { () throws -> (Environment, Database<UTF8Text, BigEndianUInt64>, Database<RawBytes, RawBytes>, Database<RawBytes, RawBytes>, Database<RawBytes, RawBytes>, Database<RawBytes, EmptyValue>) in
            let environment = try Environment(path: directory.controlPath, options: options)
            return (
                environment,
                try environment.openDatabase(named: "meta"),
                try environment.openDatabase(named: "workspaces"),
                try environment.openDatabase(named: "keys"),
                try environment.openDatabase(named: "keyDigests"),
                try environment.openDatabase(named: "workspaceKeys")
            )
        }
        (environment, meta, workspaces, keys, keyDigests, workspaceKeys) = opened
        if !readOnly {
            try StoreError.mapping {
                try environment.write { txn in
                    if let version = try meta.get("schema", in: txn) {
                        guard version == ControlStore.schemaVersion else {
                            throw StoreError.conflict("control schema version \(version) is not supported (expected \(ControlStore.schemaVersion))")
                        }
                    } else {
                        try meta.put(ControlStore.schemaVersion, forKey: "schema", in: txn)
                    }
                }
            }
        }
    }

    /// Closes the control environment now (waiting for open transactions). Later calls fail.
    public func close() {
        environment.close()
    }

    // MARK: Workspaces (operator)
    //
    // Everything that acts on a bare workspace or key id, without a grant, is operator SPI:
    // only the CLI (`@_spi(Operator) import NeuroloomStore`) can call it; the server modules cannot.

    /// On an empty data directory, creates the `default` workspace and returns its two admin keys
    /// (the only time they can be shown); otherwise `nil`.
    @_spi(Operator)
    public func bootstrapIfEmpty() throws(StoreError) -> (workspace: Workspace, live: CreatedKey, test: CreatedKey)? {
        guard try allWorkspaces().isEmpty else { return nil }
        return try createWorkspace(name: "default")
    }

    /// Creates a workspace and one admin key for each of its partitions. The secrets are returned once.
    @_spi(Operator)
    public func createWorkspace(name: String) throws(StoreError) -> (workspace: Workspace, live: CreatedKey, test: CreatedKey) {
        let name = try Validation.name(name, field: "name")
        let now = clock.now()
        let workspace = Workspace(id: .generate(now: now), name: name, createdAt: now)
        let live = makeKey(workspace: workspace.id, environment: .live, scope: .admin, name: "Default admin key (live)", expiresAt: nil, now: now)
        let test = makeKey(workspace: workspace.id, environment: .test, scope: .admin, name: "Default admin key (test)", expiresAt: nil, now: now)
        try StoreError.mapping {
            try environment.write { txn in
                try workspaces.put(workspace.encoded(), forKey: workspace.id.ulid.bytes, in: txn, noOverwrite: true)
                try insert(live, in: txn)
                try insert(test, in: txn)
            }
        }
        return (workspace, live, test)
    }

    /// Creates one workspace per name, each with an admin key per partition, all in one write
    /// transaction (all or nothing; one fsync instead of one per workspace). The secrets are
    /// returned once, in the order of `names`.
    @_spi(Operator)
    public func createWorkspaces(names: [String]) throws(StoreError) -> [(workspace: Workspace, live: CreatedKey, test: CreatedKey)] {
        var validated: [String] = []
        validated.reserveCapacity(names.count)
        for name in names { validated.append(try Validation.name(name, field: "name")) }
        let now = clock.now()
        let created = validated.map { name in
            let workspace = Workspace(id: .generate(now: now), name: name, createdAt: now)
            let live = makeKey(workspace: workspace.id, environment: .live, scope: .admin, name: "Default admin key (live)", expiresAt: nil, now: now)
            let test = makeKey(workspace: workspace.id, environment: .test, scope: .admin, name: "Default admin key (test)", expiresAt: nil, now: now)
            return (workspace: workspace, live: live, test: test)
        }
        try StoreError.mapping {
            try environment.write { txn in
                for (workspace, live, test) in created {
                    try workspaces.put(workspace.encoded(), forKey: workspace.id.ulid.bytes, in: txn, noOverwrite: true)
                    try insert(live, in: txn)
                    try insert(test, in: txn)
                }
            }
        }
        return created
    }

    /// The workspace, or `nil`.
    @_spi(Operator)
    public func workspace(_ id: WorkspaceID) throws(StoreError) -> Workspace? {
        try StoreError.mapping {
            try environment.read { txn in
                try workspaces.withValue(forKey: id.ulid.bytes, in: txn) { bytes in
                    try bytes.map { try Workspace(id: id, decoding: $0) }
                }
            }
        }
    }

    /// Every workspace, oldest first.
    @_spi(Operator)
    public func allWorkspaces() throws(StoreError) -> [Workspace] {
        try StoreError.mapping {
            try environment.read { txn in
                var result: [Workspace] = []
                try workspaces.forEach(in: txn) { key, value in
                    guard key.count == 16 else { throw StoreError.corruptRecord("workspace") }
                    let id = WorkspaceID(ulid: ULID(bytes: key))
                    result.append(try value.withUnsafeBytes { try Workspace(id: id, decoding: $0) })
                    return true
                }
                return result
            }
        }
    }

    // MARK: Keys (operator)

    /// Creates a key in `workspace`'s `environment` partition. The secret is in the result, once.
    @_spi(Operator)
    public func createKey(
        workspace: WorkspaceID, environment keyEnvironment: WorkspaceEnvironment, scope: Scope,
        name: String, expiresAt: Timestamp? = nil
    ) throws(StoreError) -> CreatedKey {
        let name = try Validation.name(name, field: "name")
        let now = clock.now()
        if let expiresAt, expiresAt <= now {
            throw .invalid(field: "expiresAt", message: "must be in the future")
        }
        let created = makeKey(workspace: workspace, environment: keyEnvironment, scope: scope, name: name, expiresAt: expiresAt, now: now)
        try StoreError.mapping {
            try environment.write { txn in
                guard try workspaces.contains(workspace.ulid.bytes, in: txn) else { throw StoreError.notFound }
                try insert(created, in: txn)
            }
        }
        return created
    }

    /// The workspace's keys (both partitions unless `environment` is given), oldest first.
    /// With `activeOnly`, revoked and expired keys are left out.
    @_spi(Operator)
    public func keys(workspace: WorkspaceID, environment keyEnvironment: WorkspaceEnvironment? = nil, activeOnly: Bool = false) throws(StoreError) -> [APIKeyRecord] {
        let now = clock.now()
        return try StoreError.mapping {
            try environment.read { txn in
                try keyRecords(workspace: workspace, in: txn).filter { record in
                    (keyEnvironment == nil || record.environment == keyEnvironment) && (!activeOnly || record.isActive(at: now))
                }
            }
        }
    }

    /// One key's record, or `nil`.
    @_spi(Operator)
    public func key(_ id: KeyID) throws(StoreError) -> APIKeyRecord? {
        try StoreError.mapping {
            try environment.read { txn in try keyRecord(id, in: txn) }
        }
    }

    /// Revokes a key (operator: no last-admin protection). Idempotent; throws ``StoreError/notFound``
    /// for an unknown id.
    @discardableResult
    @_spi(Operator)
    public func revokeKey(_ id: KeyID) throws(StoreError) -> APIKeyRecord {
        try revoke(id) { _, _ in }
    }

    // MARK: Through a grant (what the server may do)

    /// The grant's own workspace (`nil` only if it was deleted under a live key).
    public func workspace(for grant: WorkspaceGrant) throws(StoreError) -> Workspace? {
        try workspace(grant.workspaceID)
    }

    /// Creates a key in the grant's own workspace and environment (a test key can never mint a live key).
    public func createKey(for grant: WorkspaceGrant, name: String, scope: Scope, expiresAt: Timestamp?) throws(StoreError) -> CreatedKey {
        guard grant.scope.allows(.admin) else { throw .forbidden(required: .admin) }
        return try createKey(workspace: grant.workspaceID, environment: grant.environment, scope: scope, name: name, expiresAt: expiresAt)
    }

    /// Active keys of the grant's workspace environment.
    public func activeKeys(for grant: WorkspaceGrant) throws(StoreError) -> [APIKeyRecord] {
        guard grant.scope.allows(.admin) else { throw .forbidden(required: .admin) }
        return try keys(workspace: grant.workspaceID, environment: grant.environment, activeOnly: true)
    }

    /// Revokes a key of the grant's workspace environment. Another partition's key id is ``StoreError/notFound``;
    /// revoking the partition's last active admin key is a ``StoreError/conflict(_:)``.
    @discardableResult
    public func revokeKey(_ id: KeyID, for grant: WorkspaceGrant) throws(StoreError) -> APIKeyRecord {
        guard grant.scope.allows(.admin) else { throw .forbidden(required: .admin) }
        let now = clock.now()
        return try revoke(id) { record, txn in
            guard record.workspaceID == grant.workspaceID, record.environment == grant.environment,
                  record.isActive(at: now)
            else { throw StoreError.notFound }
            if record.scope == .admin {
                let otherAdmins = try keyRecords(workspace: record.workspaceID, in: txn).filter {
                    $0.id != record.id && $0.environment == record.environment && $0.scope == .admin && $0.isActive(at: now)
                }
                if otherAdmins.isEmpty {
                    throw StoreError.conflict("cannot revoke the last active admin key of this workspace environment")
                }
            }
        }
    }

    // MARK: Used by the resolver

    /// The record of the key whose secret has this digest, read in `txn`.
    func keyRecord(digest: [UInt8], in txn: some Transaction) throws -> APIKeyRecord? {
        guard let idBytes = try keyDigests.get(digest, in: txn), idBytes.count == 16 else { return nil }
        return try keyRecord(KeyID(ulid: ULID(bytes: idBytes)), in: txn)
    }

    func keyRecord(_ id: KeyID, in txn: some Transaction) throws -> APIKeyRecord? {
        try keys.withValue(forKey: id.ulid.bytes, in: txn) { bytes in
            try bytes.map { try APIKeyRecord(id: id, decoding: $0) }
        }
    }

    /// Records `lastUsedAt` for several keys in one write transaction.
    func recordLastUse(_ uses: [KeyID: Timestamp]) throws {
        try environment.write { txn in
            for (id, time) in uses {
                guard var record = try keyRecord(id, in: txn) else { continue }
                if let previous = record.lastUsedAt, previous >= time { continue }
                record.lastUsedAt = time
                try keys.put(record.encoded(), forKey: id.ulid.bytes, in: txn)
            }
        }
    }

    // MARK: Private

    private func makeKey(workspace: WorkspaceID, environment: WorkspaceEnvironment, scope: Scope, name: String, expiresAt: Timestamp?, now: Timestamp) -> CreatedKey {
        let secret = APIKeySecret.generate(environment: environment)
        let record = APIKeyRecord(
            id: .generate(now: now), name: name, workspaceID: workspace, environment: environment, scope: scope,
            createdAt: now, expiresAt: expiresAt, revokedAt: nil, lastUsedAt: nil, preview: secret.preview)
        return CreatedKey(record: record, secret: secret)
    }

    private func insert(_ created: CreatedKey, in txn: WriteTransaction) throws {
        let id = created.record.id.ulid.bytes
        try keys.put(created.record.encoded(), forKey: id, in: txn, noOverwrite: true)
        try keyDigests.put(id, forKey: created.secret.digest, in: txn, noOverwrite: true)
        try workspaceKeys.put((), forKey: created.record.workspaceID.ulid.bytes + id, in: txn, noOverwrite: true)
    }

    private func keyRecords(workspace: WorkspaceID, in txn: some Transaction) throws -> [APIKeyRecord] {
        let prefix = workspace.ulid.bytes
        var records: [APIKeyRecord] = []
        try workspaceKeys.forEach(in: txn, from: prefix) { key, _ in
            guard key.count == 32, key.starts(with: prefix) else { return false }
            if let record = try keyRecord(KeyID(ulid: ULID(bytes: Array(key[16...]))), in: txn) {
                records.append(record)
            }
            return true
        }
        return records
    }

    private func revoke(_ id: KeyID, check: (APIKeyRecord, WriteTransaction) throws -> Void) throws(StoreError) -> APIKeyRecord {
        let now = clock.now()
        return try StoreError.mapping {
            try environment.write { txn in
                guard var record = try keyRecord(id, in: txn) else { throw StoreError.notFound }
                try check(record, txn)
                if record.revokedAt == nil {
                    record.revokedAt = now
                    try keys.put(record.encoded(), forKey: id.ulid.bytes, in: txn)
                }
                return record
            }
        }
    }
}
