#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// One HTTP/1.1 request as the fake received it.
struct FakeRequest: Sendable {
    var method: String
    /// Path plus `?query`, exactly as sent.
    var target: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: String

    var path: String { String(target.prefix { $0 != "?" }) }

    /// Query parameters, percent-decoded.
    var query: [String: String] {
        guard let start = target.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in target[target.index(after: start)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            result[name] = value
        }
        return result
    }
}

struct FakeResponse: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: String = ""

    static func json(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> FakeResponse {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return FakeResponse(status: status, headers: headers, body: body)
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 and a kernel-chosen port, built on
/// POSIX sockets so the test target needs no server framework. One request
/// per connection (`Connection: close`), served one at a time on a dedicated
/// thread, so blocking socket calls never run on the Swift concurrency pool.
final class FakeHTTPServer: Sendable {
    typealias Handler = @Sendable (FakeRequest) -> FakeResponse

    /// Bounds for what a test client may send; beyond them the connection is dropped.
    static let headerBytesMax = 64 * 1024
    static let bodyBytesMax = 1024 * 1024
    static let receiveTimeoutSeconds = 5
    static let pollIntervalMs: Int32 = 50

    let port: Int
    let baseURL: String
    private let listenFD: Int32
    private let isStopping = Atomic<Bool>(false)

    init(handler: @escaping Handler) throws {
        let (fd, port) = try Self.bindLoopback()
        listenFD = fd
        self.port = port
        baseURL = "http://127.0.0.1:\(port)"
        let thread = Thread { [self] in self.run(handler) }
        thread.start()
    }

    /// A loopback URL whose port was just free and is now closed: connecting is refused.
    static func closedPortURL() throws -> String {
        let (fd, port) = try bindLoopback()
        close(fd)
        return "http://127.0.0.1:\(port)"
    }

    private static func bindLoopback() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Self.streamType, 0)
        guard fd >= 0 else { throw FakeServerError.socket("socket") }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw FakeServerError.socket("bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Stops accepting; the server thread closes the socket within one poll interval.
    func shutdown() {
        isStopping.store(true, ordering: .releasing)
    }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    /// A client that hangs up early must not kill the test process with SIGPIPE.
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamType = SOCK_STREAM
    private static let sendFlags: Int32 = 0
    #endif

    private func run(_ handler: Handler) {
        defer { close(listenFD) }
        while !isStopping.load(ordering: .acquiring) {
            var descriptor = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Self.pollIntervalMs) > 0 else { continue }
            let connection = accept(listenFD, nil, nil)
            guard connection >= 0 else { continue }
            serve(connection, handler)
            close(connection)
        }
    }

    private func serve(_ connection: Int32, _ handler: Handler) {
        var timeout = timeval(tv_sec: Self.receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = Self.readRequest(connection) else { return }
        let response = handler(request)
        Self.write(response, to: connection)
    }

    private static func readRequest(_ connection: Int32) -> FakeRequest? {
        var received: [UInt8] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            guard received.count <= headerBytesMax, let chunk = readChunk(connection) else { return nil }
            received += chunk
            headerEnd = received.firstRange(of: separator)?.upperBound
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: received[..<(headerEnd - 4)], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let contentLength = Int(headers["content-length"] ?? "0") ?? 0
        guard contentLength <= bodyBytesMax else { return nil }
        var body = Array(received[headerEnd...])
        while body.count < contentLength {
            guard let chunk = readChunk(connection) else { return nil }
            body += chunk
        }
        return FakeRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
            body: String(decoding: body.prefix(contentLength), as: UTF8.self))
    }

    private static func readChunk(_ connection: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    private static func write(_ response: FakeResponse, to connection: Int32) {
        let body = Array(response.body.utf8)
        var head = "HTTP/1.1 \(response.status) Fake\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Self.sendFlags) }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}

enum FakeServerError: Error {
    case socket(String)
}

/// Shared mutable state for a fake's handler (which runs on the server thread)
/// and the test (which reads it), behind one lock.
final class LockedState<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
