import Foundation
import Synchronization
import NeuroloomTestSupport
@_spi(Operator) @testable import NeuroloomStore

/// A clock tests can move.
final class TestClock: Sendable {
    private let current = Mutex<Int64>(1_790_000_000_000)
    var clock: StoreClock { StoreClock { [self] in Timestamp(millisecondsSinceEpoch: current.withLock { $0 }) } }
    func advance(milliseconds: Int64) { current.withLock { $0 += milliseconds } }
}

/// A complete store in its own temporary directory: control, resolver and storage actor.
struct StoreFixture {
    let directory: TemporaryDirectory
    let control: ControlStore
    let resolver: KeyResolver
    let storage: WorkspaceStorage
    let clock: TestClock

    init(configure: (inout StorageConfiguration) -> Void = { _ in }) throws {
        directory = TemporaryDirectory("store")
        clock = TestClock()
        control = try ControlStore(directory: DataDirectory(root: directory.path), clock: clock.clock)
        resolver = KeyResolver(control: control)
        var configuration = StorageConfiguration()
        configure(&configuration)
        storage = WorkspaceStorage(directory: DataDirectory(root: directory.path), resolver: resolver, configuration: configuration)
    }

    /// A new workspace's id and its live admin grant.
    func workspace(_ name: String = "test") throws -> (id: WorkspaceID, live: WorkspaceGrant, test: WorkspaceGrant) {
        let (workspace, live, test) = try control.createWorkspace(name: name)
        return (workspace.id, try resolver.resolve(live.secret.value), try resolver.resolve(test.secret.value))
    }

    /// A new key and the grant it resolves to.
    func grant(_ workspace: WorkspaceID, _ environment: WorkspaceEnvironment, _ scope: Scope) throws -> (key: CreatedKey, grant: WorkspaceGrant) {
        let key = try control.createKey(workspace: workspace, environment: environment, scope: scope, name: "\(scope) \(environment)")
        return (key, try resolver.resolve(key.secret.value))
    }
}
