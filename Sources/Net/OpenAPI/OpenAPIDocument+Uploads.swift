import WeChat

private typealias S = OpenAPISchema

/// Image uploads: multipart to this server (local storage) or presigned PUTs
/// to object storage, and the local files under `/uploads`.
extension OpenAPIDocument {
    static var uploadLimitsText: String {
        let limits = UploadLimits()
        return UploadKind.allCases.map { "\($0.rawValue) \(limits[$0]) bytes (\(limits[$0] / UploadLimits.mebibyte) MiB)" }
            .joined(separator: ", ")
    }

    static var uploadRoutes: [Route] {
        let common = "Images are JPEG, PNG, WebP or GIF. Limits by default: \(uploadLimitsText); the server's MALL_UPLOAD_PRODUCT_BYTES_MAX, MALL_UPLOAD_AVATAR_BYTES_MAX and MALL_UPLOAD_REVIEW_BYTES_MAX may set others (at most \(UploadLimits.sizeBytesMaxLimit) bytes). A larger image is 413 naming the field."
        func multipart(_ surface: String, kinds: [UploadKind], security: S.Security) -> Route {
            Route(method: "post", path: "/\(surface)/uploads", operation: S.operation(
                "uploads", surface == "api/v1" ? "Upload an image" : "Upload a product image",
                "With local storage (the default): `multipart/form-data` as `wx.uploadFile` sends it, the image in the part `file` and the kind in the field `kind` (\(kinds.map(\.rawValue).joined(separator: " or "))). The type is recognised by the image's first bytes, never by its name or declared type (400 naming `file` otherwise); the stored name is random. The body may be at most the kind's limit plus \(UploadController.multipartOverheadBytes) bytes. Answers where the image is served (`url`, under /uploads). With object storage (MALL_UPLOAD_STORAGE=s3) this answers 409: use uploads/presign. " + common,
                security: security, body: multipartBody(kinds), status: "201", data: S.ref("Upload"),
                errors: [400, 401, 40101, 409, 413, 500]))
        }
        func presign(_ surface: String, kinds: [UploadKind], security: S.Security) -> Route {
            Route(method: "post", path: "/\(surface)/uploads/presign", operation: S.operation(
                "uploads", surface == "api/v1" ? "Presign an image upload" : "Presign a product image upload",
                "With object storage (MALL_UPLOAD_STORAGE=s3: AWS S3, Tencent COS, Aliyun OSS and other S3-compatible services): a URL to PUT the image to directly, signed with AWS Signature Version 4 for \(SigV4Presigner.expirySecondsDefault / 60) minutes. Send exactly the `headers` returned: the signature covers the Content-Type and the Content-Length, so the storage refuses another type or size. `url` is where the image is served once uploaded. With local storage this answers 409: post the file to uploads instead. " + common,
                security: security, body: S.jsonBody(S.ref(surface == "api/v1" ? "PresignUploadRequest" : "AdminPresignUploadRequest")),
                data: S.ref("PresignedUpload"), errors: [400, 401, 40101, 409, 413, 500]))
        }
        return [
            multipart("api/v1", kinds: UploadKind.buyerKinds, security: .user),
            presign("api/v1", kinds: UploadKind.buyerKinds, security: .user),
            multipart("admin/v1", kinds: UploadKind.adminKinds, security: .admin),
            presign("admin/v1", kinds: UploadKind.adminKinds, security: .admin),
            Route(method: "get", path: "/uploads/{kind}/{day}/{file}", operation: fileOperation),
        ]
    }

    private static func multipartBody(_ kinds: [UploadKind]) -> OpenAPIValue {
        [
            "required": true,
            "content": ["multipart/form-data": [
                "schema": S.object("", required: ["file", "kind"], [
                    "file": ["type": "string", "format": "binary", "description": "The image."],
                    "kind": S.enumeration(kinds.map(\.rawValue), "What the image is for."),
                ]),
                "encoding": ["file": ["contentType": .string(ImageType.allCases.map(\.contentType).joined(separator: ", "))]],
            ]],
        ]
    }

    private static var fileOperation: OpenAPIValue {
        let name = "^[0-9a-f]{\(UploadKey.nameDigits)}\\.(\(ImageType.allCases.map(\.fileExtension).joined(separator: "|")))$"
        return [
            "tags": ["uploads"], "summary": "Uploaded image", "operationId": "uploadsUploadedImage", "security": [],
            "description": "An image uploaded to this server (local storage), with its type, `X-Content-Type-Options: nosniff` and `Cache-Control: public, max-age=31536000, immutable` (names are random and never reused). Only names of exactly the shape the server makes are looked up; anything else, and every path with object storage, is 404. Rate-limited per client address as a read.",
            "parameters": [
                S.parameter("kind", in: "path", S.enumeration(UploadKind.allCases.map(\.rawValue), "Kind."), "What the image is for."),
                S.parameter("day", in: "path", ["type": "string", "minLength": 8, "maxLength": 8, "pattern": "^[0-9]{8}$"],
                            "Upload day, yyyyMMdd (UTC)."),
                S.parameter("file", in: "path", ["type": "string", "minLength": 36, "maxLength": 37, "pattern": .string(name)],
                            "Random name and extension."),
            ],
            "responses": [
                "200": ["description": "The image.", "content": .object(ImageType.allCases.map {
                    .init(key: $0.contentType, value: ["schema": ["type": "string", "format": "binary"]])
                })],
                "404": ["$ref": "#/components/responses/E404"],
                "429": ["$ref": "#/components/responses/E429"],
            ],
        ]
    }

    static var uploadSchemas: [(key: String, value: OpenAPIValue)] {
        func presignRequest(_ kinds: [UploadKind]) -> OpenAPIValue {
            S.object("The image about to be uploaded.", required: ["kind", "contentType", "sizeBytes"], closed: true, [
                "kind": S.enumeration(kinds.map(\.rawValue), "What the image is for."),
                "contentType": S.enumeration(ImageType.allCases.map(\.contentType), "The image's type."),
                "sizeBytes": PresignUploadRequest.sizeBytesRule.schema(
                    "Exact size of the image in bytes; also at most the kind's limit (413). The upload must be exactly this long."),
            ])
        }
        return [
            ("PresignUploadRequest", presignRequest(UploadKind.buyerKinds)),
            ("AdminPresignUploadRequest", presignRequest(UploadKind.adminKinds)),
            ("Upload", S.object("An image stored on this server.", required: ["url", "key", "contentType", "sizeBytes"], [
                "url": S.string("Where it is served: /uploads/<key>, relative to this server.",
                                example: "/uploads/avatar/20261127/0123456789abcdef0123456789abcdef.png"),
                "key": S.string("Its name: <kind>/<yyyyMMdd>/<32 random hex digits>.<ext>.",
                                example: "avatar/20261127/0123456789abcdef0123456789abcdef.png"),
                "contentType": S.enumeration(ImageType.allCases.map(\.contentType), "The type its bytes show."),
                "sizeBytes": S.integer("Its size in bytes."),
            ])),
            ("PresignedUpload", S.object("A direct upload to object storage.",
                                         required: ["method", "uploadUrl", "headers", "url", "key", "expiresAt"], [
                "method": S.enumeration(["PUT"], "The method to send."),
                "uploadUrl": S.string("The presigned URL (AWS Signature Version 4 in the query)."),
                "headers": S.map("Headers to send exactly as given (Content-Type, Content-Length): the signature covers them."),
                "url": S.string("The image's public URL once uploaded (MALL_S3_PUBLIC_BASE_URL + key)."),
                "key": S.string("Its object key: <kind>/<yyyyMMdd>/<32 random hex digits>.<ext>."),
                "expiresAt": S.time("When uploadUrl stops working."),
            ])),
        ]
    }
}
