import Foundation
@_spi(Operator) import LMDB
@_spi(Operator) import NeuroloomStore

/// Opens environments the only way the inspector ever does: `MDB_RDONLY`, never creating anything,
/// adopting the map size recorded in the file. Such an environment cannot begin a write
/// transaction; LMDB touches only its lock file (reader slots).
enum ReadOnlyEnvironment {
    static var options: EnvironmentOptions {
        var options = EnvironmentOptions()
        options.readOnly = true
        options.createDirectory = false
        options.mapSize = 0
        options.maxDatabases = 64
        return options
    }

    /// Opens the environment in directory `path`; `missing` is thrown when there is no `data.mdb`.
    static func open(path: String, missing: InspectError) throws(InspectError) -> Environment {
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else { throw missing }
        do {
            return try Environment(path: path, options: options)
        } catch {
            throw .storage(path: path, error)
        }
    }

    /// The named database `name`, or an absent table if the environment has none by that name.
    static func table(_ name: String, in environment: Environment) throws(InspectError) -> StoredTable {
        do {
            return StoredTable(name: name, database: try environment.openDatabase(named: name))
        } catch LMDBError.notFound {
            return StoredTable(name: name, database: nil)
        } catch {
            throw InspectError(wrapping: error, path: environment.path)
        }
    }

    /// Size of the environment's `data.mdb` on disk, in bytes (0 if it cannot be read).
    static func fileSize(path: String) -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }
}

extension InspectError {
    /// `error` as an inspect error: inspect errors as they are, LMDB failures tagged with `path`,
    /// undecodable records as ``corruptRecord(_:)``.
    init(wrapping error: any Error, path: String) {
        switch error {
        case let error as InspectError: self = error
        case let error as LMDBError: self = .storage(path: path, error)
        case let error as StoreError:
            if case .storage(let lmdb) = error { self = .storage(path: path, lmdb) } else { self = .corruptRecord("\(path): \(error)") }
        default: self = .fileSystem("\(path): \(error)")
        }
    }
}

/// A reader over one read-only environment: scoped read transactions with errors mapped to
/// ``InspectError``, and an explicit close.
protocol EnvironmentReader {
    var path: String { get }
    var environment: Environment { get }
}

extension EnvironmentReader {
    /// Closes the environment now (the process may then open it again).
    func close() { environment.close() }

    /// Runs `body` in one read transaction, mapping every failure to an ``InspectError``.
    func read<T>(_ body: (ReadTransaction) throws -> T) throws(InspectError) -> T {
        do {
            return try environment.read(body)
        } catch {
            throw InspectError(wrapping: error, path: path)
        }
    }
}
