import WeChat

/// Where uploaded images go. `mall serve` picks one (MALL_UPLOAD_STORAGE):
/// files on this server's disk, or an S3-compatible bucket the mini-program
/// uploads to directly. Each refuses, with a reason the client can act on,
/// what only the other can do; it never switches to the other.
public protocol UploadStorage: Sendable {
    /// Stores an image posted to this server, already checked, under `key`.
    func store(_ bytes: [UInt8], as key: UploadKey) async throws(UploadError) -> StoredUpload
    /// A URL the client uploads `sizeBytes` of `key`'s type to, valid from `nowMs`.
    func presign(_ key: UploadKey, sizeBytes: Int64, nowMs: Int64) throws(UploadError) -> PresignedUpload
    /// The file of `key` this server serves under `/uploads`.
    func localFile(of key: UploadKey) throws(UploadError) -> String
}

/// An image stored on this server.
public struct StoredUpload: Sendable, Equatable {
    public var key: UploadKey
    /// Where clients load it from: `/uploads/<key>` locally.
    public var url: String
    public var sizeBytes: Int64
}

/// An upload the client sends straight to object storage.
public struct PresignedUpload: Sendable, Equatable {
    public var request: PresignedRequest
    public var key: UploadKey
    /// The image's public URL once uploaded.
    public var url: String
}

/// Why an upload could not be stored, presigned or served. Each maps to one API code.
public enum UploadError: Error, Sendable {
    /// Object storage is configured: the file goes to the bucket, not through this server.
    case usePresign
    /// Local storage is configured: there is no bucket to presign for.
    case presignNeedsObjectStorage
    /// Object storage is configured: this server holds no files.
    case notServedHere
    /// Writing the file failed (disk full, permissions); the cause goes to the log only.
    case writeFailed(String)
    case presignFailed(ObjectStoragePresignError)
}

extension APIError {
    /// The one place upload failures become API codes.
    init(_ error: UploadError) {
        switch error {
        case .usePresign:
            self.init(.conflict, "this server stores uploads in object storage: POST uploads/presign with {kind, contentType, sizeBytes}, then PUT the file to the uploadUrl it returns")
        case .presignNeedsObjectStorage:
            self.init(.conflict, "presigned uploads need object storage (MALL_UPLOAD_STORAGE=s3); this server stores uploads itself: POST the file as multipart/form-data to uploads")
        case .notServedHere:
            self.init(.notFound, "this server keeps no uploads; images are served from object storage")
        case .writeFailed, .presignFailed:
            self.init(.internalError)
        }
    }
}
