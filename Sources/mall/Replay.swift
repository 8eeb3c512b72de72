import ArgumentParser
import Engine
import Foundation
import Glibc
import Snapshot

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild state from snapshot + WAL (read-only), print a summary and the state digest.",
        discussion: """
            The operator's recovery tool: see the state a restart would rebuild, or the state as of an LSN \
            or a moment before an incident. With --write-snapshot the rebuilt state is saved as a snapshot \
            (only sensible without limits, or followed by `mall wal truncate --after` the same LSN).
            """)

    @OptionGroup var data: DataOptions
    @Option(help: "Stop after this LSN.") var throughLsn: UInt64?
    @Option(help: "Stop before the first record after this ISO-8601 UTC time, e.g. 2026-11-27T10:00:00Z.") var until: String?
    @Flag(help: "Write the rebuilt state as a snapshot.") var writeSnapshot = false

    func run() throws {
        var configuration = EngineConfiguration(dataDirectory: data.resolvedDataDir)
        configuration.shardCount = data.resolvedShards
        var limit = Recovery.Limit(throughLSN: throughLsn ?? .max)
        if let until {
            guard let date = try? Date.ISO8601FormatStyle().parse(until),
                  let ms = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded(.down)) else {
                throw ValidationError("--until must be ISO-8601, e.g. 2026-11-27T10:00:00Z")
            }
            limit.untilTimeMs = ms
        }
        let (state, report) = try Recovery.rebuild(configuration: configuration, limit: limit)
        print("recovery: \(report)")
        print("state: \(state.summary)")
        print("digest: \(state.digest)")
        if writeSnapshot, let result = try Snapshotter(configuration: configuration).write(state, report: report, clock: SystemClock()) {
            print("snapshot: \(result.snapshot.file)")
        }
    }
}

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take a snapshot now by replaying the durable WAL (safe while the server runs), or list and verify them.")

    @OptionGroup var data: DataOptions
    @Flag(help: "List snapshots and verify each instead of taking one.") var list = false

    func run() throws {
        var configuration = EngineConfiguration(dataDirectory: data.resolvedDataDir)
        configuration.shardCount = data.resolvedShards
        if list {
            let store = SnapshotStore(directory: configuration.snapshotDirectory, retainCount: configuration.snapshotRetainCount)
            for info in try store.list() {
                print("\(info.file) lsn=\(info.lsn) " + (store.verify(info).map { "BAD: \($0)" } ?? "ok"))
            }
            return
        }
        // The server may have written frames it has not synced yet: read, then sync every
        // segment, then write, so the snapshot holds only what the sync made durable.
        let walDirectory = configuration.walDirectory
        guard let result = try Snapshotter(configuration: configuration).takeBesideWriter(syncLog: {
            try syncSegments(in: walDirectory)
        }) else {
            print("nothing new since the newest snapshot")
            return
        }
        print("snapshot: \(result.snapshot.file) lsn=\(result.snapshot.lsn) digest=\(result.digest)")
    }
}

/// fsyncs every WAL segment file (any descriptor of a file flushes its dirty pages).
func syncSegments(in directory: String) throws {
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".seg") {
        let path = directory + "/" + name
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ValidationError("cannot open \(path): errno \(errno)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ValidationError("fsync \(path) failed: errno \(errno)") }
    }
}
