import LMDB
import NeuroloomStore

/// `stats`: LMDB's own figures for one partition: per named database, and for the environment.
public struct StatsReport: Codable, Sendable, Equatable {
    public struct DatabaseFigures: Codable, Sendable, Equatable {
        public var name: String
        public var entries: Int
        public var depth: Int
        public var branchPages: Int
        public var leafPages: Int
        public var overflowPages: Int
    }

    public var workspace: String
    public var environment: String
    public var path: String
    /// The map size recorded in the environment (what the server last grew it to).
    public var mapSize: Int
    /// Bytes up to the last page in use.
    public var usedBytes: Int
    /// Size of `data.mdb` on disk.
    public var fileBytes: Int
    public var pageSize: Int
    public var lastTransactionID: Int
    public var maxReaders: Int
    /// Reader-table slots ever used (LMDB's high-water mark, `me_numreaders`).
    public var readerSlotsUsed: Int
    /// Slots holding a reader now, across all processes.
    public var readers: [ReaderSlot]
    /// Slots of dead processes freed (`mdb_reader_check`) when this tool opened the environment.
    public var staleReadersCleared: Int
    public var databases: [DatabaseFigures]

    public var table: TextTable {
        TextTable(header: ["DATABASE", "ENTRIES", "DEPTH", "BRANCH", "LEAF", "OVERFLOW"], rows: databases.map {
            [$0.name, String($0.entries), String($0.depth), String($0.branchPages), String($0.leafPages), String($0.overflowPages)]
        })
    }

    /// How far a reader's snapshot lags: both figures are read from the environment's files, so the
    /// difference is computed without trapping (`?` if it does not fit).
    static func transactionsBehind(_ last: Int, _ snapshot: Int) -> String {
        let (difference, overflow) = last.subtractingReportingOverflow(snapshot)
        return overflow ? "?" : String(difference)
    }

    /// The environment-wide figures, one `name: value` line each, printed above the table.
    public var summary: [String] {
        let active = readers.filter { $0.transactionID != nil }
        let oldest = active.compactMap(\.transactionID).min()
        return [
            "workspace: \(workspace) (\(environment))",
            "path: \(path)",
            "map size: \(ByteCount.format(mapSize)), used: \(ByteCount.format(usedBytes)), file: \(ByteCount.format(fileBytes)), page: \(pageSize) B",
            "last transaction: \(lastTransactionID)",
            "readers: \(active.count) active, \(readers.count) slots held, \(readerSlotsUsed) of \(maxReaders) slots ever used, "
                + "\(staleReadersCleared) stale cleared" + (oldest.map { ", oldest snapshot \(Self.transactionsBehind(lastTransactionID, $0)) transactions behind" } ?? ""),
        ]
    }
}

extension Inspector {
    /// LMDB figures of one partition. One read transaction covers every database.
    public func stats(workspace: WorkspaceID, environment: WorkspaceEnvironment) throws(InspectError) -> StatsReport {
        try requireWorkspace(workspace)
        return try withPartition(workspace, environment) { reader throws(InspectError) in
            let environmentHandle = reader.environment
            do {
                let names = try environmentHandle.databaseNames()
                let databases: [Database<RawBytes, RawBytes>] = try names.map { try environmentHandle.openDatabase(named: $0) }
                let figures = try environmentHandle.read { txn in
                    try databases.map { database in
                        let stat = try database.statistics(in: txn)
                        return StatsReport.DatabaseFigures(name: database.name, entries: stat.entries, depth: stat.depth,
                                                           branchPages: stat.branchPages, leafPages: stat.leafPages, overflowPages: stat.overflowPages)
                    }
                }
                let info = try environmentHandle.info()
                return StatsReport(
                    workspace: workspace.description, environment: environment.rawValue, path: reader.path,
                    mapSize: info.mapSize, usedBytes: info.checkedUsedBytes, fileBytes: ReadOnlyEnvironment.fileSize(path: reader.path),
                    pageSize: Int(info.pageSize), lastTransactionID: info.lastTransactionID, maxReaders: Int(info.maxReaders),
                    readerSlotsUsed: Int(info.readersInUse), readers: try environmentHandle.readers(),
                    staleReadersCleared: environmentHandle.staleReadersClearedAtOpen, databases: figures)
            } catch {
                throw InspectError(wrapping: error, path: reader.path)
            }
        }
    }
}

extension EnvironmentInfo {
    /// Bytes up to the last page, `(last page + 1) × page size`, as ``usedBytes`` computes it but
    /// saturating: the page number is read from the file's meta page, which this tool must not trust.
    var checkedUsedBytes: Int {
        let (pages, overflow1) = lastPageNumber.addingReportingOverflow(1)
        let (bytes, overflow2) = pages.multipliedReportingOverflow(by: Int(pageSize))
        return overflow1 || overflow2 ? Int.max : bytes
    }
}
