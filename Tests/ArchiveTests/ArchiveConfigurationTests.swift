@testable import Archive
import Testing

@Suite("Archive database URL")
struct ArchiveConfigurationTests {
    @Test("a full URL gives host, port, credentials, database and TLS mode; the password never shows")
    func parsesURL() throws {
        let configuration = try ArchiveConfiguration(databaseURL: "postgres://mall:s%40cret@db.local:6543/shop?sslmode=require")
        #expect(configuration.host == "db.local")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "mall")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "shop")
        #expect(configuration.tlsMode == .require)
        #expect(!configuration.redactedURL.contains("s@cret") && !configuration.redactedURL.contains("cret"))
        #expect(configuration.batchRecordsMax == 10_000 && configuration.poolSize == 4 && configuration.batchIntervalMs == 200)
    }

    @Test("defaults: port 5432, the user's database, no TLS; prefer and allow also mean no TLS")
    func defaults() throws {
        let configuration = try ArchiveConfiguration(databaseURL: "postgresql://mall@localhost")
        #expect(configuration.port == 5432)
        #expect(configuration.database == "mall")
        #expect(configuration.tlsMode == .disable)
        #expect(try ArchiveConfiguration(databaseURL: "postgres://u@h/d?sslmode=prefer").tlsMode == .disable)
        #expect(try ArchiveConfiguration(databaseURL: "postgres://u@h/d?sslmode=verify-full").tlsMode == .verifyFull)
        #expect(try ArchiveConfiguration(databaseURL: "postgres://u@h/d?sslmode=verify-ca").tlsMode == .verifyCA)
    }

    @Test("bad URLs are refused with a message that says what is wrong", arguments: [
        ("mysql://u@h/d", "scheme"),
        ("postgres:///d", "host"),
        ("postgres://h/d", "user"),
        ("postgres://u@h/d?sslmode=sometimes", "sslmode"),
        ("postgres://u@h/d?sslmod=require", "unsupported parameter 'sslmod'"),
        ("postgres://u@h/d?connect_timeout=0", "connect_timeout"),
        ("postgres://u:pw@h:99999/d", "port"),
    ])
    func refusesBadURLs(url: String, expected: String) {
        do {
            _ = try ArchiveConfiguration(databaseURL: url)
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("pw"))
        }
    }
}
