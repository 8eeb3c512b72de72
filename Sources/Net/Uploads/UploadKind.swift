/// What an image is for: it picks the size limit, who may upload it and the
/// first segment of its key.
public enum UploadKind: String, CaseIterable, Sendable {
    /// Product pictures: back office only (`product:write`).
    case product
    /// A buyer's own avatar.
    case avatar
    /// Pictures in a buyer's review.
    case review

    /// The kinds a buyer may upload on `/api/v1`.
    static let buyerKinds: [UploadKind] = [.avatar, .review]
    /// The kinds the back office uploads on `/admin/v1`.
    static let adminKinds: [UploadKind] = [.product]
}

/// The image formats accepted, recognised by their first bytes: the type a
/// client declares is never trusted for what is stored or served.
public enum ImageType: String, CaseIterable, Sendable {
    case jpeg, png, webp, gif

    public var contentType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .gif: "image/gif"
        }
    }

    /// The file name extension of stored objects.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .gif: "gif"
        }
    }

    public init?(contentType: String) {
        guard let type = Self.allCases.first(where: { $0.contentType == contentType }) else { return nil }
        self = type
    }

    public init?(fileExtension: String) {
        guard let type = Self.allCases.first(where: { $0.fileExtension == fileExtension }) else { return nil }
        self = type
    }

    /// Bytes a sniff needs at most: the WebP header is the longest (12).
    static let headerBytesMax = 12

    /// The format whose signature `bytes` starts with: JPEG `FF D8 FF`, PNG's
    /// 8-byte signature, `GIF87a`/`GIF89a`, WebP `RIFF....WEBP`.
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ImageType? where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(headerBytesMax))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .webp }
        return nil
    }

    static var allowedList: String { allCases.map(\.contentType).joined(separator: ", ") }
}

/// The largest image of each kind, in bytes.
public struct UploadLimits: Sendable, Equatable {
    public static let mebibyte: Int64 = 1 << 20
    /// A limit from configuration is clamped to 1 byte ... 20 MiB: a local upload
    /// is held in memory while it is parsed, so this bounds that memory.
    public static let sizeBytesMaxLimit: Int64 = 20 * mebibyte

    public var productBytesMax: Int64 = 5 * mebibyte
    public var avatarBytesMax: Int64 = 2 * mebibyte
    public var reviewBytesMax: Int64 = 5 * mebibyte

    public init() {}

    public subscript(kind: UploadKind) -> Int64 {
        get {
            switch kind {
            case .product: productBytesMax
            case .avatar: avatarBytesMax
            case .review: reviewBytesMax
            }
        }
        set {
            let clamped = min(max(newValue, 1), Self.sizeBytesMaxLimit)
            switch kind {
            case .product: productBytesMax = clamped
            case .avatar: avatarBytesMax = clamped
            case .review: reviewBytesMax = clamped
            }
        }
    }

    /// The largest of `kinds`' limits.
    func largest(of kinds: [UploadKind]) -> Int64 {
        kinds.map { self[$0] }.max() ?? 0
    }
}
