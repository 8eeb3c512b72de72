import Crypto
import Synchronization

/// The nonces of accepted signed requests, remembered for as long as a
/// replay of them could still pass the timestamp check, in bounded memory.
///
/// A request is accepted while its timestamp is within `skew` of the clock
/// (inclusive), so a nonce accepted at `now` carries a timestamp of at most
/// `now + skew`, and a replay of it passes the timestamp check until
/// `now + 2 × skew` inclusive at the latest. Every entry is remembered exactly
/// that long, so entries expire in the order they arrived and each shard is
/// a FIFO ring: expiring is popping its front, O(1) amortised.
///
/// At the limit, new requests are refused (503 with `Retry-After`, until the
/// oldest entry of the shard expires) rather than an unexpired nonce
/// forgotten: forgetting would reopen exactly the replay this exists to stop,
/// silently. 503 rather than 429 because the condition is the server's
/// capacity, not the caller's rate: the caller may have sent one request.
/// Only requests whose signature verified reach the cache, so a client
/// without the key cannot fill it.
///
/// Nonces are stored as 128 bits of their SHA-256: 24 bytes in the ring and
/// a set slot instead of a string of up to 64 characters; a collision
/// between two honest nonces (2^-128 per pair) would refuse one request.
final class NonceCache: Sendable {
    enum Outcome: Sendable, Equatable {
        case accepted
        case replayed
        /// Full; a slot frees after this many milliseconds (at least 1).
        case full(retryAfterMs: Int64)
    }

    let lifetimeMs: Int64
    let entriesMax: Int
    private let shards: [Shard]

    private final class Shard: Sendable {
        let ring: Mutex<NonceRing>
        init(entriesMax: Int) { ring = Mutex(NonceRing(entriesMax: entriesMax)) }
    }

    /// The most `entriesMax` is clamped to: about 500 MB of nonces.
    static let entriesMaxLimit = 10_000_000

    /// - Parameters:
    ///   - entriesMax: nonces held at most, across all shards, clamped to
    ///     1...`entriesMaxLimit`; each shard holds `entriesMax / shardCount`.
    ///   - shardCount: mutexes; clamped to 1...256 and to at most `entriesMax`.
    ///   - lifetimeMs: how long each nonce is remembered after it is recorded, inclusive.
    init(entriesMax requestedEntriesMax: Int, shardCount requestedShardCount: Int, lifetimeMs: Int64) {
        let total = min(max(requestedEntriesMax, 1), Self.entriesMaxLimit)
        let shardCount = min(max(requestedShardCount, 1), 256, total)
        let perShard = total / shardCount
        self.lifetimeMs = max(lifetimeMs, 1)
        entriesMax = perShard * shardCount
        shards = (0..<shardCount).map { _ in Shard(entriesMax: perShard) }
    }

    /// Records `nonce` at `nowMs` unless it is already remembered or the cache is full.
    ///
    /// - Complexity: O(1) amortised.
    func insert(_ nonce: String, nowMs: Int64) -> Outcome {
        let digest = NonceDigest(nonce)
        let shard = shards[Int(digest.low % UInt64(shards.count))]
        let lifetimeMs = self.lifetimeMs
        return shard.ring.withLock { $0.insert(digest, nowMs: nowMs, lifetimeMs: lifetimeMs) }
    }

    /// - Complexity: O(shards).
    var count: Int { shards.reduce(0) { total, shard in total + shard.ring.withLock { $0.count } } }
}

struct NonceDigest: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(_ nonce: String) {
        let words = SHA256.hash(data: Array(nonce.utf8)).withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        high = words.0
        low = words.1
    }
}

/// One shard's nonces, oldest first, in a ring that grows to `entriesMax` and then wraps.
struct NonceRing: Sendable {
    private struct Entry: Sendable {
        var digest: NonceDigest
        /// The last millisecond a replay could pass the timestamp check.
        var rememberedUntilMs: Int64
    }

    let entriesMax: Int
    private var remembered = Set<NonceDigest>()
    private var entries: [Entry] = []
    /// Index of the oldest entry.
    private var head = 0
    private(set) var count = 0

    /// `entriesMax` is clamped to at least 1 (it comes from configuration).
    init(entriesMax: Int) {
        self.entriesMax = max(1, entriesMax)
    }

    mutating func insert(_ digest: NonceDigest, nowMs: Int64, lifetimeMs: Int64) -> NonceCache.Outcome {
        expire(nowMs: nowMs)
        guard !remembered.contains(digest) else { return .replayed }
        // The oldest entry's slot frees the millisecond after its last remembered one.
        guard count < entriesMax else { return .full(retryAfterMs: max(entries[head].rememberedUntilMs - nowMs + 1, 1)) }
        let entry = Entry(digest: digest, rememberedUntilMs: nowMs + lifetimeMs)
        // Until the ring first wraps, the free end is the end of the array.
        let tail = (head + count) % entriesMax
        if tail == entries.count { entries.append(entry) } else { entries[tail] = entry }
        remembered.insert(digest)
        count += 1
        assert(count == remembered.count && count <= entriesMax, "ring and set hold the same nonces, within the limit")
        return .accepted
    }

    /// Pops every expired entry from the front. Each entry is popped once, so
    /// this is O(1) amortised over the inserts that pushed them.
    private mutating func expire(nowMs: Int64) {
        while count > 0, entries[head].rememberedUntilMs < nowMs {
            remembered.remove(entries[head].digest)
            head = (head + 1) % entriesMax
            count -= 1
        }
    }
}
