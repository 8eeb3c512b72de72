/// A user's bounded, deduplicated "recently ..." list: browsing history
/// (`browsingLimit`, product ids) and search history (`searchLimit`, keywords).
///
/// Recording an element already in the list moves it to the front with the new
/// time; at `limit` the oldest entry falls off (history is a convenience, losing
/// its tail is what the user expects). Entries are ordered newest first by
/// `(atMs, sequence)`: `sequence` numbers records in the order they were applied,
/// so two records in the same millisecond, or a clock that stepped back, still
/// give one total order that a replay of the same events reproduces exactly.
///
/// Pure value: no clock (every time is a parameter), no randomness, so state
/// folded from WAL events is `==` to the live state and encodes to the same bytes.
public struct RecentList<Element: Hashable & Sendable>: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let element: Element
        public let atMs: Int64
        /// Position in record order; also the opaque half of a `Cursor`.
        public let sequence: UInt64

        public init(element: Element, atMs: Int64, sequence: UInt64) {
            (self.element, self.atMs, self.sequence) = (element, atMs, sequence)
        }

        /// The list's order: newest `atMs` first, later record first on equal times.
        func isBefore(atMs otherAtMs: Int64, sequence otherSequence: UInt64) -> Bool {
            atMs != otherAtMs ? atMs > otherAtMs : sequence > otherSequence
        }
    }

    /// Where the next page starts: just after the entry it was taken from. Opaque
    /// to clients; `description` / `init?(_:)` give the `nextCursor` string form.
    public struct Cursor: Sendable, Equatable, CustomStringConvertible {
        public let atMs: Int64
        public let sequence: UInt64

        public init(atMs: Int64, sequence: UInt64) { (self.atMs, self.sequence) = (atMs, sequence) }

        public var description: String { "\(atMs).\(sequence)" }

        /// Parses `description`; nil for anything else (a client-supplied string).
        public init?(_ text: String) {
            guard text.utf8.count <= 48 else { return nil }
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let atMs = Int64(parts[0]), let sequence = UInt64(parts[1]) else { return nil }
            self.init(atMs: atMs, sequence: sequence)
        }
    }

    public struct Page: Sendable, Equatable {
        public let entries: [Entry]
        /// nil on the last page.
        public let nextCursor: Cursor?
    }

    /// Entries of one calendar day in the list's order (`footprints`).
    public struct Day: Sendable, Equatable {
        /// `yyyy-MM-dd` in the time zone the grouping was asked for.
        public let day: String
        public let entries: [Entry]
    }

    /// Spec: browsing history keeps the latest 200 product views.
    public static var browsingLimit: Int { 200 }
    /// Spec: search history keeps the latest 20 keywords.
    public static var searchLimit: Int { 20 }
    /// Bounds a page whatever the client asks for.
    public static var pageLimitMax: Int { 100 }

    public let limit: Int
    /// Newest first; at most `limit`, no element twice.
    public private(set) var entries: [Entry] = []
    /// The sequence the next record gets; above every entry's `sequence`.
    public private(set) var nextSequence: UInt64 = 0

    /// `limit` is clamped to at least 1 so a misconfiguration cannot make `record` trap.
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    public func contains(_ element: Element) -> Bool { entries.contains { $0.element == element } }

    /// Records a view or search: the element moves to the front (or is inserted
    /// where `atMs` places it, should the clock have stepped back); the oldest
    /// entry falls off past `limit`.
    /// - Complexity: O(`limit`).
    public mutating func record(_ element: Element, atMs: Int64) {
        if nextSequence == .max { renumber() }
        let sequence = nextSequence
        nextSequence += 1
        entries.removeAll { $0.element == element }
        let index = entries.firstIndex { !$0.isBefore(atMs: atMs, sequence: sequence) } ?? entries.endIndex
        entries.insert(Entry(element: element, atMs: atMs, sequence: sequence), at: index)
        if entries.count > limit { entries.removeLast(entries.count - limit) }
        assert(checkInvariants())
    }

    /// - Returns: whether the element was in the list.
    /// - Complexity: O(`limit`).
    @discardableResult
    public mutating func remove(_ element: Element) -> Bool {
        guard let index = entries.firstIndex(where: { $0.element == element }) else { return false }
        entries.remove(at: index)
        return true
    }

    /// Clears the entries; `nextSequence` keeps counting so cursors handed out
    /// before never point into entries recorded after.
    public mutating func removeAll() {
        entries.removeAll()
    }

    /// Up to `limit` (clamped to 1...`pageLimitMax`) entries after `cursor`
    /// (from the start when nil). Entries recorded while a client pages sort
    /// before its cursor, so no entry shows twice and none is skipped.
    /// - Complexity: O(`count`).
    public func page(after cursor: Cursor?, limit: Int) -> Page {
        let pageLimit = min(max(limit, 1), Self.pageLimitMax)
        let start = cursor.map { cursor in
            entries.firstIndex { $0.isAfter(cursor) } ?? entries.endIndex
        } ?? entries.startIndex
        let end = min(start + pageLimit, entries.endIndex)
        let slice = Array(entries[start..<end])
        let next = end < entries.endIndex ? slice.last.map { Cursor(atMs: $0.atMs, sequence: $0.sequence) } : nil
        return Page(entries: slice, nextCursor: next)
    }

    /// The whole list grouped by calendar day, newest day first (the "footprints" page).
    /// - Parameter timeZoneOffsetSeconds: China time (UTC+8) unless told; clamped to ±24 h.
    /// - Complexity: O(`count`).
    public func footprints(timeZoneOffsetSeconds: Int = 8 * 3600) -> [Day] {
        Self.groupedByDay(entries, timeZoneOffsetSeconds: timeZoneOffsetSeconds)
    }

    /// Groups entries in list order (a page, say) into consecutive calendar days.
    public static func groupedByDay(_ entries: [Entry], timeZoneOffsetSeconds: Int = 8 * 3600) -> [Day] {
        var days: [Day] = []
        var current: (day: String, entries: [Entry])?
        for entry in entries {
            let day = CalendarDay(epochMs: entry.atMs, offsetSeconds: timeZoneOffsetSeconds).text
            if current?.day == day {
                current?.entries.append(entry)
            } else {
                if let current { days.append(Day(day: current.day, entries: current.entries)) }
                current = (day, [entry])
            }
        }
        if let current { days.append(Day(day: current.day, entries: current.entries)) }
        return days
    }

    /// Renumbers 0..<count keeping the order, so `nextSequence` never wraps.
    /// Unreachable by counting (2^64 records); reachable by a crafted snapshot.
    private mutating func renumber() {
        let count = UInt64(entries.count)
        entries = entries.enumerated().map { index, entry in
            Entry(element: entry.element, atMs: entry.atMs, sequence: count - 1 - UInt64(index))
        }
        nextSequence = count
    }

    /// Bounded, and well formed.
    func checkInvariants() -> Bool { entries.count <= limit && isWellFormed() }

    /// Sorted, no duplicates, sequences below `nextSequence`.
    func isWellFormed() -> Bool {
        for (earlier, later) in zip(entries, entries.dropFirst())
        where !earlier.isBefore(atMs: later.atMs, sequence: later.sequence) { return false }
        guard entries.allSatisfy({ $0.sequence < nextSequence }) else { return false }
        return Set(entries.map(\.element)).count == entries.count
    }
}

extension RecentList.Entry {
    /// Whether this entry comes strictly after the one the cursor was taken from.
    func isAfter(_ cursor: RecentList.Cursor) -> Bool {
        atMs != cursor.atMs ? atMs < cursor.atMs : sequence < cursor.sequence
    }
}

// MARK: - Codec

extension RecentList {
    /// Writes `nextSequence` and the entries in list order (the canonical order,
    /// so equal lists encode to equal bytes). `limit` is policy, not state: it is
    /// not written, the reader supplies it.
    public func encode(to writer: inout ByteWriter, element: (inout ByteWriter, Element) -> Void) {
        writer.write(nextSequence)
        writer.write(entries) { writer, entry in
            element(&writer, entry.element)
            writer.write(entry.atMs)
            writer.write(entry.sequence)
        }
    }

    /// Reads what `encode` wrote. Rejects entries out of order, duplicated or
    /// numbered at or above `nextSequence`; entries beyond `limit` (a limit
    /// lowered since the snapshot) are dropped oldest first, as `record` would.
    public init(
        from reader: inout ByteReader, limit: Int,
        element: (inout ByteReader) throws(ByteDecodingError) -> Element
    ) throws(ByteDecodingError) {
        self.init(limit: limit)
        nextSequence = try reader.read(UInt64.self)
        let decoded = try reader.readArray { reader throws(ByteDecodingError) in
            Entry(element: try element(&reader), atMs: try reader.read(Int64.self), sequence: try reader.read(UInt64.self))
        }
        entries = decoded
        guard isWellFormed() else { throw .invalid("recent list entries out of order, duplicated or numbered ahead") }
        if entries.count > self.limit { entries.removeLast(entries.count - self.limit) }
    }
}

extension RecentList where Element == UInt64 {
    /// Browsing history: product ids.
    public func encode(to writer: inout ByteWriter) {
        encode(to: &writer) { writer, id in writer.write(id) }
    }

    public init(from reader: inout ByteReader, limit: Int = RecentList.browsingLimit) throws(ByteDecodingError) {
        try self.init(from: &reader, limit: limit) { reader throws(ByteDecodingError) in try reader.read(UInt64.self) }
    }
}

extension RecentList where Element == String {
    /// Search history: keywords.
    public func encode(to writer: inout ByteWriter) {
        encode(to: &writer) { writer, keyword in writer.write(keyword) }
    }

    public init(from reader: inout ByteReader, limit: Int = RecentList.searchLimit) throws(ByteDecodingError) {
        try self.init(from: &reader, limit: limit) { reader throws(ByteDecodingError) in try reader.readString() }
    }
}

/// A calendar day in a fixed UTC offset, by integer arithmetic only (days from
/// civil, Howard Hinnant): no Foundation `Calendar`, no floating point, no trap
/// for any `Int64` time.
struct CalendarDay: Equatable, Sendable {
    let year: Int64
    let month: Int64
    let day: Int64

    static let offsetSecondsMax = 24 * 3600

    init(epochMs: Int64, offsetSeconds: Int) {
        let offsetMs = Int64(min(max(offsetSeconds, -Self.offsetSecondsMax), Self.offsetSecondsMax)) * 1000
        // Split before adding the offset so no sum can overflow.
        let (days, remainderMs) = Self.floorDivision(epochMs, 86_400_000)
        let (carry, _) = Self.floorDivision(remainderMs + offsetMs, 86_400_000)
        (year, month, day) = Self.civil(fromDays: days + carry)
    }

    var text: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    }

    /// Quotient rounded toward negative infinity and a remainder in 0..<divisor.
    static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = value / divisor
        let remainder = value % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date. `days` is within
    /// ±1.1e11 here (Int64 milliseconds), far from overflowing the products below.
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDivision(z, 146_097).quotient
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
