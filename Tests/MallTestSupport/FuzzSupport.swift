// Seeded fuzzing for the decoders, shared by the test targets (WAL, Snapshot, Engine).

import Foundation
import Glibc
import Synchronization
import Testing
import WAL

/// SplitMix64: small, fast, and the same sequence for the same seed on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One fuzz case: its generator, and the label that names its seed in every failure.
public struct FuzzTrial {
    public var generator: SeededGenerator
    public let label: String
    fileprivate(set) var failures = 0

    /// Records a failure tagged with this case's seed (and how to replay it).
    public mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        guard !condition else { return }
        failures += 1
        Issue.record("\(label): \(message())", sourceLocation: sourceLocation)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
    public mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < probability }
    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
    public mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &generator)] }
}

/// Runs `cases` cases of `body`, each with a generator of its own seed, derived from `seed`
/// (`FUZZ_SEED=0x...` overrides it). A failing case is reported with its seed;
/// `FUZZ_CASE_SEED=0x...` replays that one case alone. A case that traps cannot report anything
/// itself: a signal handler prints the seeds of the cases running at that moment.
/// `body` returns for a valid result or an expected error; any other error thrown is a failure.
public func fuzz(_ name: String, cases: Int, seed: UInt64, _ body: (inout FuzzTrial) async throws -> Void) async {
    let environment = ProcessInfo.processInfo.environment
    func hex(_ text: String?) -> UInt64? {
        text.flatMap { UInt64($0.hasPrefix("0x") ? String($0.dropFirst(2)) : $0, radix: 16) }
    }
    var caseSeeds: [UInt64]
    if let one = hex(environment["FUZZ_CASE_SEED"]) {
        caseSeeds = [one]
    } else {
        var master = SeededGenerator(seed: hex(environment["FUZZ_SEED"]) ?? seed)
        caseSeeds = (0..<cases).map { _ in master.next() }
    }
    let slot = FuzzTrapReport.claimSlot()
    defer { FuzzTrapReport.release(slot) }
    var failures = 0
    for caseSeed in caseSeeds where failures < 10 {
        let label = "fuzz \(name): case seed 0x\(String(caseSeed, radix: 16)) (replay with FUZZ_CASE_SEED=0x\(String(caseSeed, radix: 16)))"
        FuzzTrapReport.set(slot, label)
        var trial = FuzzTrial(generator: SeededGenerator(seed: caseSeed), label: label)
        do { try await body(&trial) } catch {
            trial.failures += 1
            Issue.record("\(label): unexpected error \(error)")
        }
        failures += trial.failures
    }
}

/// Values that break length arithmetic: 0, 1, sign bits, maxima and their neighbours.
public enum Interesting {
    public static let uint32: [UInt32] = [0, 1, 2, 7, 8, 15, 16, 23, 24, 25, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000,
                                   0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFE, 0xFFFF_FFFF, 64 << 20, (64 << 20) + 1]
    public static let uint64: [UInt64] = [0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, UInt64(Int64.max) - 1, UInt64(Int64.max),
                                   UInt64(Int64.max) + 1, UInt64.max - 1, UInt64.max]
    public static let uint16: [UInt16] = [0, 1, 2, 3, 0x7FFF, 0x8000, 0xFFFF]
}

extension FuzzTrial {
    /// Overwrites a little-endian field of `bytes` at `offset` (when it fits) with an interesting value.
    public mutating func overwriteField(_ bytes: inout [UInt8], at offset: Int, width: Int) {
        guard offset >= 0, offset + width <= bytes.count else { return }
        switch width {
        case 2: bytes.storeLittleEndian(pick(Interesting.uint16), at: offset)
        case 4: bytes.storeLittleEndian(pick(Interesting.uint32), at: offset)
        default: bytes.storeLittleEndian(pick(Interesting.uint64), at: offset)
        }
    }

    /// One random structural damage: bit flips, a zeroed or random region, a cut, junk appended,
    /// a region duplicated elsewhere.
    public mutating func damage(_ bytes: inout [UInt8], near focus: Int? = nil) {
        let anywhere = { (trial: inout FuzzTrial, count: Int) -> Int in
            guard count > 0 else { return 0 }
            if let focus, trial.chance(0.5) { return min(count - 1, max(0, focus + trial.int(-8...40))) }
            return trial.int(0...(count - 1))
        }
        switch int(0...6) {
        case 0, 1:
            guard !bytes.isEmpty else { return }
            for _ in 0..<int(1...4) {
                let position = anywhere(&self, bytes.count)
                bytes[position] ^= UInt8(1) << UInt8(int(0...7))
            }
        case 2:
            guard !bytes.isEmpty else { return }
            let start = anywhere(&self, bytes.count)
            let end = min(bytes.count, start + int(1...64))
            let isZero = chance(0.5)
            for index in start..<end { bytes[index] = isZero ? 0 : UInt8.random(in: 0...255, using: &generator) }
        case 3:
            guard !bytes.isEmpty else { return }
            bytes.removeLast(bytes.count - anywhere(&self, bytes.count))
        case 4:
            bytes += chance(0.5) ? self.bytes(int(1...64)) : [UInt8](repeating: 0, count: int(1...64))
        case 5:
            guard bytes.count >= 2 else { return }
            let source = anywhere(&self, bytes.count)
            let length = min(bytes.count - source, int(1...128))
            let target = int(0...(bytes.count - 1))
            let piece = Array(bytes[source..<(source + length)])
            for (index, byte) in piece.enumerated() where target + index < bytes.count { bytes[target + index] = byte }
        default:
            guard bytes.count >= 4 else { return }
            overwriteField(&bytes, at: anywhere(&self, bytes.count - 3), width: pick([2, 4, 4, 8]))
        }
    }
}

/// Names the fuzz cases that were running when the process trapped (a failed precondition,
/// an overflow, a bad memory access), from a signal handler, before the previous handler
/// (the Swift backtracer, or the default action) takes over.
enum FuzzTrapReport {
    private static let slotCount = 16
    private static let slotBytes = 512
    nonisolated(unsafe) private static let text: UnsafeMutablePointer<UInt8> = {
        let text = UnsafeMutablePointer<UInt8>.allocate(capacity: slotCount * slotBytes)
        text.initialize(repeating: 0, count: slotCount * slotBytes)
        return text
    }()
    nonisolated(unsafe) private static let lengths: UnsafeMutablePointer<Int> = {
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: slotCount)
        lengths.initialize(repeating: 0, count: slotCount)
        return lengths
    }()
    private static let claimed = Mutex<Set<Int>>([])
    /// Swift traps raise SIGILL on x86_64 (ud2) and SIGTRAP on arm64 (brk); both re-execute when
    /// the handler returns. An x86_64 SIGTRAP (int3) would not, so it is left alone there.
    #if arch(arm64)
    fileprivate static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS]
    #else
    fileprivate static let signals: [Int32] = [SIGILL, SIGSEGV, SIGBUS]
    #endif
    nonisolated(unsafe) fileprivate static let previous: UnsafeMutablePointer<sigaction> = {
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: signals.count)
        previous.initialize(repeating: sigaction(), count: signals.count)
        return previous
    }()

    private static let installed: Void = {
        for (index, signal) in signals.enumerated() {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = fuzzTrapHandler
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, previous + index)
        }
    }()

    static func claimSlot() -> Int {
        _ = installed
        return claimed.withLock { claimed in
            let slot = (0..<slotCount).first { !claimed.contains($0) } ?? slotCount - 1
            claimed.insert(slot)
            return slot
        }
    }

    static func release(_ slot: Int) {
        lengths[slot] = 0
        _ = claimed.withLock { $0.remove(slot) }
    }

    static func set(_ slot: Int, _ label: String) {
        let line = Array(("\n" + label + "\n").utf8.prefix(slotBytes))
        lengths[slot] = 0
        line.withUnsafeBufferPointer { source in
            (text + slot * slotBytes).update(from: source.baseAddress!, count: source.count)
        }
        lengths[slot] = line.count
    }

    fileprivate static func writeRunningCases() {
        guard (0..<slotCount).contains(where: { lengths[$0] > 0 }) else { return }
        let heading: StaticString = "\nThe process trapped while these fuzz cases ran:"
        _ = Glibc.write(2, heading.utf8Start, heading.utf8CodeUnitCount)
        for slot in 0..<slotCount where lengths[slot] > 0 {
            _ = Glibc.write(2, text + slot * slotBytes, lengths[slot])
        }
    }
}

/// Prints the running cases, then restores the previous action and returns: the faulting
/// instruction runs again and traps under that action.
private let fuzzTrapHandler: @convention(c) (Int32) -> Void = { signal in
    FuzzTrapReport.writeRunningCases()
    for index in 0..<FuzzTrapReport.signals.count where FuzzTrapReport.signals[index] == signal {
        sigaction(signal, FuzzTrapReport.previous + index, nil)
    }
}
