import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ServerProcessError: Error, CustomStringConvertible {
    var description: String
}

/// How a server process ended.
struct ServerExit: Sendable, Equatable, CustomStringConvertible {
    var byUncaughtSignal: Bool
    var status: Int32

    var description: String { byUncaughtSignal ? "killed by signal \(status)" : "exited with status \(status)" }
}

/// The built `mall` binary running `serve` on a free port and a temp data
/// directory, with `--sandbox` (fake WeChat login and payments) unless a test
/// asks for a server without it. Its stdout and stderr go to `server.log` next to the data
/// directory; restarts reuse the data directory (and append to the log).
/// Not Sendable: one test drives it; other tasks get only the pid.
final class ServerProcess {
    static let adminUsername = "e2e-admin"
    static let adminPassword = "e2e-admin-password"
    static let readyTimeout = Duration.seconds(30)

    let binary: URL
    let rootDirectory: URL
    var dataDirectory: URL { rootDirectory.appendingPathComponent("data") }
    var logFile: URL { rootDirectory.appendingPathComponent("server.log") }
    let extraArguments: [String]
    let isSandbox: Bool
    private(set) var port = 0
    private(set) var starts = 0
    private var process: Process?
    private var logHandle: FileHandle?

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// `MALL_BIN`, or `<package root>/.build/debug/mall`; a missing binary fails the test.
    static func locateBinary() throws -> URL {
        let path: String
        if let override = ProcessInfo.processInfo.environment["MALL_BIN"], !override.isEmpty {
            path = override
        } else {
            let packageRoot = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            path = packageRoot.appendingPathComponent(".build/debug/mall").path
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ServerProcessError(description: """
                the mall binary is missing at \(path): run `swift build` first, or set MALL_BIN to the built binary
                """)
        }
        return URL(fileURLWithPath: path)
    }

    /// MALL_ variables the server gets on top of the admin account (the test's own MALL_ ones are cleared).
    let environment: [String: String]

    init(extraArguments: [String] = [], environment: [String: String] = [:], sandbox: Bool = true) throws {
        self.environment = environment
        isSandbox = sandbox
        binary = try Self.locateBinary()
        rootDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mall-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: rootDirectory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: rootDirectory.appendingPathComponent("server.log").path, contents: nil) else {
            throw ServerProcessError(description: "cannot create the server log in \(rootDirectory.path)")
        }
        self.extraArguments = extraArguments
    }

    /// Spawns `mall serve` on a fresh free port. Does not wait for readiness.
    func start() throws {
        precondition(process?.isRunning != true, "server already running")
        port = try Self.freePort()
        starts += 1
        let handle = try FileHandle(forWritingTo: logFile)
        _ = try handle.seekToEnd()
        try handle.write(contentsOf: Data("=== start #\(starts) on port \(port) ===\n".utf8))

        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--host", "127.0.0.1", "--port", String(port),
                             "--fsync", "always"] + (isSandbox ? ["--sandbox"] : []) + extraArguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MALL_") }
        environment["MALL_ADMIN_USERNAME"] = Self.adminUsername
        environment["MALL_ADMIN_PASSWORD"] = Self.adminPassword
        // Every test client comes from 127.0.0.1, and the rushes log in thousands of buyers:
        // limits above any test's traffic unless a test sets its own.
        for routeClass in ["LOGIN", "WRITE", "READ", "SECKILL"] { environment["MALL_RATE_LIMIT_\(routeClass)"] = "1000000/1" }
        environment.merge(self.environment) { _, added in added }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        try? logHandle?.close()
        logHandle = handle
    }

    /// Polls `GET /readyz` until it answers 200; fails early if the process dies.
    func waitReady(_ client: MallClient) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + Self.readyTimeout
        var lastError = "no answer yet"
        while clock.now < deadline {
            guard let process, process.isRunning else {
                throw ServerProcessError(description: "the server exited before it was ready (see \(logFile.path))")
            }
            do {
                let response = try await client.get("/readyz", timeoutSeconds: 2)
                if response.status == 200 { return }
                lastError = response.description
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerProcessError(description: "not ready within \(Self.readyTimeout): \(lastError)")
    }

    func signal(_ signal: Int32) {
        guard let process, process.isRunning else { return }
        _ = kill(process.processIdentifier, signal)
    }

    /// Waits, bounded, for the process to end (polling: Foundation reaps it on its own thread).
    func waitExit(timeout: Duration) async throws -> ServerExit {
        guard let process else { throw ServerProcessError(description: "server never started") }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            guard clock.now < deadline else {
                throw ServerProcessError(description: "the server did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return ServerExit(byUncaughtSignal: process.terminationReason == .uncaughtSignal, status: process.terminationStatus)
    }

    /// Starts again on the same data directory (a new port) and waits until ready.
    func restart(_ client: MallClient) async throws {
        if process?.isRunning == true {
            throw ServerProcessError(description: "restart needs the previous server to have exited")
        }
        try start()
        client.baseURL = baseURL
        try await waitReady(client)
    }

    /// SIGKILL if still running and remove the temp directory; safe to call twice.
    func destroy() {
        if let process, process.isRunning {
            _ = kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? logHandle?.close()
        logHandle = nil
        try? FileManager.default.removeItem(at: rootDirectory)
    }


    /// Binds port 0 on the loopback interface, reads the port the kernel chose and releases it.
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerProcessError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw ServerProcessError(description: "bind() failed: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ServerProcessError(description: "getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `body` against a started, ready server and an HTTP client sized for
/// hundreds of concurrent requests. Whatever happens, the server is killed,
/// the client shut down and the temp directory removed. A failure inside
/// (an expectation, or an error thrown) is recorded with the server log's tail.
func withMallServer(
    arguments: [String] = [],
    environment: [String: String] = [:],
    sandbox: Bool = true,
    _ body: (ServerProcess, MallClient) async throws -> Void
) async throws {
    let server = try ServerProcess(extraArguments: arguments, environment: environment, sandbox: sandbox)
    defer { server.destroy() }
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
    // A dead server must fail requests at once, not after connect retries until the timeout.
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(20))
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    var failedExpectation: ExpectationFailedError?
    await ServerLog.$current.withValue(ServerLog(file: server.logFile)) {
        do {
            try server.start()
            let client = MallClient(http: http, baseURL: server.baseURL)
            try await server.waitReady(client)
            try await body(server, client)
        } catch let error as ExpectationFailedError {
            failedExpectation = error  // a failed #require: already recorded, with the log
        } catch {
            Issue.record(error)  // recorded here rather than by the runner, so the log comes with it
        }
    }
    try? await http.shutdown()
    if let failedExpectation { throw failedExpectation }
}
