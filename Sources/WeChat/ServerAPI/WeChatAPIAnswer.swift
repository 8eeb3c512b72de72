import Foundation

/// A mini-program server API answer split into its errcode, its errmsg and
/// the rest of the JSON object (section 0). Not `Sendable`: it lives for one
/// parse, inside one call.
struct WeChatAPIAnswer {
    /// errmsg reaches logs and error descriptions: it is cut to this length.
    static let errmsgCharactersMax = 256

    let json: [String: Any]
    /// Absent or 0 means success.
    let errcode: Int
    let errmsg: String

    /// Parses a body that must be a JSON object. errcode may be a number or a
    /// numeric string (section 0); anything else, or a fraction, is a bad response.
    static func parse(_ body: Data) throws(WeChatError) -> WeChatAPIAnswer {
        guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .badResponse("body is not a JSON object")
        }
        let errcode: Int
        if let value = json["errcode"] {
            guard let parsed = LenientJSON.int(value) else { throw .badResponse("errcode is not an integer") }
            errcode = parsed
        } else {
            errcode = 0
        }
        let errmsg = String((json["errmsg"] as? String ?? "").prefix(errmsgCharactersMax))
        return WeChatAPIAnswer(json: json, errcode: errcode, errmsg: errmsg)
    }
}

/// The errcodes every access-token API shares (section 0): the token is
/// invalid or not the latest (40001), not a token (40014) or expired (42001).
/// The caller drops it, fetches a new one and retries once.
enum AccessTokenErrcode {
    static let rejections: Set<Int> = [40001, 40014, 42001]

    static func isRejection(_ errcode: Int) -> Bool { rejections.contains(errcode) }
}

enum LenientJSON {
    /// An integer sent as a JSON number or as a numeric string; nil for
    /// anything else, including numbers with a fraction or beyond `Int`
    /// (`NSNumber.intValue` would truncate or wrap those).
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let text as String: return Int(text.trimmingCharacters(in: .whitespaces))
        // Exact below 2^53, which covers every errcode WeChat documents.
        case let number as NSNumber: return Int(exactly: number.doubleValue)
        default: return nil
        }
    }
}
