import Engine
import WeChat

/// `POST .../uploads/presign`: what the client is about to upload.
struct PresignUploadRequest: Decodable, Sendable {
    var kind: String
    var contentType: String
    var sizeBytes: Int64

    static let sizeBytesRule = IntegerRule(1...UploadLimits.sizeBytesMaxLimit)

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, contentType, sizeBytes }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        kind = try container.required(String.self, .kind)
        contentType = try container.required(String.self, .contentType)
        sizeBytes = try container.required(Int64.self, .sizeBytes)
    }

    /// The kind (one `kinds` allows), the image type and the size, or a 400 naming every bad field.
    /// The kind's own size limit is checked by the caller (a 413, as for a posted file).
    func validated(kinds: [UploadKind]) throws(APIError) -> (kind: UploadKind, type: ImageType, sizeBytes: Int64) {
        var validation = Validation()
        let kind = UploadKind(rawValue: kind).flatMap { kinds.contains($0) ? $0 : nil }
        validation.require(kind != nil, "kind", UploadRules.kindRule(kinds))
        let type = ImageType(contentType: contentType)
        validation.require(type != nil, "contentType", UploadRules.typeRule)
        validation.integer(sizeBytes, "sizeBytes", Self.sizeBytesRule)
        try validation.check()
        guard let kind, let type else { throw APIError(.invalidInput) }  // unreachable: check() threw for either nil
        return (kind, type, sizeBytes)
    }
}

enum UploadRules {
    static func kindRule(_ kinds: [UploadKind]) -> String {
        "must be " + kinds.map(\.rawValue).joined(separator: " or ")
    }

    static let typeRule = "must be one of \(ImageType.allowedList)"
    static let fileTypeRule = "must be a JPEG, PNG, WebP or GIF image, recognised by its first bytes (not its name or declared type)"

    static func sizeRule(_ kind: UploadKind, _ limits: UploadLimits) -> String {
        "must be at most \(limits[kind]) bytes for a \(kind.rawValue) image"
    }
}

/// An image stored on this server.
struct UploadResponse: Encodable, Sendable {
    var url: String
    var key: String
    var contentType: String
    var sizeBytes: Int64

    init(_ upload: StoredUpload) {
        (url, key, contentType, sizeBytes) = (upload.url, upload.key.description, upload.key.type.contentType, upload.sizeBytes)
    }
}

/// How to upload straight to object storage.
struct PresignResponse: Encodable, Sendable {
    var method: String
    var uploadUrl: String
    /// Send exactly these: the signature covers them.
    var headers: [String: String]
    var url: String
    var key: String
    var expiresAt: String

    init(_ upload: PresignedUpload) {
        method = upload.request.method
        uploadUrl = upload.request.url
        headers = Dictionary(upload.request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        url = upload.url
        key = upload.key.description
        expiresAt = APITime.format(ms: upload.request.expiresAtSeconds * 1000)
    }
}
