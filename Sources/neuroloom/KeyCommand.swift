import ArgumentParser
@_spi(Operator) import NeuroloomStore

extension Scope: ExpressibleByArgument {}
extension WorkspaceEnvironment: ExpressibleByArgument {}

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key (the secret is printed once).")
        @Option(help: "Workspace id (ws_…).") var workspace: String
        @Option(help: "read, write or admin.") var scope: Scope
        @Option(name: .customLong("env"), help: "live or test.") var environment: WorkspaceEnvironment
        @Option(help: "A name to recognise the key by.") var name: String
        @Option(help: "Expiry time, ISO 8601 (e.g. 2027-01-01T00:00:00Z).") var expires: String?
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let workspaceID = WorkspaceID(workspace) else { throw OperatorError("not a workspace id: \(workspace)") }
            var expiresAt: Timestamp?
            if let expires {
                guard let parsed = Timestamp(iso8601: expires) else { throw OperatorError("--expires is not an ISO 8601 time: \(expires)") }
                expiresAt = parsed
            }
            let control = try data.openControl()
            let created: CreatedKey
            do throws(StoreError) {
                created = try control.createKey(workspace: workspaceID, environment: environment, scope: scope, name: name, expiresAt: expiresAt)
            } catch .notFound {
                throw OperatorError("no workspace \(workspaceID)")
            }
            if json {
                try printJSON(CreatedKeyOutput(created))
            } else {
                print("Created \(created.record.scope.rawValue) key \(created.record.id) for \(workspaceID) (\(created.record.environment.rawValue)).")
                print("Key: \(created.secret.value)")
                print("This key will not be shown again.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's keys (never secrets).")
        @Option(help: "Workspace id (ws_…).") var workspace: String
        @OptionGroup var data: DataOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let workspaceID = WorkspaceID(workspace) else { throw OperatorError("not a workspace id: \(workspace)") }
            let control = try data.openControl()
            guard try control.workspace(workspaceID) != nil else { throw OperatorError("no workspace \(workspaceID)") }
            let keys = try control.keys(workspace: workspaceID)
            if json {
                try printJSON(["keys": keys.map(KeyOutput.init)])
            } else {
                printTable(["ID", "NAME", "SCOPE", "ENV", "PREVIEW", "CREATED", "EXPIRES", "REVOKED", "LAST USED"], keys.map { key in
                    [key.id.description, key.name, key.scope.rawValue, key.environment.rawValue, key.preview,
                     key.createdAt.iso8601, key.expiresAt?.iso8601 ?? "-", key.revokedAt?.iso8601 ?? "-", key.lastUsedAt?.iso8601 ?? "-"]
                })
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key. It stops working on the next request.")
        @Argument(help: "Key id (key_…).") var keyID: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            guard let id = KeyID(keyID) else { throw OperatorError("not a key id: \(keyID)") }
            let control = try data.openControl()
            do {
                let record = try control.revokeKey(id)
                print("Revoked \(record.id) (\(record.name)).")
            } catch .notFound {
                throw OperatorError("no key \(id)")
            }
        }
    }
}

struct KeyOutput: Encodable {
    let id, name, scope, environment, preview, createdAt: String
    let expiresAt, revokedAt, lastUsedAt: String?

    init(_ key: APIKeyRecord) {
        id = key.id.description
        name = key.name
        scope = key.scope.rawValue
        environment = key.environment.rawValue
        preview = key.preview
        createdAt = key.createdAt.iso8601
        expiresAt = key.expiresAt?.iso8601
        revokedAt = key.revokedAt?.iso8601
        lastUsedAt = key.lastUsedAt?.iso8601
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(scope, forKey: .scope)
        try container.encode(environment, forKey: .environment)
        try container.encode(preview, forKey: .preview)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
    }

    enum CodingKeys: String, CodingKey { case id, name, scope, environment, preview, createdAt, expiresAt, revokedAt, lastUsedAt }
}

struct CreatedKeyOutput: Encodable {
    let id, name, scope, environment, key, preview, createdAt: String
    let expiresAt: String?

    init(_ created: CreatedKey) {
        id = created.record.id.description
        name = created.record.name
        scope = created.record.scope.rawValue
        environment = created.record.environment.rawValue
        key = created.secret.value
        preview = created.record.preview
        createdAt = created.record.createdAt.iso8601
        expiresAt = created.record.expiresAt?.iso8601
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(scope, forKey: .scope)
        try container.encode(environment, forKey: .environment)
        try container.encode(key, forKey: .key)
        try container.encode(preview, forKey: .preview)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }

    enum CodingKeys: String, CodingKey { case id, name, scope, environment, key, preview, createdAt, expiresAt }
}
