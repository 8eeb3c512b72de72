import ArgumentParser
import Engine
import Foundation
import WAL

struct WALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Inspect, verify, dump or truncate the write-ahead log (stop the server first for truncate).",
        subcommands: [Inspect.self, Verify.self, Dump.self, Truncate.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List segments with their LSN ranges, frames, records and sizes.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let reader = WALReader(directory: data.resolvedDataDir + "/wal")
            for segment in try reader.segments() { print(segment) }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every frame's length and CRC32C and every record's decoding; exit 1 on any problem.",
            discussion: "Read-only. A torn tail of the newest segment is reported as such: a restart truncates it.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let directory = data.resolvedDataDir + "/wal"
            let report = try WALReader(directory: directory).verify()
            print(report)
            var undecodable = 0
            try WALReader(directory: directory).forEach(from: 1) { record in
                do {
                    _ = try MallEvent.decode(tag: record.typeTag, version: record.version, payload: record.payload)
                } catch {
                    undecodable += 1
                    print("lsn \(record.lsn): event does not decode: \(error)")
                }
            }
            if !report.isClean || undecodable > 0 { throw ExitCode(1) }
            print("ok")
        }
    }

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print records as JSON lines, one per record.")
        @OptionGroup var data: DataOptions
        @Option(help: "First LSN to print.") var from: UInt64 = 1
        @Option(help: "Last LSN to print.") var through: UInt64 = .max
        @Option(help: "Print at most this many records.") var limit: Int = 1000

        func run() throws {
            var printed = 0
            struct Done: Error {}
            do {
                try WALReader(directory: data.resolvedDataDir + "/wal").forEach(from: from, through: through) { record in
                    guard printed < limit else { throw Done() }
                    printed += 1
                    let event = (try? MallEvent.decode(tag: record.typeTag, version: record.version, payload: record.payload))
                        .map { "\($0)" } ?? "<undecodable>"
                    let name = MallEvent.Tag(rawValue: record.typeTag)?.name ?? "tag\(record.typeTag)"
                    let fields: [String: String] = [
                        "lsn": String(record.lsn), "type": name, "version": String(record.version),
                        "time": CivilTime(epochMs: record.timestampMs).iso8601, "event": event,
                    ]
                    let json = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                    print(String(decoding: json, as: UTF8.self))
                }
            } catch is Done {}
        }
    }

    struct Truncate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cut the log after an LSN. Destroys later records: for recovery from a bad record only.",
            discussion: """
                Stop the server first. Run `mall wal verify` and `mall replay --through-lsn N` to choose N; \
                copy the data directory before truncating. Snapshots newer than N are removed too, \
                since they would hold records the log no longer has.
                """)
        @OptionGroup var data: DataOptions
        @Option(help: "Keep records up to and including this LSN.") var after: UInt64
        @Flag(help: "Confirm that later records are to be destroyed.") var yes = false

        func run() throws {
            guard yes else { throw ValidationError("add --yes to confirm: records after \(after) will be destroyed") }
            print(try WALReader.truncate(directory: data.resolvedDataDir + "/wal", after: after))
            let snapshots = data.resolvedDataDir + "/snapshots"
            for file in (try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? [] where file.hasSuffix(".snap") {
                if let lsn = UInt64(file.dropLast(5), radix: 16), lsn > after {
                    try FileManager.default.removeItem(atPath: snapshots + "/" + file)
                    print("removed snapshot \(file) (lsn \(lsn) > \(after))")
                }
            }
        }
    }
}
