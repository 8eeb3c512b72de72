import ArgumentParser
import Logging
import Net
import WeChat

/// Where uploaded images go (`mall serve`): flags win over MALL_* variables.
/// Credentials come from the environment only, so they never show in `ps`.
struct UploadOptions: ParsableArguments {
    @Option(help: "Where uploads go: local (files under --upload-dir, served at /uploads; the default) or s3 (env MALL_UPLOAD_STORAGE)")
    var uploadStorage: String?

    @Option(help: "Directory of local uploads (env MALL_UPLOAD_DIR). Default: <data dir>/uploads")
    var uploadDir: String?

    @Option(help: "S3-compatible endpoint, http(s)://host[:port] (env MALL_S3_ENDPOINT), e.g. https://cos.ap-guangzhou.myqcloud.com")
    var s3Endpoint: String?

    @Option(help: "Region of the signature's scope (env MALL_S3_REGION), e.g. ap-guangzhou or oss-cn-hangzhou")
    var s3Region: String?

    @Option(help: "Bucket (env MALL_S3_BUCKET)")
    var s3Bucket: String?

    @Option(help: "Public URL of the bucket's root that images are shown from (env MALL_S3_PUBLIC_BASE_URL)")
    var s3PublicBaseURL: String?

    @Option(help: "Path-style URLs <endpoint>/<bucket>/<key>: 1 or 0 (env MALL_S3_PATH_STYLE). Default: 0, virtual-host style as COS and OSS want")
    var s3PathStyle: String?
}

enum UploadWiring {
    static let limitVariables: [(UploadKind, String)] = [
        (.product, "MALL_UPLOAD_PRODUCT_BYTES_MAX"), (.avatar, "MALL_UPLOAD_AVATAR_BYTES_MAX"), (.review, "MALL_UPLOAD_REVIEW_BYTES_MAX"),
    ]

    /// Local storage, or S3 with every setting present and valid. A missing or bad one stops the
    /// server naming it: never a silent fall back to local files (DESIGN "External services").
    static func make(_ options: UploadOptions, dataDirectory: String, logger: Logger) throws -> MallServices.Uploads {
        var limits = UploadLimits()
        for (kind, name) in limitVariables {
            guard let text = Environment.string(name) else { continue }
            guard let value = Int64(text), (1...UploadLimits.sizeBytesMaxLimit).contains(value) else {
                throw ValidationError("\(name) must be a number of bytes from 1 to \(UploadLimits.sizeBytesMaxLimit)")
            }
            limits[kind] = value
        }
        let choice = options.uploadStorage ?? Environment.string("MALL_UPLOAD_STORAGE") ?? "local"
        switch choice {
        case "local":
            let directory = options.uploadDir ?? Environment.string("MALL_UPLOAD_DIR") ?? dataDirectory + "/uploads"
            logger.info("uploads: local files, served at /uploads", metadata: ["directory": "\(directory)"])
            return MallServices.Uploads(storage: LocalUploadStorage(directory: directory), limits: limits)
        case "s3":
            let storage = try objectStorage(options)
            logger.info("uploads: S3-compatible object storage, presigned PUTs", metadata: [
                "endpoint": "\(storage.presigner.location.scheme.rawValue)://\(storage.presigner.location.authority)",
                "bucket": "\(storage.presigner.location.bucket)", "region": "\(storage.presigner.location.region)",
            ])
            return MallServices.Uploads(storage: storage, limits: limits)
        default:
            throw ValidationError("--upload-storage (MALL_UPLOAD_STORAGE) must be local or s3, not \"\(choice.prefix(32))\"")
        }
    }

    static func objectStorage(_ options: UploadOptions) throws -> S3UploadStorage {
        let settings: [(name: String, value: String?)] = [
            ("MALL_S3_ENDPOINT", options.s3Endpoint ?? Environment.string("MALL_S3_ENDPOINT")),
            ("MALL_S3_REGION", options.s3Region ?? Environment.string("MALL_S3_REGION")),
            ("MALL_S3_BUCKET", options.s3Bucket ?? Environment.string("MALL_S3_BUCKET")),
            ("MALL_S3_ACCESS_KEY_ID", Environment.string("MALL_S3_ACCESS_KEY_ID")),
            ("MALL_S3_SECRET_ACCESS_KEY", Environment.string("MALL_S3_SECRET_ACCESS_KEY")),
            ("MALL_S3_PUBLIC_BASE_URL", options.s3PublicBaseURL ?? Environment.string("MALL_S3_PUBLIC_BASE_URL")),
        ]
        let missing = settings.filter { $0.value == nil }.map(\.name)
        guard missing.isEmpty else {
            throw ValidationError("MALL_UPLOAD_STORAGE=s3 needs \(missing.joined(separator: ", ")); set them, or use MALL_UPLOAD_STORAGE=local")
        }
        let values = settings.map { $0.value ?? "" }
        let isPathStyle: Bool
        if let flag = options.s3PathStyle {
            guard let parsed = Environment.parseSwitch(flag) else { throw ValidationError("--s3-path-style must be 1 or 0") }
            isPathStyle = parsed
        } else {
            isPathStyle = try Environment.isOn("MALL_S3_PATH_STYLE")
        }
        let publicBaseURL = values[5]
        guard publicBaseURL.hasPrefix("https://") || publicBaseURL.hasPrefix("http://"), publicBaseURL.utf8.count <= 256,
              publicBaseURL.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ValidationError("MALL_S3_PUBLIC_BASE_URL must be an http(s) URL of at most 256 visible characters")
        }
        do {
            let location = try S3Location(endpoint: values[0], region: values[1], bucket: values[2], isPathStyle: isPathStyle)
            let credentials = try S3Credentials(accessKeyID: values[3], secretAccessKey: values[4])
            return S3UploadStorage(presigner: SigV4Presigner(location: location, credentials: credentials), publicBaseURL: publicBaseURL)
        } catch {
            throw ValidationError("MALL_UPLOAD_STORAGE=s3: \(error)")
        }
    }
}
