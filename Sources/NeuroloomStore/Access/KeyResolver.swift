import Crypto
import Dispatch
import LMDB
import Synchronization

/// Permission to use one workspace partition: the only way into a workspace's data.
///
/// Only ``KeyResolver`` can create one (the initializer is `fileprivate` to this file), and it is
/// deliberately not `Codable`: a grant cannot be decoded, deserialised or assembled from a bare
/// workspace id. Every storage API takes a grant, so code that never resolved a key cannot reach a
/// workspace, and a grant for one partition names no other.
public struct WorkspaceGrant: Sendable, Hashable {
    public let workspaceID: WorkspaceID
    public let environment: WorkspaceEnvironment
    public let scope: Scope
    /// The key this grant was resolved from; writes re-check it just before they commit.
    public let keyID: KeyID
    /// A grant for operator commands on this machine (`neuroloom reindex`), made without a key.
    public let isOperator: Bool
    /// The control environment's last committed transaction when the key was resolved: while it
    /// has not changed, nothing (no revocation) can have happened to the key since.
    let controlTransactionID: Int
    /// When the key expires (`nil`: never), as recorded when it was resolved.
    let expiresAt: Timestamp?

    fileprivate init(workspaceID: WorkspaceID, environment: WorkspaceEnvironment, scope: Scope, keyID: KeyID,
                     controlTransactionID: Int, expiresAt: Timestamp?, isOperator: Bool = false) {
        self.workspaceID = workspaceID
        self.environment = environment
        self.scope = scope
        self.keyID = keyID
        self.controlTransactionID = controlTransactionID
        self.expiresAt = expiresAt
        self.isOperator = isOperator
    }

    /// Grants are equal when they name the same partition, scope and key (the control transaction
    /// they were resolved at is bookkeeping, not identity).
    public static func == (lhs: WorkspaceGrant, rhs: WorkspaceGrant) -> Bool {
        lhs.workspaceID == rhs.workspaceID && lhs.environment == rhs.environment && lhs.scope == rhs.scope
            && lhs.keyID == rhs.keyID && lhs.isOperator == rhs.isOperator
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(workspaceID)
        hasher.combine(environment)
        hasher.combine(scope)
        hasher.combine(keyID)
        hasher.combine(isOperator)
    }
}

/// Why a presented key was refused. Deliberately one case: malformed, unknown, revoked and expired
/// keys are indistinguishable to the caller.
///
/// A key that cannot be checked because the control environment failed (reader table full, an I/O
/// error) is *not* an authentication failure: ``KeyResolver`` throws ``StoreError/unavailable(_:)``
/// then, so that a client is told to retry instead of being told its key is bad.
public struct AuthenticationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String { "invalid API key" }
}

/// Turns a presented API key into a ``WorkspaceGrant``.
///
/// Every call sees the control environment as of its latest commit — a record is reused only
/// while no transaction has committed since it was read — so a revocation or expiry committed by
/// any process takes effect on the very next request.
/// `lastUsedAt` is recorded at most once a minute per key, off the request path.
public final class KeyResolver: Sendable {
    public let control: ControlStore
    /// How stale `lastUsedAt` may get before it is written again.
    public let lastUsedResolutionMilliseconds: Int64

    private let lastUseState = Mutex<LastUseState>(LastUseState())
    /// Key records by digest, each with the control environment's commit id when it was read.
    private let recentRecords = Mutex<[DigestKey: (record: APIKeyRecord, transactionID: Int)]>([:])
    private let lastUseQueue = DispatchQueue(label: "neuroloom.key-last-used")

    private struct LastUseState {
        var written: [KeyID: Timestamp] = [:]
        var pending: [KeyID: Timestamp] = [:]
        var flushScheduled = false
    }

    public init(control: ControlStore, lastUsedResolutionMilliseconds: Int64 = 60_000) {
        self.control = control
        self.lastUsedResolutionMilliseconds = lastUsedResolutionMilliseconds
    }

    /// Resolves `presented` (the whole `nlk_…` string) to a grant.
    ///
    /// Throws ``AuthenticationFailure`` for a key that is malformed, unknown, revoked or expired, and
    /// ``StoreError/unavailable(_:)`` when the control environment cannot be read (never a 401 for that).
    public func resolve(_ presented: some StringProtocol) throws -> WorkspaceGrant {
        guard let secret = APIKeySecret(parsing: presented) else { throw AuthenticationFailure() }
        let now = control.clock.now()
        let (record, transactionID): (APIKeyRecord?, Int)
        do {
            (record, transactionID) = try currentRecord(digest: secret.sha256)
        } catch {
            throw StoreError.unavailableControl(error)
        }
        guard let record, record.environment == secret.environment, record.isActive(at: now) else {
            throw AuthenticationFailure()
        }
        noteUse(of: record, at: now)
        return WorkspaceGrant(workspaceID: record.workspaceID, environment: record.environment, scope: record.scope,
                              keyID: record.id, controlTransactionID: transactionID, expiresAt: record.expiresAt)
    }

    /// The key record for `digest` as of the control environment's latest commit. A record read
    /// before is reused only while no transaction has committed since (any process's commit —
    /// a revocation included — changes the id), so this is exactly as fresh as a new read and
    /// saves a read transaction per request. Unknown digests are not remembered.
    private func currentRecord(digest: SHA256Digest) throws -> (APIKeyRecord?, Int) {
        let committed = try control.environment.lastCommittedTransactionID()
        let cacheKey = DigestKey(digest)
        if let known = recentRecords.withLock({ $0[cacheKey] }), known.transactionID == committed {
            return (known.record, committed)
        }
        guard let record = try control.environment.read({ txn in try control.keyRecord(digest: Array(digest), in: txn) }) else {
            return (nil, committed)
        }
        recentRecords.withLock { recent in
            if recent.count >= KeyResolver.recentRecordLimit { recent.removeAll(keepingCapacity: true) }
            recent[cacheKey] = (record, committed)
        }
        return (record, committed)
    }

    /// A SHA-256 digest as four words: a dictionary key that hashes in four steps, not 32.
    private struct DigestKey: Hashable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(_ digest: SHA256Digest) {
            words = digest.withUnsafeBytes { bytes in
                (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            }
        }

        static func == (lhs: DigestKey, rhs: DigestKey) -> Bool { lhs.words == rhs.words }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
        }
    }

    /// Records kept by ``currentRecord(digest:)`` at most (then forgotten all at once).
    static let recentRecordLimit = 4096

    /// An admin grant on one partition for the local operator (the `neuroloom` CLI, which already
    /// has the data directory). Minted here, like every grant; never from a network request.
    ///
    /// Operator SPI: only the CLI imports it (`@_spi(Operator) import NeuroloomStore`); the server
    /// modules cannot mint a grant without a key.
    @_spi(Operator)
    public func operatorGrant(workspace: WorkspaceID, environment: WorkspaceEnvironment) throws(StoreError) -> WorkspaceGrant {
        guard try control.workspace(workspace) != nil else { throw .notFound }
        return WorkspaceGrant(workspaceID: workspace, environment: environment, scope: .admin,
                              keyID: KeyID(ulid: ULID(high: 0, low: 0)), controlTransactionID: 0, expiresAt: nil, isOperator: true)
    }

    /// Throws unless the grant's key is still active: ``StoreError/unauthorized`` once it has been
    /// revoked or has expired, ``StoreError/unavailable(_:)`` if the control environment cannot be
    /// read. Called inside a partition's write transaction just before it commits (a write whose
    /// key was revoked meanwhile does not commit) and before a response is sent (a read whose key
    /// was revoked meanwhile does not return its data).
    ///
    /// The common case costs one `mdb_env_info`: while the control environment has no commit newer
    /// than the one the grant was resolved at, nothing can have changed the key.
    public func checkStillValid(_ grant: WorkspaceGrant) throws(StoreError) {
        if grant.isOperator { return }
        let now = control.clock.now()
        let active: Bool
        do {
            if try control.environment.lastCommittedTransactionID() == grant.controlTransactionID {
                active = grant.expiresAt.map { now < $0 } ?? true
            } else {
                active = try control.environment.read { txn in
                    try control.keyRecord(grant.keyID, in: txn)?.isActive(at: now) ?? false
                }
            }
        } catch {
            throw StoreError.unavailableControl(error)
        }
        guard active else { throw .unauthorized }
    }

    /// Whether the grant's key is still active (``checkStillValid(_:)``; a control environment that
    /// cannot be read counts as not valid).
    public func isStillValid(_ grant: WorkspaceGrant) -> Bool {
        (try? checkStillValid(grant)) != nil
    }

    /// Writes any pending `lastUsedAt` updates now (tests and shutdown).
    public func flushLastUse() {
        lastUseQueue.sync { self.writePendingLastUse() }
    }

    private func noteUse(of record: APIKeyRecord, at now: Timestamp) {
        let schedule = lastUseState.withLock { state -> Bool in
            let previous = state.written[record.id] ?? record.lastUsedAt
            if let previous, now.millisecondsSinceEpoch - previous.millisecondsSinceEpoch < lastUsedResolutionMilliseconds {
                return false
            }
            state.written[record.id] = now
            state.pending[record.id] = now
            if state.flushScheduled { return false }
            state.flushScheduled = true
            return true
        }
        if schedule {
            lastUseQueue.async { self.writePendingLastUse() }
        }
    }

    private func writePendingLastUse() {
        let pending = lastUseState.withLock { state -> [KeyID: Timestamp] in
            defer { state.pending = [:]; state.flushScheduled = false }
            return state.pending
        }
        guard !pending.isEmpty else { return }
        // Best effort: a failed update only leaves lastUsedAt a little older.
        try? control.recordLastUse(pending)
    }
}
