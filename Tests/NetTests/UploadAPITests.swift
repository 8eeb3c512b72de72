import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing
import WeChat

@Suite("Image uploads through the router")
struct UploadAPITests {
    static var smallLimits: UploadLimits {
        var limits = UploadLimits()
        limits[.avatar] = 1_000
        limits[.review] = 2_000
        limits[.product] = 3_000
        return limits
    }

    /// S3 storage whose endpoint nothing listens on: presigning never calls it.
    static func objectStorage() throws -> S3UploadStorage {
        let location = try S3Location(endpoint: "http://127.0.0.1:9", region: "ap-guangzhou", bucket: "mall-uploads-1250000000",
                                      isPathStyle: false)
        let credentials = try S3Credentials(accessKeyID: "AKIDTEST", secretAccessKey: "test-secret")
        return S3UploadStorage(presigner: SigV4Presigner(location: location, credentials: credentials),
                               publicBaseURL: "https://img.example.test/")
    }

    @Test("a buyer's avatar posted as multipart is stored under a random name and served back byte for byte")
    func avatarRoundTrip() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "uploader")
            let body = TestImages.multipart([TestImages.field("kind", "avatar"),
                                             TestImages.file(TestImages.png, fileName: "../../etc/passwd.html", contentType: "text/html")])
            let reply = try await client.upload("/api/v1/uploads", token: user, body: body)
            #expect(reply.status == 201, "\(reply.raw)")
            let url = try #require(reply.data["url"] as? String)
            let key = try #require(reply.data["key"] as? String)
            #expect(url == "/uploads/" + key)
            #expect(try NSRegularExpression(pattern: #"^avatar/[0-9]{8}/[0-9a-f]{32}\.png$"#)
                .firstMatch(in: key, range: NSRange(key.startIndex..., in: key)) != nil, "\(key)")
            #expect(reply.data["contentType"] as? String == "image/png")
            #expect(reply.data["sizeBytes"] as? Int == TestImages.png.count)
            #expect(!key.contains("passwd") && !key.contains("html"))
            let served = try await client.fetch(url)
            #expect(served.status == 200)
            #expect(served.bytes == TestImages.png)
            #expect(served.headers[.contentType] == "image/png")
            #expect(served.headers[.xContentTypeOptions] == "nosniff")
            #expect(served.headers[.cacheControl]?.contains("max-age=") == true)
            // The file is where the key says, under the data directory's uploads folder.
            #expect(FileManager.default.contents(atPath: app.directory + "/uploads/" + key) == Data(TestImages.png))
            // It may become the avatar.
            let profile = try await client.call(.put, "/api/v1/users/me/profile", token: user, json: ["avatarUrl": url])
            #expect(profile.status == 200)
        }
        await app.close()
    }

    @Test("the type is read from the first bytes: each format is accepted as itself, HTML named .png is refused naming file")
    func magicBytes() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "sniffer")
            for (bytes, type) in [(TestImages.jpeg, "image/jpeg"), (TestImages.gif, "image/gif"), (TestImages.webp, "image/webp"),
                                  (TestImages.png, "image/png")] {
                let body = TestImages.multipart([TestImages.file(bytes, contentType: "image/png"), TestImages.field("kind", "review")])
                let reply = try await client.upload("/api/v1/uploads", token: user, body: body)
                #expect(reply.status == 201 && reply.data["contentType"] as? String == type, "\(type): \(reply.raw)")
            }
            for bytes in [TestImages.html, Array(TestImages.png.dropFirst()), Array("RIFF\0\0\0\0WAVE".utf8), Array("GIF8".utf8)] {
                let body = TestImages.multipart([TestImages.field("kind", "review"), TestImages.file(bytes)])
                let reply = try await client.upload("/api/v1/uploads", token: user, body: body)
                #expect(reply.status == 400, "\(reply.raw)")
                let fields = reply.data["fieldErrors"] as? [[String: String]]
                #expect(fields?.first?["field"] == "file" && fields?.first?["rule"]?.contains("first bytes") == true, "\(reply.raw)")
            }
            let empty = try await client.upload("/api/v1/uploads", token: user,
                                                body: TestImages.multipart([TestImages.field("kind", "review"), TestImages.file([])]))
            #expect(empty.status == 400)
        }
        await app.close()
    }

    @Test("each kind has its own size limit: one byte over is 413, the limit itself is stored")
    func sizeLimits() async throws {
        let app = try await TestApp.make()
        let services = app.services(uploads: .init(storage: LocalUploadStorage(directory: app.directory + "/uploads"), limits: Self.smallLimits))
        try await Application(router: buildRouter(services)).test(.router) { client in
            let user = try await client.userToken(code: "big")
            let admin = try await client.adminToken()
            for (uri, token, kind, limit) in [("/api/v1/uploads", user, "avatar", 1_000), ("/api/v1/uploads", user, "review", 2_000),
                                              ("/admin/v1/uploads", admin, "product", 3_000)] {
                let atLimit = TestImages.multipart([TestImages.field("kind", kind), TestImages.file(TestImages.png(sizeBytes: limit))])
                #expect(try await client.upload(uri, token: token, body: atLimit).status == 201, "\(kind)")
                let over = TestImages.multipart([TestImages.field("kind", kind), TestImages.file(TestImages.png(sizeBytes: limit + 1))])
                let reply = try await client.upload(uri, token: token, body: over)
                #expect(reply.status == 413 && reply.code == 413, "\(kind): \(reply.raw)")
                #expect(reply.message.contains("\(limit) bytes"), "\(reply.message)")
            }
            // A body far past the largest limit is refused while it is read.
            let huge = TestImages.multipart([TestImages.field("kind", "review"), TestImages.file(TestImages.png(sizeBytes: 200_000))])
            #expect(try await client.upload("/api/v1/uploads", token: user, body: huge).status == 413)
        }
        await app.close()
    }

    @Test("uploads need a token; buyers upload avatars and reviews, the back office products, and each only its own")
    func authAndKinds() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "kinds")
            let admin = try await client.adminToken()
            func body(_ kind: String) -> [UInt8] { TestImages.multipart([TestImages.field("kind", kind), TestImages.file(TestImages.png)]) }
            #expect(try await client.upload("/api/v1/uploads", token: nil, body: body("avatar")).status == 401)
            #expect(try await client.upload("/api/v1/uploads", token: "forged", body: body("avatar")).status == 401)
            #expect(try await client.upload("/admin/v1/uploads", token: user, body: body("product")).status == 401)
            #expect(try await client.upload("/api/v1/uploads", token: admin, body: body("avatar")).status == 401)
            let buyerProduct = try await client.upload("/api/v1/uploads", token: user, body: body("product"))
            #expect(buyerProduct.status == 400 && buyerProduct.message.contains("kind"), "\(buyerProduct.raw)")
            let adminAvatar = try await client.upload("/admin/v1/uploads", token: admin, body: body("avatar"))
            #expect(adminAvatar.status == 400 && adminAvatar.message.contains("kind"), "\(adminAvatar.raw)")
            let product = try await client.upload("/admin/v1/uploads", token: admin, body: body("product"))
            #expect(product.status == 201 && (product.data["key"] as? String)?.hasPrefix("product/") == true, "\(product.raw)")
            // The back-office upload is audited like every back-office write.
            #expect(app.engine.settings.audit.contains { $0.action == "POST /admin/v1/uploads" })
            #expect(try await client.call(.post, "/api/v1/uploads/presign", json: ["kind": "avatar"]).status == 401)
        }
        await app.close()
    }

    @Test("malformed multipart is a 400 naming the rule: no boundary, no closing boundary, unknown, repeated or missing parts")
    func malformedMultipart() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "malformed")
            let good = TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(TestImages.png)])
            let cases: [(String, [UInt8], String?, String)] = [
                ("JSON content type", good, "application/json", "Content-Type"),
                ("no boundary", good, "multipart/form-data", "Content-Type"),
                ("no content type", good, "", "Content-Type"),
                ("boundary over 70", good, "multipart/form-data; boundary=" + String(repeating: "b", count: 71), "Content-Type"),
                ("another boundary", good, "multipart/form-data; boundary=other", "body"),
                ("no closing boundary", TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(TestImages.png)],
                                                             closing: false), nil, "body"),
                ("unknown part", TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.field("path", "../x"),
                                                       TestImages.file(TestImages.png)]), nil, "path"),
                ("two files", TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(TestImages.png),
                                                    TestImages.file(TestImages.png)]), nil, "file"),
                ("no file", TestImages.multipart([TestImages.field("kind", "avatar")]), nil, "file"),
                ("no kind", TestImages.multipart([TestImages.file(TestImages.png)]), nil, "kind"),
                ("nine parts", TestImages.multipart(Array(repeating: TestImages.field("kind", "avatar"), count: 9)), nil, "body"),
                ("headers without blank line", Array("--\(TestImages.boundary)\r\nContent-Disposition: form-data; name=\"kind\"".utf8),
                 nil, "body"),
                ("empty body", [], nil, "body"),
            ]
            for (label, body, contentType, field) in cases {
                // nil: the right multipart type; "": no Content-Type header at all.
                let type = contentType ?? "multipart/form-data; boundary=\(TestImages.boundary)"
                let reply = try await client.upload("/api/v1/uploads", token: user, body: body, contentType: type.isEmpty ? nil : type)
                #expect(reply.status == 400, "\(label): \(reply.raw)")
                let fields = reply.data["fieldErrors"] as? [[String: String]]
                #expect(fields?.contains { $0["field"] == field } == true, "\(label): \(reply.raw)")
            }
            // A quoted boundary, a preamble and an epilogue are fine (RFC 2046).
            let quoted = Array("preamble\r\n".utf8) + good + Array("epilogue".utf8)
            let reply = try await client.upload("/api/v1/uploads", token: user, body: quoted,
                                                contentType: "multipart/form-data; charset=utf-8; boundary=\"\(TestImages.boundary)\"")
            #expect(reply.status == 201, "\(reply.raw)")
        }
        await app.close()
    }

    @Test("only names of exactly the server's shape are served: traversal, encoded slashes and look-alikes are 404")
    func traversal() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "traveller")
            let reply = try await client.upload("/api/v1/uploads", token: user,
                                                body: TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(TestImages.png)]))
            let key = try #require(reply.data["key"] as? String)
            let parts = key.split(separator: "/").map(String.init)
            let (day, file) = (parts[1], parts[2])
            let name = String(file.prefix(32))
            // Files the server must never hand out, beside and above the upload directory.
            try Data("secret".utf8).write(to: URL(fileURLWithPath: app.directory + "/uploads/avatar/\(day)/\(name).txt"))
            try Data("secret".utf8).write(to: URL(fileURLWithPath: app.directory + "/secret.png"))
            let attempts = [
                "/uploads/../secret.png", "/uploads/avatar/../../secret.png", "/uploads/avatar/\(day)/..%2F..%2F..%2Fsecret.png",
                "/uploads/avatar/%2E%2E/%2E%2E/secret.png", "/uploads/avatar/\(day)/\(name).txt", "/uploads/avatar/\(day)/\(name.uppercased()).png",
                "/uploads/avatar/\(day)/\(name).png.png", "/uploads/avatar/\(day)/\(name)",
                "/uploads/avatar/\(day)/./\(name).png", "/uploads/Avatar/\(day)/\(name).png",
                "/uploads/secrets/\(day)/\(name).png", "/uploads/avatar/1/\(name).png", "/uploads/avatar/\(day)", "/uploads/wal",
                "/uploads/avatar/\(day)/\(name)%00.png", "/uploads/avatar/\(day)/\(String(repeating: "0", count: 32)).png",
                "/uploads/review/\(day)/\(file)",
            ]
            for uri in attempts {
                let fetched = try await client.fetch(uri)
                #expect(fetched.status == 404, "\(uri): \(fetched.status) \(String(decoding: fetched.bytes, as: UTF8.self))")
                #expect(!String(decoding: fetched.bytes, as: UTF8.self).contains("secret"), "\(uri)")
            }
            #expect(try await client.fetch("/uploads/\(key)").status == 200)
            // The router drops empty segments: these spell the same name and get the same image, nothing else.
            for uri in ["/uploads/\(key)/", "/uploads/avatar//\(day)/\(file)"] {
                let fetched = try await client.fetch(uri)
                #expect(fetched.status == 200 && fetched.bytes == TestImages.png, "\(uri)")
            }
        }
        await app.close()
    }

    @Test("presign with local storage says it needs object storage; multipart with object storage says to presign")
    func storageMismatch() async throws {
        let app = try await TestApp.make()
        try await app.application.test(.router) { client in
            let user = try await client.userToken(code: "local")
            let reply = try await client.call(.post, "/api/v1/uploads/presign", token: user,
                                              json: ["kind": "avatar", "contentType": "image/png", "sizeBytes": 100])
            #expect(reply.status == 409 && reply.message.contains("MALL_UPLOAD_STORAGE=s3"), "\(reply.raw)")
        }
        let services = app.services(uploads: .init(storage: try Self.objectStorage()))
        try await Application(router: buildRouter(services)).test(.router) { client in
            let user = try await client.userToken(code: "s3")
            let body = TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(TestImages.png)])
            let reply = try await client.upload("/api/v1/uploads", token: user, body: body)
            #expect(reply.status == 409 && reply.message.contains("presign"), "\(reply.raw)")
            #expect(try await client.fetch("/uploads/avatar/20261127/0123456789abcdef0123456789abcdef.png").status == 404)
        }
        await app.close()
    }

    @Test("presign answers a signed PUT binding type and length, and validates kind, type and size like a posted file")
    func presignValidation() async throws {
        let app = try await TestApp.make()
        let services = app.services(uploads: .init(storage: try Self.objectStorage(), limits: Self.smallLimits))
        try await Application(router: buildRouter(services)).test(.router) { client in
            let user = try await client.userToken(code: "presigner")
            let admin = try await client.adminToken()
            let reply = try await client.call(.post, "/api/v1/uploads/presign", token: user,
                                              json: ["kind": "review", "contentType": "image/webp", "sizeBytes": 2_000])
            #expect(reply.status == 200, "\(reply.raw)")
            let key = try #require(reply.data["key"] as? String)
            #expect(key.hasPrefix("review/") && key.hasSuffix(".webp"))
            #expect(reply.data["method"] as? String == "PUT")
            let uploadURL = try #require(reply.data["uploadUrl"] as? String)
            #expect(uploadURL.hasPrefix("http://mall-uploads-1250000000.127.0.0.1:9/\(key)?X-Amz-Algorithm=AWS4-HMAC-SHA256"))
            #expect(uploadURL.contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"))
            #expect(uploadURL.contains("X-Amz-Expires=600") && uploadURL.contains("X-Amz-Signature="))
            #expect(reply.data["headers"] as? [String: String] == ["Content-Type": "image/webp", "Content-Length": "2000"])
            #expect(reply.data["url"] as? String == "https://img.example.test/\(key)")
            let expiresAt = try #require(reply.data["expiresAt"] as? String)
            let expiresMs = try #require(APITime.parse(expiresAt))
            #expect(abs(expiresMs - (app.engine.nowMs + 600_000)) <= 1_000)

            let admins = try await client.call(.post, "/admin/v1/uploads/presign", token: admin,
                                               json: ["kind": "product", "contentType": "image/jpeg", "sizeBytes": 3_000])
            #expect(admins.status == 200 && (admins.data["key"] as? String)?.hasPrefix("product/") == true, "\(admins.raw)")

            let refused: [([String: Any], Int, String)] = [
                (["kind": "product", "contentType": "image/png", "sizeBytes": 10], 400, "kind"),
                (["kind": "banner", "contentType": "image/png", "sizeBytes": 10], 400, "kind"),
                (["kind": "avatar", "contentType": "text/html", "sizeBytes": 10], 400, "contentType"),
                (["kind": "avatar", "contentType": "image/svg+xml", "sizeBytes": 10], 400, "contentType"),
                (["kind": "avatar", "contentType": "image/png", "sizeBytes": 0], 400, "sizeBytes"),
                (["kind": "avatar", "contentType": "image/png", "sizeBytes": -1], 400, "sizeBytes"),
                (["kind": "avatar", "contentType": "image/png", "sizeBytes": 20_971_521], 400, "sizeBytes"),
                (["kind": "avatar", "contentType": "image/png", "sizeBytes": 1_001], 413, "sizeBytes"),
                (["kind": "avatar", "contentType": "image/png"], 400, "sizeBytes"),
                (["kind": "avatar", "contentType": "image/png", "sizeBytes": 10, "fileName": "x.png"], 400, "fileName"),
                (["kind": "avatar", "contentType": "image/png", "sizeBytes": 1.5], 400, "sizeBytes"),
            ]
            for (json, status, field) in refused {
                let reply = try await client.call(.post, "/api/v1/uploads/presign", token: user, json: json)
                #expect(reply.status == status, "\(json): \(reply.raw)")
                let fields = reply.data["fieldErrors"] as? [[String: String]]
                #expect(fields?.contains { $0["field"] == field } == true, "\(json): \(reply.raw)")
            }
        }
        await app.close()
    }
}

@Suite("Multipart parsing and image sniffing")
struct MultipartParserTests {
    @Test("parts, names, file names and content types are read; content keeps CR and LF bytes")
    func parsesParts() throws {
        let content = Array("line1\r\n--not-the-boundary\r\nline3".utf8)
        let body = TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(content, fileName: "a;b.png")])
        let form = try MultipartFormData(body: body, boundary: Array(TestImages.boundary.utf8))
        #expect(form.parts.map(\.name) == ["kind", "file"])
        #expect(form.parts[1].fileName == "a;b.png")
        #expect(form.parts[1].contentType == "image/png")
        #expect(Array(body[form.parts[1].range]) == content)
        #expect(Array(body[form.parts[0].range]) == Array("avatar".utf8))
    }

    @Test("any truncation of a valid body is refused or parsed within it, never a trap")
    func truncations() throws {
        let body = TestImages.multipart([TestImages.field("kind", "avatar"), TestImages.file(TestImages.png)])
        for length in 0..<body.count {
            let prefix = Array(body.prefix(length))
            if let form = try? MultipartFormData(body: prefix, boundary: Array(TestImages.boundary.utf8)) {
                for part in form.parts { #expect(part.range.upperBound <= prefix.count) }
            }
        }
    }

    @Test("magic bytes decide the type")
    func sniffing() {
        #expect(ImageType.sniff(TestImages.png) == .png)
        #expect(ImageType.sniff(TestImages.jpeg) == .jpeg)
        #expect(ImageType.sniff(TestImages.gif) == .gif)
        #expect(ImageType.sniff(Array("GIF87a".utf8)) == .gif)
        #expect(ImageType.sniff(TestImages.webp) == .webp)
        #expect(ImageType.sniff(TestImages.html) == nil)
        #expect(ImageType.sniff([]) == nil)
        #expect(ImageType.sniff([0xFF, 0xD8]) == nil)
        #expect(ImageType.sniff(Array("RIFF\0\0\0\0".utf8)) == nil)
    }

    @Test("upload keys parse only in the exact shape the server makes")
    func keys() {
        #expect(UploadKey("avatar/20261127/0123456789abcdef0123456789abcdef.png")?.type == .png)
        for text in ["avatar/20261127/0123456789ABCDEF0123456789abcdef.png", "avatar/2026112/0123456789abcdef0123456789abcdef.png",
                     "avatar/20261127/0123456789abcdef0123456789abcdef.svg", "avatar/20261127/../0123456789abcdef0123456789abcdef.png",
                     "x/20261127/0123456789abcdef0123456789abcdef.png", "avatar/20261127/0123456789abcdef0123456789abcdef",
                     "avatar/20261127/0123456789abcdef0123456789abcde.png", "avatar/20261127/0123456789abcdef0123456789abcdef.png.png"] {
            #expect(UploadKey(text) == nil, "\(text)")
        }
        var random = SystemRandomNumberGenerator()
        let key = UploadKey(kind: .review, type: .webp, day: "20261127", random: &random)
        #expect(UploadKey(key.description) == key)
        #expect(UploadController.day(0) == "19700101")
    }
}
