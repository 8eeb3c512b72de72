import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Image uploads for products (back office), avatars and reviews (buyers):
/// posted to this server as `multipart/form-data` with local storage, or
/// presigned for a direct PUT to object storage; and the local files, served
/// under `/uploads`.
struct UploadController {
    let storage: any UploadStorage
    let limits: UploadLimits
    let nowMs: @Sendable () -> Int64

    /// Multipart overhead allowed over the largest image: boundaries, part headers, the kind field.
    static let multipartOverheadBytes = 16_384
    /// A kind field's value: the longest kind name, with room to refuse a wrong one by name.
    static let kindFieldBytesMax = 32
    static let fileField = "file"
    static let kindField = "kind"

    /// The body limit of an upload route whose kinds are `kinds`: what the request-signing middleware reads at most too.
    func bodyBytesMax(_ kinds: [UploadKind]) -> Int {
        Int(limits.largest(of: kinds)) + Self.multipartOverheadBytes
    }

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("uploads") { request, context in try await self.upload(request, context: context, kinds: UploadKind.buyerKinds) }
        group.post("uploads/presign") { request, context in try await self.presign(request, context: context, kinds: UploadKind.buyerKinds) }
    }

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("uploads") { request, context in try await self.upload(request, context: context, kinds: UploadKind.adminKinds) }
        group.post("uploads/presign") { request, context in try await self.presign(request, context: context, kinds: UploadKind.adminKinds) }
    }

    func addFileRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("uploads/:kind/:day/:file", use: serve)
    }

    func upload(_ request: Request, context: MallRequestContext, kinds: [UploadKind]) async throws -> Envelope<UploadResponse> {
        let boundary = try MultipartFormData.boundary(contentType: request.headers[.contentType])
        let bodyBytesMax = bodyBytesMax(kinds)
        // A declared length over the limit is refused before a byte is read.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyBytesMax {
            throw APIError(.payloadTooLarge, "an upload body is at most \(bodyBytesMax) bytes")
        }
        let body = try await request.body.collect(upTo: bodyBytesMax)
        let bytes = Array(body.readableBytesView)
        let form = try MultipartFormData(body: bytes, boundary: boundary)
        let (kind, file) = try Self.fields(of: form, body: bytes, kinds: kinds)
        guard file.count <= limits[kind] else {
            throw APIError(.payloadTooLarge, "file: \(UploadRules.sizeRule(kind, limits))",
                           fieldErrors: [.init(field: Self.fileField, rule: UploadRules.sizeRule(kind, limits))])
        }
        guard !file.isEmpty else { throw APIError.invalid(Self.fileField, "must not be empty") }
        guard let type = ImageType.sniff(file) else { throw APIError.invalid(Self.fileField, UploadRules.fileTypeRule) }
        var random = SystemRandomNumberGenerator()
        let key = UploadKey(kind: kind, type: type, day: Self.day(nowMs()), random: &random)
        do {
            let stored = try await storage.store(file, as: key)
            return Envelope(UploadResponse(stored), status: .created)
        } catch {
            if case .writeFailed(let cause) = error { context.logger.error("upload not stored", metadata: ["error": "\(cause)"]) }
            throw APIError(error)
        }
    }

    /// The `kind` field and the `file` part; any other part, a repeated one or a missing one is a 400 naming it.
    static func fields(of form: MultipartFormData, body: [UInt8], kinds: [UploadKind]) throws(APIError) -> (UploadKind, [UInt8]) {
        var kindText: String?
        var file: [UInt8]?
        for part in form.parts {
            switch part.name {
            case fileField:
                guard file == nil else { throw APIError.invalid(fileField, "must be sent once") }
                file = Array(body[part.range])
            case kindField:
                guard kindText == nil else { throw APIError.invalid(kindField, "must be sent once") }
                guard part.range.count <= kindFieldBytesMax else { throw APIError.invalid(kindField, UploadRules.kindRule(kinds)) }
                kindText = String(decoding: body[part.range], as: UTF8.self)
            default:
                throw APIError.invalid(String(part.name.prefix(64)), "is not a field here; the fields are file, kind")
            }
        }
        var validation = Validation()
        let kind = kindText.flatMap(UploadKind.init(rawValue:)).flatMap { kinds.contains($0) ? $0 : nil }
        validation.require(kind != nil, kindField, kindText == nil ? "is required" : UploadRules.kindRule(kinds))
        validation.require(file != nil, fileField, "is required: a part named file holding the image")
        try validation.check()
        guard let kind, let file else { throw APIError(.invalidInput) }  // unreachable: check() threw for either nil
        return (kind, file)
    }

    func presign(_ request: Request, context: MallRequestContext, kinds: [UploadKind]) async throws -> Envelope<PresignResponse> {
        let input = try await RequestJSON.decode(PresignUploadRequest.self, from: request, context: context).validated(kinds: kinds)
        guard input.sizeBytes <= limits[input.kind] else {
            throw APIError(.payloadTooLarge, "sizeBytes: \(UploadRules.sizeRule(input.kind, limits))",
                           fieldErrors: [.init(field: "sizeBytes", rule: UploadRules.sizeRule(input.kind, limits))])
        }
        let now = nowMs()
        var random = SystemRandomNumberGenerator()
        let key = UploadKey(kind: input.kind, type: input.type, day: Self.day(now), random: &random)
        do {
            return Envelope(PresignResponse(try storage.presign(key, sizeBytes: input.sizeBytes, nowMs: now)))
        } catch {
            if case .presignFailed(let cause) = error { context.logger.error("presign failed", metadata: ["error": "\(cause)"]) }
            throw APIError(error)
        }
    }

    /// A local image. Only a path of exactly the shape the server makes is looked up:
    /// `..`, `%2F`, other extensions or upper-case hex are 404 before the disk is touched.
    @Sendable func serve(_ request: Request, context: MallRequestContext) async throws -> Response {
        guard let key = UploadKey(kind: context.parameters.get("kind") ?? "", day: context.parameters.get("day") ?? "",
                                  file: context.parameters.get("file") ?? "") else {
            throw APIError(.notFound, "no such upload")
        }
        let path: String
        do { path = try storage.localFile(of: key) } catch { throw APIError(error) }
        let body: ResponseBody
        do {
            body = try await FileIO().loadFile(path: path, context: context)
        } catch {
            throw APIError(.notFound, "no such upload")
        }
        let headers: HTTPFields = [
            .contentType: key.type.contentType,
            .xContentTypeOptions: "nosniff",
            // The name is random and never reused for other bytes: caches may keep it for good.
            .cacheControl: "public, max-age=31536000, immutable",
            .contentSecurityPolicy: "default-src 'none'; sandbox",
        ]
        return Response(status: .ok, headers: headers, body: body)
    }

    /// `yyyyMMdd` of `ms` in UTC.
    static func day(_ ms: Int64) -> String {
        let time = CivilTime(epochMs: ms)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(time.year, 4) + pad(time.month, 2) + pad(time.day, 2)
    }
}
