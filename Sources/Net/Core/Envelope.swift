import Foundation
import HTTPTypes
import Hummingbird

/// `{"code": 200, "message": "success", "data": {...}, "timestamp": ms}`, the
/// one shape of every JSON response (CONVENTIONS.md).
public struct Envelope<Payload: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var code: Int
    public var message: String
    public var data: Payload?
    public var status: HTTPResponse.Status
    var headers: HTTPFields = [:]

    public init(_ data: Payload, status: HTTPResponse.Status = .ok) {
        self.code = APICode.success.rawValue
        self.message = APICode.success.message
        self.data = data
        self.status = status
    }

    init(error: APIError) where Payload == ErrorDetail {
        code = error.code.rawValue
        message = error.message
        data = error.fieldErrors.isEmpty ? nil : ErrorDetail(fieldErrors: error.fieldErrors)
        status = error.code.status
        headers = error.headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let timestamp = Int64(Date().timeIntervalSince1970 * 1000)
        let bytes: [UInt8]
        if let fragment = data as? any JSONFragment {
            var writer = JSONFragmentWriter()
            writer.object { w in
                w.field("code", Int64(code)); w.field("message", message); w.fragment("data", fragment); w.field("timestamp", timestamp)
            }
            bytes = writer.bytes
        } else {
            bytes = Array(try EnvelopeCoding.encoder.encode(Body(code: code, message: message, data: data, timestamp: timestamp)))
        }
        var fields = Envelopes.fields
        if !headers.isEmpty {
            fields = headers
            fields[.contentType] = Envelopes.contentType
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private struct Body: Encodable {
        var code: Int
        var message: String
        var data: Payload?
        var timestamp: Int64

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(data, forKey: .data)   // `null` when absent, so the key is always there
            try container.encode(timestamp, forKey: .timestamp)
        }

        enum CodingKeys: String, CodingKey { case code, message, data, timestamp }
    }
}

public struct ErrorDetail: Encodable, Sendable {
    public var fieldErrors: [APIError.FieldError]
}

public struct Empty: Codable, Sendable {
    public init() {}
}

/// What every envelope shares, whatever its payload.
enum Envelopes {
    static let contentType = "application/json; charset=utf-8"
    /// An envelope's headers when it adds none: made once, so a reply shares them instead of allocating its own.
    static let fields: HTTPFields = [.contentType: contentType]
}

enum EnvelopeCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
