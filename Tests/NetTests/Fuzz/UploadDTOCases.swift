import Foundation
import MallTestSupport
@testable import Net

/// Fuzz case of the upload presign request (the multipart body is fuzzed through the router).
extension DTOCase {
    static let presignUpload = DTOCase(
        name: "PresignUploadRequest", types: ["PresignUploadRequest"],
        shape: .object([
            .init("kind", .oneOf(UploadKind.buyerKinds.map(\.rawValue))),
            .init("contentType", .oneOf(ImageType.allCases.map(\.contentType))),
            .init("sizeBytes", .integer(PresignUploadRequest.sizeBytesRule, isOptional: false)),
        ]),
        run: { data in
            outcome {
                let input = try decode(PresignUploadRequest.self, data).validated(kinds: UploadKind.buyerKinds)
                var violations: [String] = []
                if !UploadKind.buyerKinds.contains(input.kind) { violations.append("kind \(input.kind)") }
                if !PresignUploadRequest.sizeBytesRule.accepts(input.sizeBytes) { violations.append("sizeBytes \(input.sizeBytes)") }
                return violations
            }
        })
}
