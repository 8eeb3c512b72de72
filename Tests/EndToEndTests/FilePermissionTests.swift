import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EndToEnd {
    @Suite("Data directory permissions") struct FilePermissionTests {
        static func mode(_ path: String) -> mode_t? {
            var info = stat()
            return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
        }

        @Test("secrets are created 0600 in a 0700 directory, and tightened when a restart finds them looser")
        func secretsArePrivate() async throws {
            try await withMallServer { server, client in
                let secrets = server.dataDirectory.appendingPathComponent("secrets").path
                #expect(Self.mode(secrets) == 0o700)
                for name in ["jwt.key", "sandbox-pay.json"] {
                    #expect(Self.mode(secrets + "/" + name) == 0o600, "\(name)")
                }
                #expect(!FileManager.default.fileExists(atPath: secrets + "/jwt.key.tmp"))

                server.signal(SIGTERM)
                _ = try await server.waitExit(timeout: .seconds(20))
                chmod(secrets, 0o755)
                chmod(secrets + "/jwt.key", 0o644)
                try await server.restart(client)
                #expect(Self.mode(secrets) == 0o700)
                #expect(Self.mode(secrets + "/jwt.key") == 0o600)
            }
        }
    }
}
