import WeChat

/// Images in an S3-compatible bucket (AWS S3, Tencent COS, Aliyun OSS, MinIO):
/// the mini-program PUTs the file straight to a presigned URL whose
/// signature binds the key, the Content-Type and the Content-Length, and
/// shows it from `publicBaseURL` (the bucket's public domain or a CDN).
public struct S3UploadStorage: UploadStorage {
    public let presigner: SigV4Presigner
    /// Public URL of the bucket's root, without a trailing `/`.
    public let publicBaseURL: String
    public let expirySeconds: Int64

    public init(presigner: SigV4Presigner, publicBaseURL: String, expirySeconds: Int64 = SigV4Presigner.expirySecondsDefault) {
        self.presigner = presigner
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.expirySeconds = expirySeconds
    }

    public func store(_ bytes: [UInt8], as key: UploadKey) async throws(UploadError) -> StoredUpload {
        throw .usePresign
    }

    public func presign(_ key: UploadKey, sizeBytes: Int64, nowMs: Int64) throws(UploadError) -> PresignedUpload {
        let nowSeconds = nowMs >= 0 ? nowMs / 1000 : (nowMs - 999) / 1000
        do {
            let request = try presigner.presign(
                method: "PUT", key: key.description,
                headers: [("Content-Type", key.type.contentType), ("Content-Length", String(sizeBytes))],
                nowSeconds: nowSeconds, expirySeconds: expirySeconds)
            return PresignedUpload(request: request, key: key, url: "\(publicBaseURL)/\(key)")
        } catch {
            throw .presignFailed(error)
        }
    }

    public func localFile(of key: UploadKey) throws(UploadError) -> String {
        throw .notServedHere
    }
}
