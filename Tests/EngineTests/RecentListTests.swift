@testable import Engine
import Testing

@Suite("Recent lists: browsing and search history")
struct RecentListTests {
    static func elements<E>(_ list: RecentList<E>) -> [E] { list.entries.map(\.element) }

    static func roundTrip(_ list: RecentList<UInt64>) throws -> RecentList<UInt64> {
        var writer = ByteWriter()
        list.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try RecentList<UInt64>(from: &reader, limit: list.limit)
        try reader.expectEnd()
        return decoded
    }

    @Test("the newest view comes first")
    func newestFirst() {
        var history = RecentList<UInt64>(limit: RecentList<UInt64>.browsingLimit)
        history.record(1, atMs: 1_000)
        history.record(2, atMs: 2_000)
        history.record(3, atMs: 3_000)
        #expect(Self.elements(history) == [3, 2, 1])
        #expect(history.entries.map(\.atMs) == [3_000, 2_000, 1_000])
    }

    @Test("viewing a product again moves it to the front with the new time, once")
    func revisitMovesToFront() {
        var history = RecentList<UInt64>(limit: 10)
        history.record(1, atMs: 1_000)
        history.record(2, atMs: 2_000)
        history.record(1, atMs: 3_000)
        #expect(Self.elements(history) == [1, 2])
        #expect(history.entries.first?.atMs == 3_000)
        #expect(history.count == 2)
    }

    @Test("browsing history keeps the latest 200 products; the oldest falls off")
    func browsingLimit() {
        var history = RecentList<UInt64>(limit: RecentList<UInt64>.browsingLimit)
        for id in UInt64(1)...250 { history.record(id, atMs: Int64(id) * 1_000) }
        #expect(history.count == 200)
        #expect(history.entries.first?.element == 250)
        #expect(history.entries.last?.element == 51)
        #expect(!history.contains(50))
        #expect(history.checkInvariants())
    }

    @Test("search history keeps the latest 20 keywords, a repeated search moves up")
    func searchLimit() {
        var searches = RecentList<String>(limit: RecentList<String>.searchLimit)
        for index in 0..<25 { searches.record("keyword \(index)", atMs: Int64(index)) }
        searches.record("keyword 10", atMs: 100)
        #expect(searches.count == 20)
        #expect(searches.entries.first?.element == "keyword 10")
        #expect(searches.entries.last?.element == "keyword 5")
        #expect(!searches.contains("keyword 4"))
    }

    @Test("views in the same millisecond keep the order they happened in")
    func sameMillisecond() {
        var history = RecentList<UInt64>(limit: 10)
        history.record(1, atMs: 5_000)
        history.record(2, atMs: 5_000)
        history.record(3, atMs: 5_000)
        #expect(Self.elements(history) == [3, 2, 1])
    }

    @Test("a view stamped earlier than the newest (a clock step back) sorts by its time")
    func clockStepBack() {
        var history = RecentList<UInt64>(limit: 10)
        history.record(1, atMs: 1_000)
        history.record(2, atMs: 3_000)
        history.record(3, atMs: 2_000)
        #expect(Self.elements(history) == [2, 3, 1])
        #expect(history.checkInvariants())
    }

    @Test("removing one entry, then clearing the list")
    func removal() {
        var history = RecentList<UInt64>(limit: 10)
        for id in UInt64(1)...3 { history.record(id, atMs: Int64(id)) }
        #expect(history.remove(2) == true)
        #expect(history.remove(2) == false)
        #expect(Self.elements(history) == [3, 1])
        history.removeAll()
        #expect(history.isEmpty)
        history.record(9, atMs: 10)
        #expect(Self.elements(history) == [9])
    }

    @Test("paging walks the whole list once, even while new views arrive")
    func paging() throws {
        var history = RecentList<UInt64>(limit: 200)
        for id in UInt64(1)...45 { history.record(id, atMs: Int64(id) * 1_000) }
        var seen: [UInt64] = []
        var cursor: RecentList<UInt64>.Cursor?
        var pages = 0
        repeat {
            let page = history.page(after: cursor, limit: 20)
            seen += page.entries.map(\.element)
            cursor = page.nextCursor
            pages += 1
            // A view in the middle of paging: a new product and a revisit of one already seen.
            if pages == 1 {
                history.record(100, atMs: 100_000)
                history.record(44, atMs: 100_001)
            }
            // Cursors travel as strings.
            if let current = cursor {
                cursor = RecentList<UInt64>.Cursor(current.description)
                #expect(cursor == current)
            }
        } while cursor != nil
        #expect(pages == 3)
        #expect(seen == Array((1...45).reversed()))
    }

    @Test("a page limit is clamped and a bad cursor string is refused")
    func pageBounds() {
        var history = RecentList<UInt64>(limit: 200)
        for id in UInt64(1)...150 { history.record(id, atMs: Int64(id)) }
        #expect(history.page(after: nil, limit: 10_000).entries.count == RecentList<UInt64>.pageLimitMax)
        #expect(history.page(after: nil, limit: -5).entries.count == 1)
        #expect(history.page(after: nil, limit: 150).nextCursor != nil)
        for text in ["", "1", "1.2.3", "a.b", "1.-2", String(repeating: "9", count: 60) + ".1", "99999999999999999999.1"] {
            #expect(RecentList<UInt64>.Cursor(text) == nil)
        }
        #expect(RecentList<UInt64>.Cursor("-5.7") == RecentList<UInt64>.Cursor(atMs: -5, sequence: 7))
    }

    @Test("footprints group views by calendar day in China time")
    func footprints() {
        var history = RecentList<UInt64>(limit: 200)
        // 2024-03-01T15:59:59.999Z is 23:59:59.999 in Beijing; one millisecond later it is the 2nd there.
        history.record(1, atMs: 1_709_308_799_999 - 86_400_000)  // 2024-02-29 23:59 CST (leap day)
        history.record(2, atMs: 1_709_308_799_999)               // 2024-03-01 23:59:59.999 CST
        history.record(3, atMs: 1_709_308_800_000)               // 2024-03-02 00:00 CST
        history.record(4, atMs: 1_709_308_800_000 + 3_600_000)  // 2024-03-02 01:00 CST
        let days = history.footprints()
        #expect(days.map(\.day) == ["2024-03-02", "2024-03-01", "2024-02-29"])
        #expect(days.map { $0.entries.map(\.element) } == [[4, 3], [2], [1]])
        // In UTC the last three fall on 2024-03-01.
        #expect(history.footprints(timeZoneOffsetSeconds: 0).map(\.day) == ["2024-03-01", "2024-02-29"])
    }

    @Test("calendar days agree with known dates, before 1970 and around year ends")
    func calendarDays() {
        let cases: [(Int64, Int, String)] = [
            (0, 0, "1970-01-01"), (-1, 0, "1969-12-31"), (-1, 8 * 3600, "1970-01-01"),
            (946_684_799_999, 0, "1999-12-31"), (946_684_800_000, 0, "2000-01-01"),
            (1_735_660_800_000, 0, "2024-12-31"), (1_735_660_800_000, 8 * 3600, "2025-01-01"),
            (1_735_660_800_000 - 1, 8 * 3600, "2024-12-31"), (1_735_660_800_000 + 16 * 3_600_000, 8 * 3600, "2025-01-01"),
            (951_782_400_000, 0, "2000-02-29"), (-62_135_596_800_000, 0, "0001-01-01"),
        ]
        for (epochMs, offset, expected) in cases {
            #expect(CalendarDay(epochMs: epochMs, offsetSeconds: offset).text == expected, "\(epochMs) +\(offset)s")
        }
        // Extreme times and offsets do not trap.
        _ = CalendarDay(epochMs: .max, offsetSeconds: .max).text
        _ = CalendarDay(epochMs: .min, offsetSeconds: .min).text
    }

    @Test("a list survives encode and decode, and equal lists encode equally")
    func codecRoundTrip() throws {
        var live = RecentList<UInt64>(limit: 50)
        var replayed = RecentList<UInt64>(limit: 50)
        for step in 0..<300 {
            let id = UInt64((step * 7_919) % 80)
            live.record(id, atMs: Int64(step / 3) * 1_000)
            replayed.record(id, atMs: Int64(step / 3) * 1_000)
            if step % 17 == 0 { live.remove(id); replayed.remove(id) }
        }
        #expect(live == replayed)
        let decoded = try Self.roundTrip(live)
        #expect(decoded == live)
        var first = ByteWriter(), second = ByteWriter()
        live.encode(to: &first)
        decoded.encode(to: &second)
        #expect(first.bytes == second.bytes)
        // After decoding it records exactly as the original does.
        var continued = decoded
        live.record(7, atMs: 999_999)
        continued.record(7, atMs: 999_999)
        #expect(continued == live)
    }

    @Test("search history round-trips its keywords")
    func stringCodec() throws {
        var searches = RecentList<String>(limit: 20)
        searches.record("手机壳", atMs: 1)
        searches.record("iphone 15", atMs: 2)
        var writer = ByteWriter()
        searches.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try RecentList<String>(from: &reader) == searches)
    }

    @Test("decoding with a lower limit keeps the newest entries")
    func decodeWithLowerLimit() throws {
        var history = RecentList<UInt64>(limit: 200)
        for id in UInt64(1)...30 { history.record(id, atMs: Int64(id)) }
        var writer = ByteWriter()
        history.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        let smaller = try RecentList<UInt64>(from: &reader, limit: 10)
        #expect(Self.elements(smaller) == Array((21...30).reversed()))
    }

    @Test("corrupt bytes are refused, never trap")
    func corruptBytes() {
        // Out of order: older entry first.
        var writer = ByteWriter()
        writer.write(UInt64(10))
        writer.write(UInt32(2))
        for (id, atMs, sequence) in [(UInt64(1), Int64(1), UInt64(0)), (UInt64(2), Int64(2), UInt64(1))] {
            writer.write(id); writer.write(atMs); writer.write(sequence)
        }
        var reader = ByteReader(writer.bytes)
        #expect(throws: ByteDecodingError.self) { try RecentList<UInt64>(from: &reader) }
        // Duplicate element.
        var duplicate = ByteWriter()
        duplicate.write(UInt64(10))
        duplicate.write(UInt32(2))
        for (atMs, sequence) in [(Int64(2), UInt64(1)), (Int64(1), UInt64(0))] {
            duplicate.write(UInt64(5)); duplicate.write(atMs); duplicate.write(sequence)
        }
        reader = ByteReader(duplicate.bytes)
        #expect(throws: ByteDecodingError.self) { try RecentList<UInt64>(from: &reader) }
        // Sequence at or past nextSequence.
        var ahead = ByteWriter()
        ahead.write(UInt64(1))
        ahead.write(UInt32(1))
        ahead.write(UInt64(5)); ahead.write(Int64(1)); ahead.write(UInt64(1))
        reader = ByteReader(ahead.bytes)
        #expect(throws: ByteDecodingError.self) { try RecentList<UInt64>(from: &reader) }
        // Every truncation of a valid encoding fails cleanly.
        var history = RecentList<UInt64>(limit: 10)
        for id in UInt64(1)...5 { history.record(id, atMs: Int64(id)) }
        var valid = ByteWriter()
        history.encode(to: &valid)
        for cut in 0..<valid.bytes.count {
            var truncated = ByteReader(Array(valid.bytes.prefix(cut)))
            #expect(throws: ByteDecodingError.self) { try RecentList<UInt64>(from: &truncated) }
        }
    }

    @Test("a sequence counter at its end renumbers instead of wrapping")
    func sequenceExhaustion() throws {
        var writer = ByteWriter()
        writer.write(UInt64.max)
        writer.write(UInt32(2))
        writer.write(UInt64(1)); writer.write(Int64(5)); writer.write(UInt64.max - 1)
        writer.write(UInt64(2)); writer.write(Int64(5)); writer.write(UInt64.max - 2)
        var reader = ByteReader(writer.bytes)
        var history = try RecentList<UInt64>(from: &reader)
        history.record(3, atMs: 5)
        #expect(Self.elements(history) == [3, 1, 2])
        #expect(history.checkInvariants())
    }
}
