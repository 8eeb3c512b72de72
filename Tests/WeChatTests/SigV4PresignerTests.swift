import Testing
@testable import WeChat

@Suite("S3 presigned URLs (AWS Signature Version 4)")
struct SigV4PresignerTests {
    /// 2013-05-24T00:00:00Z, the time of AWS's published example.
    static let awsExampleSeconds: Int64 = 1_369_353_600
    /// 2026-11-27T02:00:00Z.
    static let botocoreSeconds: Int64 = 1_795_744_800

    static func awsExample() throws -> SigV4Presigner {
        SigV4Presigner(
            location: try S3Location(endpoint: "https://s3.amazonaws.com", region: "us-east-1", bucket: "examplebucket", isPathStyle: false),
            credentials: try S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
    }

    @Test("AWS's published presigned-URL example gives its signature")
    func awsPublishedExample() throws {
        // Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS Signature
        // Version 4)", example: GET test.txt, virtual-hosted style, 86400 s, signed header host only.
        let request = try Self.awsExample().presign(method: "GET", key: "test.txt", nowSeconds: Self.awsExampleSeconds,
                                                    expirySeconds: 86_400)
        #expect(request.url == "https://examplebucket.s3.amazonaws.com/test.txt"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(request.expiresAtSeconds == Self.awsExampleSeconds + 86_400)
    }

    @Test("the signing key of AWS's example derives through date, region and service")
    func signingKeyOfExample() throws {
        // Computed independently with Python's hmac/hashlib: HMAC-SHA256 chained over
        // "AWS4" + secret, 20130524, us-east-1, s3, aws4_request.
        let hex = SigV4Presigner.hex(try Self.awsExample().signingKey(date: "20130524"))
        #expect(hex == "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378")
    }

    /// Expected URLs produced with boto3/botocore 1.44.8 (`pip install boto3`):
    /// `boto3.client("s3", endpoint_url=..., region_name=..., aws_access_key_id="AKIDEXAMPLE0000MALL",
    /// aws_secret_access_key="mall/secret+key=example0000000000000000", config=Config(signature_version="s3v4",
    /// s3={"addressing_style": "path" | "virtual"})).generate_presigned_url("put_object", Params={Bucket, Key,
    /// ContentType[, ContentLength]}, ExpiresIn=600)` with `botocore.auth.datetime.datetime` patched to
    /// return 2026-11-27T02:00:00Z (unittest.mock).
    static let botocoreCredentials = ("AKIDEXAMPLE0000MALL", "mall/secret+key=example0000000000000000")

    @Test("a path-style PUT signing content-type and content-length matches botocore's")
    func pathStyleMatchesBotocore() throws {
        let presigner = SigV4Presigner(
            location: try S3Location(endpoint: "http://127.0.0.1:9000", region: "ap-guangzhou", bucket: "mall-uploads-1250000000",
                                     isPathStyle: true),
            credentials: try S3Credentials(accessKeyID: Self.botocoreCredentials.0, secretAccessKey: Self.botocoreCredentials.1))
        let request = try presigner.presign(
            method: "PUT", key: "product/20261127/0123456789abcdef0123456789abcdef.png",
            headers: [("Content-Type", "image/png"), ("Content-Length", "12345")], nowSeconds: Self.botocoreSeconds)
        #expect(request.url == "http://127.0.0.1:9000/mall-uploads-1250000000/product/20261127/0123456789abcdef0123456789abcdef.png"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE0000MALL%2F20261127%2Fap-guangzhou%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261127T020000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"
            + "&X-Amz-Signature=3984f70f8a175534e288aef2fd349140b57301d15064d07735532f9e64f4e36b")
        #expect(request.headers == [.init(name: "Content-Type", value: "image/png"), .init(name: "Content-Length", value: "12345")])
    }

    @Test("a virtual-host PUT (as Aliyun OSS wants it) matches botocore's")
    func virtualHostMatchesBotocore() throws {
        let presigner = SigV4Presigner(
            location: try S3Location(endpoint: "https://oss-cn-hangzhou.aliyuncs.com", region: "oss-cn-hangzhou", bucket: "mall-uploads",
                                     isPathStyle: false),
            credentials: try S3Credentials(accessKeyID: Self.botocoreCredentials.0, secretAccessKey: Self.botocoreCredentials.1))
        let request = try presigner.presign(method: "PUT", key: "review/20261127/ffffffffffffffffffffffffffffffff.webp",
                                            headers: [("Content-Type", "image/webp")], nowSeconds: Self.botocoreSeconds)
        #expect(request.url == "https://mall-uploads.oss-cn-hangzhou.aliyuncs.com/review/20261127/ffffffffffffffffffffffffffffffff.webp"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE0000MALL%2F20261127%2Foss-cn-hangzhou%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261127T020000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=content-type%3Bhost"
            + "&X-Amz-Signature=7b5eda8b8896ba428be801f5bdc6a6d376f6c19506fc3b048f2b23b666962dd4")
    }

    @Test("a different content type, length, key or clock gives a different signature")
    func everySignedPartCounts() throws {
        let presigner = try Self.awsExample()
        func signature(_ key: String = "a.png", type: String = "image/png", length: String = "10",
                       at seconds: Int64 = SigV4PresignerTests.awsExampleSeconds) throws -> String {
            let url = try presigner.presign(method: "PUT", key: key, headers: [("Content-Type", type), ("Content-Length", length)],
                                            nowSeconds: seconds).url
            return String(url.split(separator: "=").last ?? "")
        }
        let base = try signature()
        #expect(try signature(type: "text/html") != base)
        #expect(try signature(length: "11") != base)
        #expect(try signature("b.png") != base)
        #expect(try signature(at: Self.awsExampleSeconds + 1) != base)
        #expect(try signature() == base)
    }

    @Test("expiry is 1 s to 7 days; times before 1970 or after 9999 are refused, not trapped on")
    func bounds() throws {
        let presigner = try Self.awsExample()
        #expect(throws: ObjectStoragePresignError.expiry(604_801)) {
            try presigner.presign(method: "PUT", key: "k", nowSeconds: 0, expirySeconds: 604_801)
        }
        #expect(throws: ObjectStoragePresignError.expiry(0)) { try presigner.presign(method: "PUT", key: "k", nowSeconds: 0, expirySeconds: 0) }
        #expect(throws: ObjectStoragePresignError.time(-1)) { try presigner.presign(method: "PUT", key: "k", nowSeconds: -1) }
        #expect(throws: ObjectStoragePresignError.time(Int64.max)) { try presigner.presign(method: "PUT", key: "k", nowSeconds: .max) }
        #expect(try presigner.presign(method: "PUT", key: "k", nowSeconds: 0, expirySeconds: 604_800).url.contains("X-Amz-Expires=604800"))
        #expect(throws: ObjectStoragePresignError.header("Host")) {
            try presigner.presign(method: "PUT", key: "k", headers: [("Host", "evil")], nowSeconds: 0)
        }
        #expect(AmzTime(unixSeconds: 253_402_300_799)?.dateTime == "99991231T235959Z")
        #expect(AmzTime(unixSeconds: 951_782_400)?.date == "20000229")
    }

    @Test("keys are percent-encoded once, slashes kept; settings out of rule are refused with the rule")
    func encodingAndSettings() throws {
        let location = try S3Location(endpoint: "http://127.0.0.1:9000/", region: "us-east-1", bucket: "mall-test", isPathStyle: true)
        #expect(location.url(ofKey: "a b/纯+~.png") == "http://127.0.0.1:9000/mall-test/a%20b/%E7%BA%AF%2B~.png")
        for endpoint in ["ftp://x", "http://", "http://a/b", "http://a:0", "http://a:99999", "https://a b", "http://a:1:2"] {
            #expect(throws: ObjectStorageConfigurationError.self, "\(endpoint)") {
                try S3Location(endpoint: endpoint, region: "us-east-1", bucket: "mall-test", isPathStyle: true)
            }
        }
        for bucket in ["ab", "Mall", "-mall", "mall/x", String(repeating: "a", count: 64)] {
            #expect(throws: ObjectStorageConfigurationError.self, "\(bucket)") {
                try S3Location(endpoint: "http://a", region: "us-east-1", bucket: bucket, isPathStyle: true)
            }
        }
        #expect(throws: ObjectStorageConfigurationError.self) { try S3Credentials(accessKeyID: "", secretAccessKey: "x") }
        let credentials = try S3Credentials(accessKeyID: "AKID", secretAccessKey: "very-secret")
        #expect(!"\(credentials)".contains("very-secret"))
    }
}
