/// Records already laid out as a frame's raw records (`FrameRecords`), in one
/// growing byte array with the start of each record: what the writer frames is
/// a slice of it, copied once, with no array per record.
struct RawRecords: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Where each record starts in `bytes`.
    private(set) var starts: [Int] = []

    var count: Int { starts.count }
    var isEmpty: Bool { starts.isEmpty }

    /// The bytes of records `range`.
    func byteRange(of range: Range<Int>) -> Range<Int> {
        starts[range.lowerBound]..<(range.upperBound < starts.count ? starts[range.upperBound] : bytes.count)
    }

    /// The raw size of record `index`, header included.
    func recordBytes(_ index: Int) -> Int { byteRange(of: index..<(index + 1)).count }

    /// Appends one record, its LSN left 0 for `assignLSNs` when `lsn` is nil.
    /// Returns false (and appends nothing) when the payload `encode` wrote exceeds `payloadBytesMax`.
    mutating func append(lsn: LSN = 0, typeTag: UInt16, version: UInt16, timestampMs: Int64,
                         payloadBytesMax: Int = WALLimits.recordPayloadBytesMax,
                         encode: (inout [UInt8]) -> Void) -> Bool {
        let start = bytes.count
        bytes.appendLittleEndian(lsn)
        bytes.appendLittleEndian(typeTag)
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(timestampMs)
        bytes.appendLittleEndian(UInt32(0))
        let payloadStart = bytes.count
        encode(&bytes)
        precondition(bytes.count >= payloadStart, "a payload encoder may only append")
        let length = bytes.count - payloadStart
        guard length <= payloadBytesMax else {
            bytes.removeSubrange(start...)
            return false
        }
        bytes.storeLittleEndian(UInt32(length), at: payloadStart - 4)
        starts.append(start)
        return true
    }

    /// Writes consecutive LSNs from `first` into every record.
    mutating func assignLSNs(from first: LSN) {
        for (index, start) in starts.enumerated() { bytes.storeLittleEndian(first + LSN(index), at: start) }
    }

    /// Appends every record of `other`, bytes copied as they are.
    mutating func append(contentsOf other: RawRecords) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        starts.reserveCapacity(starts.count + other.starts.count)
        for start in other.starts { starts.append(base + start) }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
    }
}

/// Records an actor decided in one turn, to be enqueued together with
/// `WALWriter.enqueue(_:)`: one lock, consecutive LSNs, and payloads encoded
/// straight into one reusable buffer rather than an array per record. Keep one
/// per actor and reuse it; `enqueue` empties it and keeps its capacity.
public struct WALRecordGroup: Sendable {
    var records = RawRecords()

    public init() {}

    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }

    /// Appends a record whose payload `encode` appends to the buffer it is given.
    /// - Throws: `.recordTooLarge` when the payload exceeds `WALLimits.recordPayloadBytesMax`;
    ///   the group is then as it was.
    public mutating func append(typeTag: UInt16, version: UInt16, timestampMs: Int64,
                                encode: (inout [UInt8]) -> Void) throws(WALError) {
        var size = 0
        let fits = records.append(typeTag: typeTag, version: version, timestampMs: timestampMs) { bytes in
            let before = bytes.count
            encode(&bytes)
            size = bytes.count - before
        }
        guard fits else { throw .recordTooLarge(sizeBytes: size, limitBytes: WALLimits.recordPayloadBytesMax) }
    }

    public mutating func removeAll() { records.removeAll() }
}
