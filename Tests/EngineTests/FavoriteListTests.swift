@testable import Engine
import Testing

@Suite("Favorite lists")
struct FavoriteListTests {
    static func ids(_ list: FavoriteList) -> [UInt64] { list.entries.map(\.productID) }

    @Test("favorites are listed newest first")
    func newestFirst() throws {
        var favorites = FavoriteList()
        try favorites.add(10, atMs: 1_000)
        try favorites.add(20, atMs: 3_000)
        try favorites.add(30, atMs: 2_000)
        #expect(Self.ids(favorites) == [20, 30, 10])
        #expect(favorites.contains(30))
        #expect(!favorites.contains(40))
        #expect(favorites.addedAtMs(10) == 1_000)
    }

    @Test("adding a favorite again changes nothing and keeps its original time")
    func idempotentAdd() throws {
        var favorites = FavoriteList()
        #expect(try favorites.add(10, atMs: 1_000) == .added)
        try favorites.add(20, atMs: 2_000)
        #expect(try favorites.add(10, atMs: 9_000) == .alreadyPresent)
        #expect(Self.ids(favorites) == [20, 10])
        #expect(favorites.addedAtMs(10) == 1_000)
        #expect(favorites.count == 2)
    }

    @Test("a full list refuses a new product and keeps every old one")
    func fullListRefuses() throws {
        var favorites = FavoriteList(limit: 500)
        for id in UInt64(1)...500 { try favorites.add(id, atMs: Int64(id)) }
        #expect(favorites.isFull)
        let before = favorites
        #expect(throws: FavoriteError.limitReached(limit: 500)) { try favorites.add(501, atMs: 1_000) }
        #expect(favorites == before)
        // A retried add of a product already there still succeeds.
        #expect(try favorites.add(1, atMs: 2_000) == .alreadyPresent)
        // Removing one makes room.
        #expect(favorites.remove(7) == true)
        #expect(try favorites.add(501, atMs: 3_000) == .added)
        #expect(favorites.entries.first?.productID == 501)
        #expect(!favorites.contains(7))
    }

    @Test("removing a product that is not a favorite is a no-op")
    func removeMissing() throws {
        var favorites = FavoriteList()
        try favorites.add(1, atMs: 1)
        #expect(favorites.remove(2) == false)
        #expect(favorites.remove(1) == true)
        #expect(favorites.isEmpty)
        #expect(favorites.remove(1) == false)
        try favorites.add(3, atMs: 3)
        favorites.removeAll()
        #expect(favorites.isEmpty && !favorites.contains(3))
    }

    @Test("the order depends on the favorites alone, not the order they were applied in")
    func orderIndependent() throws {
        var forward = FavoriteList(), backward = FavoriteList()
        let adds: [(UInt64, Int64)] = [(5, 100), (6, 100), (7, 100), (8, 50), (9, 200)]
        for (id, atMs) in adds { try forward.add(id, atMs: atMs) }
        for (id, atMs) in adds.reversed() { try backward.add(id, atMs: atMs) }
        #expect(forward == backward)
        #expect(Self.ids(forward) == [9, 7, 6, 5, 8])
    }

    @Test("paging visits every favorite once while favorites are added and removed")
    func paging() throws {
        var favorites = FavoriteList()
        for id in UInt64(1)...55 { try favorites.add(id, atMs: Int64(id) * 10) }
        var seen: [UInt64] = []
        var cursor: FavoriteList.Cursor?
        var pageCount = 0
        repeat {
            let page = favorites.page(after: cursor, limit: 25)
            seen += page.entries.map(\.productID)
            pageCount += 1
            if pageCount == 1 {
                try favorites.add(1_000, atMs: 10_000)  // newer: before the cursor, not shown now
                favorites.remove(50)                     // already seen
            }
            cursor = page.nextCursor.flatMap { FavoriteList.Cursor($0.description) }
            #expect(cursor == page.nextCursor)
        } while cursor != nil
        #expect(pageCount == 3)
        #expect(seen == Array((1...55).reversed()))
    }

    @Test("a cursor whose entry was removed still continues after it")
    func cursorOfRemovedEntry() throws {
        var favorites = FavoriteList()
        for id in UInt64(1)...10 { try favorites.add(id, atMs: Int64(id)) }
        let first = favorites.page(after: nil, limit: 3)
        let cursor = try #require(first.nextCursor)
        #expect(cursor == FavoriteList.Cursor(atMs: 8, productID: 8))
        favorites.remove(8)
        #expect(favorites.page(after: cursor, limit: 3).entries.map(\.productID) == [7, 6, 5])
        #expect(favorites.page(after: nil, limit: 0).entries.count == 1)
        #expect(favorites.page(after: nil, limit: 1_000).nextCursor == nil)
        #expect(FavoriteList.Cursor("12") == nil)
        #expect(FavoriteList.Cursor("x.1") == nil)
    }

    @Test("a list survives encode and decode, bytes equal for equal lists")
    func codecRoundTrip() throws {
        var live = FavoriteList(), replayed = FavoriteList()
        for step in UInt64(0)..<200 {
            let id = (step * 37) % 120
            if step % 5 == 4 { live.remove(id); replayed.remove(id) } else {
                _ = try live.add(id, atMs: Int64(step / 2))
                _ = try replayed.add(id, atMs: Int64(step / 2))
            }
        }
        #expect(live == replayed)
        var writer = ByteWriter()
        live.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try FavoriteList(from: &reader)
        try reader.expectEnd()
        #expect(decoded == live)
        #expect(decoded.contains(live.entries[0].productID))
        var again = ByteWriter()
        decoded.encode(to: &again)
        #expect(again.bytes == writer.bytes)
    }

    @Test("a snapshot with more favorites than the limit loads whole but takes no more")
    func decodeAboveLimit() throws {
        var favorites = FavoriteList(limit: 10)
        for id in UInt64(1)...10 { try favorites.add(id, atMs: Int64(id)) }
        var writer = ByteWriter()
        favorites.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var smaller = try FavoriteList(from: &reader, limit: 5)
        #expect(smaller.count == 10)
        #expect(throws: FavoriteError.limitReached(limit: 5)) { try smaller.add(11, atMs: 11) }
    }

    @Test("corrupt bytes are refused, never trap")
    func corruptBytes() throws {
        for entries in [[(UInt64(1), Int64(1)), (UInt64(2), Int64(2))], [(UInt64(1), Int64(2)), (UInt64(1), Int64(1))]] {
            var writer = ByteWriter()
            writer.write(entries) { writer, entry in writer.write(entry.0); writer.write(entry.1) }
            var reader = ByteReader(writer.bytes)
            #expect(throws: ByteDecodingError.self) { try FavoriteList(from: &reader) }
        }
        var huge = ByteWriter()
        huge.write(UInt32.max)
        var reader = ByteReader(huge.bytes)
        #expect(throws: ByteDecodingError.self) { try FavoriteList(from: &reader) }
    }
}
