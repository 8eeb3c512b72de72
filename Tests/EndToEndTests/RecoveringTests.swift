import AsyncHTTPClient
import Foundation
import Testing

extension EndToEnd {
    @Suite("Readiness during recovery") struct RecoveringTests {
        static let orders = 200_000

        @Test("while recovery replays a long WAL the port answers /readyz 503 (recovering) and /healthz 200, then 200")
        func readyzIsServiceUnavailableWhileRecovering() async throws {
            let server = try ServerProcess()
            defer { server.destroy() }
            // A data directory whose recovery takes seconds: a WAL of many orders and no snapshot.
            let builder = Process()
            builder.executableURL = try ServerProcess.locateBinary()
            builder.arguments = ["bench", "recovery", "--orders", String(Self.orders), "--users", "2000",
                                 "--data-dir", server.dataDirectory.path]
            builder.standardOutput = FileHandle.nullDevice
            try builder.run()
            builder.waitUntilExit()
            try #require(builder.terminationStatus == 0, "mall bench recovery failed")
            try FileManager.default.removeItem(at: server.dataDirectory.appendingPathComponent("snapshots"))

            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await watchRecovery(server, http: http)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }

        private func watchRecovery(_ server: ServerProcess, http: HTTPClient) async throws {
            try server.start()
            let client = MallClient(http: http, baseURL: server.baseURL)
            var seenRecovering = false, seenHealthy = false
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))   // a poll interval, so the probe does not compete with recovery
                guard let response = try? await client.get("/readyz", timeoutSeconds: 2) else { continue }
                if response.status == 200 { break }
                #expect(response.status == 503, "\(response)")
                if response.status == 503, response.body.contains("recovering") {
                    seenRecovering = true
                    if !seenHealthy, let health = try? await client.get("/healthz", timeoutSeconds: 2) {
                        seenHealthy = health.status == 200
                    }
                }
            }
            #expect(seenRecovering, "no 503 (recovering) was seen before the server was ready")
            #expect(seenHealthy, "/healthz did not answer 200 during recovery")
            let ready = try await client.get("/readyz", timeoutSeconds: 5)
            #expect(ready.status == 200)
            #expect(ready.body.contains("no snapshot"), "\(ready)")
        }
    }
}
