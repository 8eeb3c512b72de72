import Engine
import Testing
import MallTestSupport

/// Seeded fuzzing of what the engine decodes from disk: event payloads and the
/// snapshot's state encoding. Random and mutated bytes must decode or throw,
/// never trap, and what decodes must re-encode to a payload that decodes the same.
@Suite("Codec fuzzing")
struct CodecFuzzTests {
    static let seed: UInt64 = 0x6D61_6C6C_2D66_757A

    /// Flips bits, overwrites bytes with boundary values, cuts or extends the input.
    static func mutate(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = [0x00, 0xFF, 0x7F, 0x80].randomElement(using: &random) ?? 0
            case 2 where !bytes.isEmpty:
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
            case 3:
                bytes += (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            default:
                // A length or count field set huge: four 0xFF bytes somewhere.
                let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0x7F], at: at)
            }
        }
        return bytes
    }

    @Test("event payloads: 20,000 random and mutated inputs decode or throw, never trap")
    func events() throws {
        var random = SeededGenerator(seed: Self.seed)
        let valid = CodecTests.events.map { ($0.tag.rawValue, $0.version, $0.encodePayload()) }
        for iteration in 0..<20_000 {
            let (tag, version, payload): (UInt16, UInt16, [UInt8])
            if iteration % 4 == 0 {
                tag = UInt16.random(in: 0...12, using: &random)
                version = UInt16.random(in: 0...3, using: &random)
                payload = (0..<Int.random(in: 0...96, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                let base = valid[Int.random(in: 0..<valid.count, using: &random)]
                (tag, version, payload) = (base.0, base.1, Self.mutate(base.2, using: &random))
            }
            guard let event = try? MallEvent.decode(tag: tag, version: version, payload: payload) else { continue }
            let again = try MallEvent.decode(tag: event.tag.rawValue, version: event.version, payload: event.encodePayload())
            #expect(again == event, "seed \(Self.seed) iteration \(iteration)")
        }
    }

    @Test("snapshot state encoding: 3,000 mutated snapshots decode or throw, never trap")
    func snapshotState() throws {
        var state = EngineState(shardCount: 3)
        for (index, event) in CodecTests.events.prefix(6).enumerated() { try state.apply(event, lsn: UInt64(index + 1)) }
        try state.apply(CodecTests.events[9], lsn: 7)   // a payment exception, so the v2 section is there
        let encoded = state.encoded()
        var random = SeededGenerator(seed: Self.seed ^ 1)
        for iteration in 0..<3_000 {
            let bytes = Self.mutate(encoded, using: &random)
            guard let decoded = try? EngineState(decoding: bytes, shardCount: Int.random(in: 1...8, using: &random)) else { continue }
            #expect(try EngineState(decoding: decoded.encoded(), shardCount: 2).digest == decoded.digest,
                    "seed \(Self.seed ^ 1) iteration \(iteration)")
        }
    }
}
