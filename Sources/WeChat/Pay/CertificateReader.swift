import Foundation

/// Just enough DER to take the serial number and SubjectPublicKeyInfo out of
/// an X.509 platform certificate (RFC 5280 §4.1), so the WeChat target needs
/// no X.509 library. It does not check validity dates or the issuer: platform
/// certificates arrive AES-GCM-encrypted under the APIv3 key (section 5.11),
/// which is what authenticates them.
enum CertificateReader {
    struct Parts {
        var serialHex: String
        var subjectPublicKeyInfoDER: Data
    }

    /// Certificates are about 1.5 KB; refuse anything absurdly large.
    static let pemBytesMax = 64 * 1024

    static func read(pem: String) throws(WeChatPayError) -> Parts {
        guard pem.utf8.count <= pemBytesMax else { throw .invalidKey("certificate PEM too large") }
        let base64 = pem.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("-----") }
            .joined()
        guard pem.contains("BEGIN CERTIFICATE"), let der = Data(base64Encoded: base64) else {
            throw .invalidKey("not a PEM certificate")
        }
        guard let parts = parse(der: [UInt8](der)) else { throw .invalidKey("certificate DER is malformed") }
        return parts
    }

    static func parse(der: [UInt8]) -> Parts? {
        var outer = DERReader(bytes: der[...])
        guard let certificate = outer.read(tag: 0x30) else { return nil }
        var certificateReader = DERReader(bytes: certificate.content)
        guard let tbs = certificateReader.read(tag: 0x30) else { return nil }
        var fields = DERReader(bytes: tbs.content)
        if fields.peekTag == 0xA0 { _ = fields.read(tag: 0xA0) }  // [0] EXPLICIT version
        guard let serial = fields.read(tag: 0x02) else { return nil }
        for _ in 0..<4 {  // signature algorithm, issuer, validity, subject
            guard fields.read(tag: 0x30) != nil else { return nil }
        }
        guard let publicKeyInfo = fields.read(tag: 0x30) else { return nil }
        let serialBytes = serial.content.drop { $0 == 0 }
        let serialHex = serialBytes.isEmpty ? "0" : serialBytes.map { String(format: "%02X", $0) }.joined()
        return Parts(serialHex: serialHex, subjectPublicKeyInfoDER: Data(publicKeyInfo.whole))
    }
}

/// Reads definite-length DER TLVs; every read is bounds-checked and returns
/// nil on malformed input.
struct DERReader {
    struct Element {
        var whole: ArraySlice<UInt8>
        var content: ArraySlice<UInt8>
    }

    /// Lengths beyond 4 bytes (4 GiB) cannot occur in a certificate.
    static let lengthBytesMax = 4

    var bytes: ArraySlice<UInt8>

    var peekTag: UInt8? { bytes.first }

    mutating func read(tag: UInt8) -> Element? {
        let start = bytes.startIndex
        guard bytes.count >= 2, bytes[start] == tag else { return nil }
        var index = start + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= Self.lengthBytesMax, bytes.endIndex - index >= count else { return nil }
            for byte in bytes[index..<(index + count)] { length = length << 8 | Int(byte) }
            index += count
        }
        guard bytes.endIndex - index >= length else { return nil }
        let end = index + length
        let element = Element(whole: bytes[start..<end], content: bytes[index..<end])
        bytes = bytes[end...]
        return element
    }
}
