import NeuroloomStore

/// `keys`: key metadata. Never a secret (none is stored) and never a digest.
public struct KeysReport: Codable, Sendable, Equatable {
    public struct Key: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var workspaceId: String
        public var scope: String
        public var environment: String
        /// `nlk_live_ab12…9xZq`: enough to recognise the key, not to use it.
        public var preview: String
        public var createdAt: String
        public var expiresAt: String?
        public var revokedAt: String?
        public var lastUsedAt: String?
        /// `active`, `revoked` or `expired`.
        public var status: String

        init(_ record: APIKeyRecord, now: Timestamp) {
            id = record.id.description
            name = record.name
            workspaceId = record.workspaceID.description
            scope = record.scope.rawValue
            environment = record.environment.rawValue
            preview = record.preview
            createdAt = record.createdAt.iso8601
            expiresAt = record.expiresAt?.iso8601
            revokedAt = record.revokedAt?.iso8601
            lastUsedAt = record.lastUsedAt?.iso8601
            status = record.revokedAt != nil ? "revoked" : (record.isActive(at: now) ? "active" : "expired")
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(workspaceId, forKey: .workspaceId)
            try container.encode(scope, forKey: .scope)
            try container.encode(environment, forKey: .environment)
            try container.encode(preview, forKey: .preview)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(revokedAt, forKey: .revokedAt)
            try container.encode(lastUsedAt, forKey: .lastUsedAt)
            try container.encode(status, forKey: .status)
        }
    }

    public var keys: [Key]

    public var table: TextTable {
        TextTable(header: ["ID", "WORKSPACE", "NAME", "SCOPE", "ENV", "PREVIEW", "STATUS", "CREATED", "EXPIRES", "REVOKED", "LAST USED"], rows: keys.map {
            [$0.id, $0.workspaceId, $0.name, $0.scope, $0.environment, $0.preview, $0.status, $0.createdAt,
             $0.expiresAt ?? "-", $0.revokedAt ?? "-", $0.lastUsedAt ?? "-"]
        })
    }
}

extension Inspector {
    /// Every key (of one workspace if given), oldest first.
    public func keys(workspace: WorkspaceID? = nil) throws(InspectError) -> KeysReport {
        if let workspace { try requireWorkspace(workspace) }
        let records = try withControl { control throws(InspectError) in try control.keyRecords(workspace: workspace) }
        let now = Timestamp.now()
        return KeysReport(keys: records.map { KeysReport.Key($0, now: now) })
    }
}
