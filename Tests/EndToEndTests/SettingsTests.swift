import Foundation
import Testing

extension EndToEnd {
    @Suite("Settings out of range") struct SettingsTests {
        /// Each would once have trapped (an overflow, a precondition) or been taken as it is.
        @Test("a setting out of range stops `mall serve` with a message naming it, never a trap",
              arguments: [
                  ("MALL_PAYMENT_TIMEOUT_SECONDS", "9223372036854775807", "--payment-timeout-seconds"),
                  ("MALL_PAYMENT_TIMEOUT_SECONDS", "0", "--payment-timeout-seconds"),
                  ("MALL_JWT_SECRET", "too-short", "JWT secret"),
                  ("MALL_ARCHIVE_POOL_SIZE", "-1", "MALL_ARCHIVE_POOL_SIZE"),
                  ("MALL_ARCHIVE_INTERVAL_MS", "99999999999999999999", "MALL_ARCHIVE_INTERVAL_MS"),
                  ("MALL_SANDBOX", "maybe", "MALL_SANDBOX"),
              ])
        func outOfRange(name: String, value: String, named: String) async throws {
            var environment = [name: value]
            // The archive settings are read only with a database URL; nothing connects before they are checked.
            if name.hasPrefix("MALL_ARCHIVE_") { environment["MALL_DATABASE_URL"] = "postgres://mall@127.0.0.1:1/mall?sslmode=disable" }
            let server = try ServerProcess(environment: environment)
            defer { server.destroy() }
            try server.start()
            let exit = try await server.waitExit(timeout: .seconds(30))
            #expect(!exit.byUncaughtSignal && exit.status != 0, "\(name)=\(value): \(exit)")
            let log = try String(contentsOf: server.logFile, encoding: .utf8)
            #expect(log.contains(named), "\(name)=\(value): \(log.suffix(800))")
        }

        /// `mall bench expiry --buyers 0` once divided by zero; `mall bench archive --orders 0` failed a precondition.
        @Test("a benchmark count out of range stops `mall bench` with a message naming it, never a trap",
              arguments: [
                  (["expiry", "--buyers", "0"], "--buyers"),
                  (["expiry", "--orders", "0"], "--orders"),
                  (["expiry", "--baseline-orders=-1"], "--baseline-orders"),
                  (["engine", "--buyers", "0"], "--buyers"),
                  (["archive", "--orders", "0"], "--orders"),
                  (["archive", "--orders", "9223372036854775807"], "--orders"),
              ])
        func benchCountOutOfRange(arguments: [String], named: String) throws {
            let run = try runCommand(try ServerProcess.locateBinary(), ["bench"] + arguments)
            #expect(!run.bySignal && run.status != 0, "\(arguments): \(run)")
            #expect(run.output.contains(named), "\(arguments): \(run)")
        }

        /// `scripts/bench expiry` passes `--data-dir`, as for every `mall bench` run; expiry once refused it.
        @Test("`mall bench expiry` runs in the data directory it is given")
        func expiryTakesADataDirectory() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("expiry-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try runCommand(try ServerProcess.locateBinary(), [
                "bench", "expiry", "--orders", "40", "--buyers", "4", "--baseline-orders", "8", "--data-dir", directory.path,
            ])
            #expect(!run.bySignal && run.status == 0, "\(run)")
            #expect(run.output.contains("| expiry | batched timer | 40 orders |"), "\(run)")
            #expect(run.output.contains("| expiry | one cancel per fsync (baseline) | 8 orders |"), "\(run)")
            #expect(FileManager.default.fileExists(atPath: directory.path))
        }
    }
}
