// mall: the one executable. Serves the API and carries the operator's tools:
// WAL inspection and repair, replay, snapshots, seeding and benchmarks.
import ArgumentParser

@main
struct MallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mall",
        abstract: "WeChat mini-program mall backend: in-memory engine, write-ahead log, PostgreSQL archive.",
        discussion: """
            Data lives in one directory (--data-dir, or MALL_DATA_DIR): wal/ holds the write-ahead log, \
            snapshots/ the snapshots, secrets/ the generated JWT and sandbox payment keys.
            After an incident: `mall wal verify`, then `mall replay` to see the state a restart would \
            rebuild, then `mall serve`.
            """,
        subcommands: [Serve.self, WALCommand.self, Replay.self, SnapshotCommand.self, ArchiveCommand.self, Seed.self, Bench.self])
}

/// Options every command that opens a data directory takes.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (env MALL_DATA_DIR). Default: ./.data/mall")
    var dataDir: String?

    @Option(name: .long, help: "Number of inventory and user shards (env MALL_SHARDS). Default: 16")
    var shards: Int?

    var resolvedDataDir: String {
        dataDir ?? Environment.string("MALL_DATA_DIR") ?? ".data/mall"
    }

    var resolvedShards: Int { shards ?? Environment.int("MALL_SHARDS") ?? 16 }

    static let shardRange = 1...256

    /// Refuses a shard count out of range before anything is opened with it.
    func validate() throws {
        guard Self.shardRange.contains(resolvedShards) else {
            throw ValidationError("--shards (or MALL_SHARDS) must be \(Self.shardRange.lowerBound) to \(Self.shardRange.upperBound)")
        }
    }
}
