/// The name of a stored image: `<kind>/<yyyyMMdd>/<32 hex digits>.<ext>`.
/// The server makes it from 128 random bits; a client's file name never
/// reaches it. Parsing accepts exactly this shape, so a path built from a
/// parsed key cannot leave the upload directory.
public struct UploadKey: Sendable, Hashable, CustomStringConvertible {
    public let kind: UploadKind
    /// `yyyyMMdd` in UTC.
    public let day: String
    /// 32 lowercase hex digits.
    public let name: String
    public let type: ImageType

    static let nameDigits = 32

    /// A fresh key for an image uploaded at `nowMs`.
    init<Random: RandomNumberGenerator>(kind: UploadKind, type: ImageType, day: String, random: inout Random) {
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        (self.kind, self.type, self.day) = (kind, type, day)
        name = Self.hex(high) + Self.hex(low)
    }

    /// `kind`, `day` and `file` as three path segments, or nil unless each is exactly the shape the server makes.
    public init?(kind: String, day: String, file: String) {
        guard let kind = UploadKind(rawValue: kind), day.utf8.count == 8, day.utf8.allSatisfy(Self.isDigit) else { return nil }
        let parts = file.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == Self.nameDigits, parts[0].utf8.allSatisfy(Self.isLowerHex),
              let type = ImageType(fileExtension: String(parts[1])) else { return nil }
        (self.kind, self.day, self.name, self.type) = (kind, day, String(parts[0]), type)
    }

    /// `kind/yyyyMMdd/name.ext`.
    public init?(_ text: String) {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 3 else { return nil }
        self.init(kind: String(segments[0]), day: String(segments[1]), file: String(segments[2]))
    }

    public var description: String { "\(kind.rawValue)/\(day)/\(name).\(type.fileExtension)" }

    static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.utf8.count) + text
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    static func isLowerHex(_ byte: UInt8) -> Bool { isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) }
}
