/// A small little-endian binary codec for WAL payloads and snapshots.
/// JSON is too slow and too loose for the hot path; this writes exactly
/// what `ByteReader` reads back, and the reader never traps on bad input.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Lets `body` write to the end of `bytes` in place: no copy and, once `bytes` has grown, no allocation.
    public static func appending(to bytes: inout [UInt8], _ body: (inout ByteWriter) -> Void) {
        var writer = ByteWriter(capacity: 0)
        swap(&writer.bytes, &bytes)
        body(&writer)
        swap(&writer.bytes, &bytes)
    }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    public mutating func write(_ value: [UInt8]) {
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a count and then each element; callers sort first where order matters for digests.
    public mutating func write<C: Collection>(_ items: C, _ element: (inout ByteWriter, C.Element) -> Void) {
        write(UInt32(items.count))
        for item in items { element(&self, item) }
    }
}

public enum ByteDecodingError: Error, CustomStringConvertible, Equatable {
    case truncated(needed: Int, remaining: Int)
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated(let needed, let remaining): "truncated: needed \(needed) bytes, \(remaining) left"
        case .invalid(let reason): "invalid: \(reason)"
        }
    }
}

public struct ByteReader {
    /// Bounds every length read from input, so corrupt bytes cannot ask for a huge allocation.
    public static let lengthMax = 64 << 20

    private let bytes: [UInt8]
    public private(set) var offset: Int
    /// One past the last byte this reader may read: a record inside a larger buffer (a WAL frame)
    /// is decoded in place, without copying it out first.
    private let end: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        let start = min(max(offset, 0), bytes.count)
        self.init(bytes, range: start..<bytes.count)
    }

    /// Reads `bytes[range]` only; a range reaching outside `bytes` is cut to them.
    public init(_ bytes: [UInt8], range: Range<Int>) {
        let range = range.clamped(to: 0..<bytes.count)
        self.bytes = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    public var isAtEnd: Bool { offset == end }
    public var remaining: Int { end - offset }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws(ByteDecodingError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(needed: size, remaining: remaining) }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readBool() throws(ByteDecodingError) -> Bool {
        switch try read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let other: throw .invalid("bool byte \(other)")
        }
    }

    public mutating func readLength() throws(ByteDecodingError) -> Int {
        let length = Int(try read(UInt32.self))
        guard length <= Self.lengthMax else { throw .invalid("length \(length) above \(Self.lengthMax)") }
        return length
    }

    public mutating func readString() throws(ByteDecodingError) -> String {
        let length = try readLength()
        guard remaining >= length else { throw .truncated(needed: length, remaining: remaining) }
        let start = offset
        offset += length
        let string = bytes.withUnsafeBufferPointer { buffer -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[start..<start + length])
            // ASCII is valid UTF-8 and decodes unchanged; `String(validating:as:)` looks up generic
            // metadata on every call (13% of a snapshot load), so it is kept for the rest.
            if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let string else { throw .invalid("string is not UTF-8") }
        return string
    }

    /// Steps over `count` bytes (a field read elsewhere, e.g. by another thread).
    public mutating func skip(_ count: Int) throws(ByteDecodingError) {
        guard count >= 0, remaining >= count else { throw .truncated(needed: count, remaining: remaining) }
        offset += count
    }

    /// Steps over a string without validating it: whoever decodes it validates it.
    public mutating func skipString() throws(ByteDecodingError) {
        try skip(try readLength())
    }

    public mutating func readOptionalString() throws(ByteDecodingError) -> String? {
        try readBool() ? try readString() : nil
    }

    public mutating func readBytes() throws(ByteDecodingError) -> [UInt8] {
        let length = try readLength()
        guard remaining >= length else { throw .truncated(needed: length, remaining: remaining) }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    public mutating func readArray<T>(_ element: (inout ByteReader) throws(ByteDecodingError) -> T) throws(ByteDecodingError) -> [T] {
        let count = try readLength()
        // Each element takes at least one byte: a count above what is left is corrupt.
        guard count <= remaining else { throw .invalid("array count \(count) above remaining \(remaining)") }
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try element(&self)) }
        return items
    }

    public func expectEnd() throws(ByteDecodingError) {
        guard isAtEnd else { throw .invalid("\(remaining) trailing bytes") }
    }
}
