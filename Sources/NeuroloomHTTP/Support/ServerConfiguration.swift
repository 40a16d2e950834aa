import Logging
import NeuroloomStore

/// Everything the server can be told, with documented defaults. The `neuroloom serve` flags and
/// the `NEUROLOOM_*` environment variables map onto it in one place (the executable's ServeCommand).
public struct ServerConfiguration: Sendable {
    /// Data root. Default `./data`.
    public var dataDirectory = "./data"
    /// Listen address. Default 127.0.0.1 (loopback only).
    public var host = "127.0.0.1"
    /// Listen port. Default 8080; 0 picks a free port.
    public var port = 8080
    /// Sustained requests per second per API key. Default 50.
    public var rateLimit: Double = 50
    /// Requests a key may make at once before the sustained rate applies. Default 100.
    public var rateBurst = 100
    /// Largest accepted request body. Default 1 MiB.
    public var maxBodyBytes = 1 << 20
    /// Create a `default` workspace and print its admin keys when the data directory is empty. Default on.
    public var bootstrap = true
    /// Storage settings (open-partition cap, map sizes, memory limits).
    public var storage = StorageConfiguration()
    /// Log level. Default `.info`.
    public var logLevel: Logger.Level = .info
    /// How often LMDB reader slots left by dead processes are reclaimed (`mdb_reader_check`) in the
    /// control environment and every open partition. Default 30 s.
    public var staleReaderSweepInterval: Duration = .seconds(30)

    public init() {}
}
