import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import WeChat

/// moto's S3 server (`pip install 'moto[server]'`), started on a free loopback port.
/// scripts/test installs it in .data/moto-venv and exports MALL_MOTO_SERVER.
struct MotoServer {
    let process: Process
    let endpoint: String

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// MALL_MOTO_SERVER, or the venv scripts/test makes; absent is a failure, not a skip.
    static func executable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["MALL_MOTO_SERVER"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Missing(description: "MALL_MOTO_SERVER=\(path) is not an executable: run scripts/test, which installs moto")
            }
            return path
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".data/moto-venv/bin/moto_server").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(description: """
                moto_server is missing (neither MALL_MOTO_SERVER nor \(path)): this test needs a real S3-compatible \
                server. Run the tests with scripts/test, which installs moto[server] into .data/moto-venv \
                (or `scripts/lib.sh ensure_moto_venv`)
                """)
        }
        return path
    }

    /// A port nothing listens on now: bound and released (moto binds it a moment later).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    static func start(httpClient: HTTPClient) async throws -> MotoServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        let port = try await freePort()
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(process: process, endpoint: "http://127.0.0.1:\(port)")
        // Bounded polling: moto starts in about a second; 30 s covers a loaded machine.
        for _ in 0..<300 {
            if let response = try? await httpClient.execute(HTTPClientRequest(url: server.endpoint + "/moto-api/"), timeout: .seconds(1)),
               response.status == .ok {
                return server
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw Missing(description: "moto_server did not answer on \(server.endpoint) within 30 s")
    }

    /// SIGKILL: moto_server ignores SIGTERM, and waiting for it to exit after one never returns.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

@Suite("Presigned uploads against a real S3-compatible server (moto)")
struct MotoS3Tests {
    static let bucket = "mall-uploads-test"

    /// A PUT presigned by our own signer: the bucket is made and opened for public reads the way
    /// an operator would with the same credentials. moto checks no signature (see below), MinIO or
    /// COS would.
    static func put(_ presigner: SigV4Presigner, key: String, query: [(name: String, value: String)] = [], body: [UInt8],
                    httpClient: HTTPClient) async throws -> HTTPResponseStatus {
        let signed = try presigner.presign(method: "PUT", key: key, query: query,
                                           nowSeconds: Int64(Date().timeIntervalSince1970))
        var request = HTTPClientRequest(url: signed.url)
        request.method = .PUT
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await httpClient.execute(request, timeout: .seconds(10)).status
    }

    @Test("a buyer's presigned PUT lands in the bucket and the public URL serves the same bytes")
    func presignedUploadRoundTrip() async throws {
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let moto: MotoServer
        do {
            moto = try await MotoServer.start(httpClient: httpClient)
        } catch {
            try await httpClient.shutdown()
            throw error
        }
        let app = try await TestApp.make()
        do throws(any Error) {
            let bucketLocation = try S3Location(endpoint: moto.endpoint, region: "us-east-1", bucket: Self.bucket, isPathStyle: true)
            let presigner = SigV4Presigner(location: bucketLocation,
                                           credentials: try S3Credentials(accessKeyID: "AKIDMALLTEST", secretAccessKey: "mall-test-secret"))
            // CreateBucket (the bucket's path with an empty key) and a policy letting anyone read objects.
            #expect(try await Self.put(presigner, key: "", body: [], httpClient: httpClient) == .ok)
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::\#(Self.bucket)/*"}]}"#
            let policyStatus = try await Self.put(presigner, key: "", query: [("policy", "")], body: Array(policy.utf8), httpClient: httpClient)
            #expect(policyStatus == .ok || policyStatus == .noContent)

            let storage = S3UploadStorage(presigner: presigner, publicBaseURL: "\(moto.endpoint)/\(Self.bucket)")
            let services = app.services(uploads: .init(storage: storage))
            let image = TestImages.png(sizeBytes: 4_321)
            let presigned = try await Application(router: buildRouter(services)).test(.router) { client in
                let user = try await client.userToken(code: "moto")
                return try await client.call(.post, "/api/v1/uploads/presign", token: user,
                                             json: ["kind": "review", "contentType": "image/png", "sizeBytes": image.count])
            }
            #expect(presigned.status == 200, "\(presigned.raw)")
            let uploadURL = try #require(presigned.data["uploadUrl"] as? String)
            let headers = try #require(presigned.data["headers"] as? [String: String])
            let publicURL = try #require(presigned.data["url"] as? String)

            var put = HTTPClientRequest(url: uploadURL)
            put.method = .PUT
            for (name, value) in headers where name != "Content-Length" { put.headers.add(name: name, value: value) }
            put.body = .bytes(ByteBuffer(bytes: image))  // AsyncHTTPClient sends Content-Length: 4321 for it
            let stored = try await httpClient.execute(put, timeout: .seconds(10))
            #expect(stored.status == .ok)

            let fetched = try await httpClient.execute(HTTPClientRequest(url: publicURL), timeout: .seconds(10))
            #expect(fetched.status == .ok)
            #expect(fetched.headers.first(name: "Content-Type") == "image/png")
            let bytes = try await fetched.body.collect(upTo: 1 << 20)
            #expect(Array(bytes.readableBytesView) == image)
            // Not tested here: that the same URL refuses another Content-Type or length. moto 5.2.5 checks
            // no SigV4 query signature at all (nothing in it reads X-Amz-Signature; with
            // INITIAL_NO_AUTH_ACTION_COUNT set it answers 500 to presigned requests, looking for an
            // Authorization header). The signature is proven by SigV4PresignerTests instead: AWS's
            // published example and botocore's own presigned URLs, Content-Type and Content-Length signed.
        } catch {
            Issue.record(error)
        }
        await app.close()
        moto.stop()
        try await httpClient.shutdown()
    }
}
