/// One shard of one route class: the counters of up to `keysMax` keys in
/// least-recently-seen order, so the key to forget is always at one end.
///
/// At the limit the least recently seen key is forgotten to make room. A key
/// forgotten while still counting starts a fresh window when it returns: the
/// limiter fails open for that key, and memory never grows past the limit.
/// A client can only cause that by sending requests from more than
/// `keysMax` distinct keys between two of a victim's requests, which is the
/// flood the per-address classes exist to make expensive.
///
/// Entries live in one array linked into a list by index (no per-entry
/// allocation); freed slots are reused before the array grows.
struct RateLimitTable: Sendable {
    private struct Entry: Sendable {
        var key: RateLimitKey
        var counter: SlidingWindowCounter
        /// Slot of the entry seen just before / after this one; `none` at the ends.
        var older: Int32
        var newer: Int32
    }

    private static let none: Int32 = -1
    /// Expired keys dropped from the old end per request: more than one, so
    /// the table shrinks faster than one request can grow it, and bounded,
    /// so no request pays for a large sweep.
    static let expiredDropsPerRequest = 2

    let keysMax: Int
    private var entries: [Entry] = []
    private var slotByKey: [RateLimitKey: Int32] = [:]
    private var freeSlots: [Int32] = []
    private var oldest = RateLimitTable.none
    private var newest = RateLimitTable.none

    /// `keysMax` is clamped to 1...Int32.max (slots are Int32; it comes from configuration).
    init(keysMax: Int) {
        self.keysMax = min(max(keysMax, 1), Int(Int32.max))
    }

    var count: Int { slotByKey.count }

    /// Counts one request of `key` at `nowMs` against `rule`.
    ///
    /// - Complexity: O(1) amortised: at most `expiredDropsPerRequest` + 1 removals and one insertion.
    mutating func admit(_ key: RateLimitKey, nowMs: Int64, rule: RateLimitRule) -> SlidingWindowCounter.Decision {
        dropExpired(nowMs: nowMs, windowMs: rule.windowMs, limit: Self.expiredDropsPerRequest)
        let slot: Int32
        if let known = slotByKey[key] {
            slot = known
            unlink(slot)
        } else {
            if slotByKey.count >= keysMax { remove(oldest) }
            slot = allocate(Entry(key: key, counter: SlidingWindowCounter(nowMs: nowMs, windowMs: rule.windowMs),
                                  older: Self.none, newer: Self.none))
            slotByKey[key] = slot
        }
        linkAsNewest(slot)
        assert(slotByKey.count <= keysMax, "a table never holds more than keysMax keys")
        return entries[Int(slot)].counter.admit(nowMs: nowMs, rule: rule)
    }

    /// Drops up to `limit` keys from the old end whose counts have aged out.
    /// Keys are ordered by when they were last seen and every key of a table
    /// shares one window length, so the first key that has not expired
    /// proves none after it has.
    private mutating func dropExpired(nowMs: Int64, windowMs: Int64, limit: Int) {
        var dropped = 0
        while dropped < limit, oldest != Self.none,
              entries[Int(oldest)].counter.isExpired(nowMs: nowMs, windowMs: windowMs) {
            remove(oldest)
            dropped += 1
        }
    }

    private mutating func allocate(_ entry: Entry) -> Int32 {
        if let slot = freeSlots.popLast() {
            entries[Int(slot)] = entry
            return slot
        }
        entries.append(entry)
        return Int32(entries.count - 1)
    }

    private mutating func remove(_ slot: Int32) {
        guard slot != Self.none else { return }  // an empty table has nothing to evict
        unlink(slot)
        slotByKey[entries[Int(slot)].key] = nil
        freeSlots.append(slot)
    }

    private mutating func unlink(_ slot: Int32) {
        let entry = entries[Int(slot)]
        if entry.older != Self.none { entries[Int(entry.older)].newer = entry.newer } else { oldest = entry.newer }
        if entry.newer != Self.none { entries[Int(entry.newer)].older = entry.older } else { newest = entry.older }
        entries[Int(slot)].older = Self.none
        entries[Int(slot)].newer = Self.none
    }

    private mutating func linkAsNewest(_ slot: Int32) {
        entries[Int(slot)].older = newest
        entries[Int(slot)].newer = Self.none
        if newest != Self.none { entries[Int(newest)].newer = slot } else { oldest = slot }
        newest = slot
    }

    /// Walks the list both ways and checks it against the key index.
    ///
    /// - Returns: what is broken; empty when the table is sound.
    /// - Complexity: O(n); for tests and debugging, not for every mutation.
    func invariantViolations() -> [String] {
        var broken: [String] = []
        if slotByKey.count > keysMax { broken.append("\(slotByKey.count) keys over the limit \(keysMax)") }
        if slotByKey.count + freeSlots.count != entries.count { broken.append("a slot is neither in use nor free") }
        var walked = 0
        var previous = Self.none
        var slot = oldest
        while slot != Self.none, walked <= slotByKey.count {
            let entry = entries[Int(slot)]
            if entry.older != previous { broken.append("slot \(slot) links back to \(entry.older), expected \(previous)") }
            if slotByKey[entry.key] != slot { broken.append("slot \(slot) is not indexed under its key") }
            walked += 1
            (previous, slot) = (slot, entry.newer)
        }
        if slot != Self.none { broken.append("the list has a cycle") }
        if previous != newest { broken.append("the walk does not end at the newest entry") }
        if walked != slotByKey.count { broken.append("the list holds \(walked) entries, the index \(slotByKey.count)") }
        return broken
    }
}
