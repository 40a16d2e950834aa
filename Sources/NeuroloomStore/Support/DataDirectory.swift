/// The on-disk layout under one data root:
///
/// ```
/// <root>/control/                        control environment: workspaces, keys (digests only), schema
/// <root>/workspaces/<workspaceId>/live/  a workspace's production partition
/// <root>/workspaces/<workspaceId>/test/  its sandbox partition
/// ```
///
/// Paths are built only from parsed ``WorkspaceID`` values (26 Crockford characters after `ws_`),
/// so no input can steer a path outside the root.
public struct DataDirectory: Sendable, Equatable {
    public let root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root.isEmpty ? "." : root
    }

    public var controlPath: String { root + "/control" }

    public var workspacesPath: String { root + "/workspaces" }

    public func workspacePath(_ workspace: WorkspaceID) -> String {
        workspacesPath + "/" + workspace.description
    }

    /// Operator SPI (the CLI and the offline inspection tool): the server modules reach a partition
    /// only through a ``WorkspaceGrant``, never by path.
    @_spi(Operator)
    public func partitionPath(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment) -> String {
        workspacePath(workspace) + "/" + environment.rawValue
    }
}
