import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A separate process (Python with ctypes over Debian's liblmdb, not our wrapper) that opens an LMDB
/// environment and begins read transactions until the reader table is full, then sleeps holding
/// them. ``kill()`` sends SIGKILL, leaving its slots stale, as a crashed reader would.
public final class ReaderSlotHolder: @unchecked Sendable {
    // @unchecked Sendable: immutable after init; `Process` is only signalled and waited on.
    let process = Process()
    /// Reader slots the process holds.
    public let slots: Int

    static let script = """
        import ctypes, ctypes.util, sys, time
        lib = ctypes.CDLL(ctypes.util.find_library("lmdb") or "liblmdb.so.0")
        env = ctypes.c_void_p()
        assert lib.mdb_env_create(ctypes.byref(env)) == 0
        MDB_RDONLY, MDB_NOTLS = 0x20000, 0x200000
        rc = lib.mdb_env_open(env, sys.argv[1].encode(), MDB_RDONLY | MDB_NOTLS, 0o600)
        assert rc == 0, rc
        held = []
        while True:
            txn = ctypes.c_void_p()
            if lib.mdb_txn_begin(env, None, MDB_RDONLY, ctypes.byref(txn)) != 0:
                break
            held.append(txn)
        print(len(held), flush=True)
        time.sleep(120)
        """

    public init(environment: String, scratch: TemporaryDirectory) throws {
        let path = scratch.path + "/hold-readers.py"
        try Self.script.write(toFile: path, atomically: true, encoding: .utf8)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path, environment]
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.availableLine()
        guard let count = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw HolderFailed(output: line)
        }
        slots = count
    }

    public struct HolderFailed: Error { public let output: String }

    public func kill() throws {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}

extension FileHandle {
    /// Reads up to the first newline (or end of file).
    public func availableLine() -> String {
        var bytes: [UInt8] = []
        while let chunk = try? read(upToCount: 1), let byte = chunk.first {
            if byte == 0x0A { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
