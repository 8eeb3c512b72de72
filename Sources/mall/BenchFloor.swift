import ArgumentParser
import Engine
import Foundation
import WAL

/// The floor under `mall bench engine`: the same buyers, each waiting for its own record to be
/// durable, with no engine at all. By default the waits are batched as the engine batches
/// purchases (`BatchedDurableWaits`); `--per-record-waiters` has every buyer wait on the WAL
/// for its own record instead. What this costs per record (CPU and time) is what a durable
/// purchase pays on this machine before it decides anything.
struct DurableFloorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal-floor",
        abstract: "Durable appends by concurrent waiters, no engine: the floor under `mall bench engine`.")

    @Option(help: "WAL directory's parent (a fresh temporary one by default).") var dataDir: String?
    @Option(help: "Concurrent waiters (tasks), as the engine bench's buyers.") var buyers = 2000
    @Option(help: "Durable records in total: one per purchase of `mall bench engine`, hence the name.") var purchases = 1_000_000
    @Option(help: "Payload bytes per record (a flash-sale purchase's record is about 120).") var recordBytes = 120
    @Option(help: "fsync policy: always or none.") var fsync: FsyncPolicy = .always
    @Flag(help: "Each buyer waits on the WAL for its own record, rather than in batches as the engine's purchases do.")
    var perRecordWaiters = false

    func validate() throws {
        guard (1...100_000).contains(buyers) else { throw ValidationError("--buyers must be 1 to 100000") }
        guard (1...100_000_000).contains(purchases) else { throw ValidationError("--purchases must be 1 to 100000000") }
        guard buyers <= purchases else { throw ValidationError("--buyers must be at most --purchases") }
        guard (1...65_536).contains(recordBytes) else { throw ValidationError("--record-bytes must be 1 to 65536") }
    }

    func run() async throws {
        let parent = dataDir ?? temporaryDirectory("mall-bench-wal-floor")
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: parent) } }
        var configuration = WALConfiguration(directory: parent + "/wal")
        configuration.fsyncPolicy = fsync
        let (wal, _) = try WALWriter.open(configuration)
        let payload = [UInt8](repeating: 0x5A, count: recordBytes)
        let batched = perRecordWaiters ? nil : BatchedDurableWaits(wal: wal, recordBytes: recordBytes)
        let run = try await runBuyers(Array(0..<buyers), each: purchases / buyers) { _ in
            if let batched {
                try await batched.wait()
            } else {
                try await wal.waitDurable(try wal.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: payload))
            }
        }
        let statistics = wal.statistics
        await wal.close()
        print(String(format: "wal floor %@, %@: %d durable records by %d waiters in %@; %@", fsync.label,
                     perRecordWaiters ? "a waiter per record" : "waits batched", run.count, buyers, run.summary(unit: "record"),
                     "\(statistics)"))
    }
}

/// Durable waits batched the way the engine batches flash-sale purchases
/// (`MallEngine.drainSeckill`): each waiter joins a `ShardInbox`; one drainer takes everything
/// waiting and enqueues a record per waiter as one WAL group; a task per batch waits for its
/// frame and resumes every waiter. Left out is all a purchase decides: no shard actor, no
/// stock, no order, no buyer's shard.
final class BatchedDurableWaits: Sendable {
    private typealias Waiter = UnsafeContinuation<Result<Void, WALError>, Never>
    private let wal: WALWriter
    private let inbox = ShardInbox<Waiter>()
    private let payload: [UInt8]

    init(wal: WALWriter, recordBytes: Int) {
        self.wal = wal
        payload = [UInt8](repeating: 0x5A, count: recordBytes)
    }

    /// Returns once a record logged for this call is durable.
    func wait() async throws(WALError) {
        let result = await withUnsafeContinuation { (continuation: Waiter) in
            switch inbox.submit(continuation) {
            case .startDrainer: Task { self.drain() }
            case .queued: break
            case .full: continuation.resume(returning: .failure(.overloaded))
            }
        }
        try result.get()
    }

    private func drain() {
        var batch: [Waiter] = []
        var group = WALRecordGroup()
        while inbox.take(into: &batch) {
            let waiters = batch
            batch = []
            batch.reserveCapacity(waiters.count)
            do throws(WALError) {
                for _ in waiters {
                    try group.append(typeTag: 1, version: 1, timestampMs: 0) { $0.append(contentsOf: payload) }
                }
                let last = try wal.enqueue(&group).upperBound
                Task {
                    let outcome: Result<Void, WALError>
                    do throws(WALError) {
                        try await wal.waitDurable(last)
                        outcome = .success(())
                    } catch {
                        outcome = .failure(error)
                    }
                    for waiter in waiters { waiter.resume(returning: outcome) }
                }
            } catch {
                group.removeAll()
                for waiter in waiters { waiter.resume(returning: .failure(error)) }
            }
        }
    }
}
