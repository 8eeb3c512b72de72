// Durable WAL appends with group commit: many concurrent appenders, each
// awaiting its own fdatasync'd LSN. The floor under every engine operation.
import Benchmark
import Foundation
import WAL

let appenders = 1_024
let appendsPerIteration = 50_000

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "WAL append + waitDurable, fsync=always, \(appenders) appenders, \(appendsPerIteration) appends per iteration",
        configuration: .init(metrics: [.wallClock, .throughput, .syscalls], maxDuration: .seconds(20))
    ) { (benchmark: Benchmark, writer: WALWriter) in
        let payload = [UInt8](repeating: 7, count: 100)
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<appenders {
                group.addTask {
                    for _ in 0..<(appendsPerIteration / appenders) {
                        let lsn = try writer.enqueue(typeTag: 1, version: 1, timestampMs: 0, payload: payload)
                        try await writer.waitDurable(lsn)
                    }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
    } setup: {
        let directory = NSTemporaryDirectory() + "mall-wal-bench-\(UUID().uuidString.prefix(8))"
        return try WALWriter.open(WALConfiguration(directory: directory)).0
    }
}
