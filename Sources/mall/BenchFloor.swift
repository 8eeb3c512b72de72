import ArgumentParser
import Foundation
import WAL

/// CPU time (user + system) this process has used so far, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The floor under `mall bench engine`: the same buyers, each waiting for its own record to be
/// durable, with no engine at all. Every buyer task enqueues one record of a purchase's size to
/// the WAL and suspends until its frame is synced, in a loop; the WAL groups what is queued
/// while it syncs, exactly as it does for the engine. What this costs per record (CPU and
/// time) is what any durable purchase pays on this machine before it decides anything.
struct DurableFloorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal-floor",
        abstract: "Durable appends by concurrent waiters, no engine: the floor under `mall bench engine`.")

    @Option(help: "WAL directory's parent (a fresh temporary one by default).") var dataDir: String?
    @Option(help: "Concurrent waiters (tasks), as the engine bench's buyers.") var buyers = 2000
    @Option(help: "Durable records in total: one per purchase of `mall bench engine`, hence the name.") var purchases = 1_000_000
    @Option(help: "Payload bytes per record (a flash-sale purchase's record is about 120).") var recordBytes = 120
    @Option(help: "fsync policy: always or none.") var fsync: FsyncPolicy = .always

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
        let perBuyer = purchases / buyers
        let clock = ContinuousClock()
        let cpuBefore = processCPUSeconds()
        let start = clock.now
        let samples = try await withThrowingTaskGroup(of: LatencySample.self) { group in
            for _ in 0..<buyers {
                group.addTask {
                    var sample = LatencySample()
                    sample.nanoseconds.reserveCapacity(perBuyer)
                    for _ in 0..<perBuyer {
                        let began = clock.now
                        let lsn = try wal.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: payload)
                        try await wal.waitDurable(lsn)
                        sample.append(clock.now - began)
                    }
                    return sample
                }
            }
            var all = LatencySample()
            for try await sample in group { all.nanoseconds += sample.nanoseconds }
            return all
        }
        let seconds = (clock.now - start).seconds
        let cpu = processCPUSeconds() - cpuBefore
        let statistics = wal.statistics
        await wal.close()
        let count = samples.nanoseconds.count
        print(String(format: "wal floor %@: %d durable records by %d waiters in %.2f s = %.0f records/s; p50 %.3f ms, p99 %.3f ms; "
                     + "CPU %.2f s = %.2f us per record; %@",
                     fsync.label, count, buyers, seconds, Double(count) / seconds, samples.percentileMs(0.5),
                     samples.percentileMs(0.99), cpu, cpu * 1e6 / Double(max(count, 1)), "\(statistics)"))
    }
}
