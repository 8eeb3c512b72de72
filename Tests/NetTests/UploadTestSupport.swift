import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import Net
import NIOCore
import Testing

/// Small images of each format, and multipart bodies as `wx.uploadFile` sends them.
enum TestImages {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("\0\0\0\rIHDR png body".utf8)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("JFIF jpeg body".utf8)
    static let gif: [UInt8] = Array("GIF89a gif body".utf8)
    static let webp: [UInt8] = Array("RIFF".utf8) + [0x20, 0, 0, 0] + Array("WEBPVP8 webp body".utf8)
    static let html: [UInt8] = Array("<html><script>alert(1)</script></html>".utf8)

    /// A PNG of exactly `sizeBytes` (its signature, then filler).
    static func png(sizeBytes: Int) -> [UInt8] {
        Array((png + Array(repeating: UInt8(ascii: "x"), count: max(0, sizeBytes - png.count))).prefix(sizeBytes))
    }

    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
        var bytes: [UInt8]
    }

    static func file(_ bytes: [UInt8], name: String = "file", fileName: String = "wx-tmp.png", contentType: String = "image/png") -> Part {
        Part(name: name, fileName: fileName, contentType: contentType, bytes: bytes)
    }

    static func field(_ name: String, _ value: String) -> Part { Part(name: name, bytes: Array(value.utf8)) }

    static func multipart(_ parts: [Part], boundary: String = boundary, closing: Bool = true) -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { head += "; filename=\"\(fileName)\"" }
            head += "\r\n"
            if let contentType = part.contentType { head += "Content-Type: \(contentType)\r\n" }
            body += Array((head + "\r\n").utf8) + part.bytes + Array("\r\n".utf8)
        }
        if closing { body += Array("--\(boundary)--\r\n".utf8) }
        return body
    }
}

extension TestClientProtocol {
    func upload(_ uri: String, token: String?, body: [UInt8],
                contentType: String? = "multipart/form-data; boundary=\(TestImages.boundary)") async throws -> Reply {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body)) { try Reply($0) }
    }

    /// Status, headers and bytes of a GET.
    func fetch(_ uri: String) async throws -> (status: Int, headers: HTTPFields, bytes: [UInt8]) {
        try await execute(uri: uri, method: .get) { response in
            (Int(response.status.code), response.headers, Array(response.body.readableBytesView))
        }
    }
}

extension TestApp {
    /// The services of this app with other upload settings.
    func services(uploads: MallServices.Uploads) -> MallServices {
        var services = services
        services.uploads = uploads
        return services
    }
}
