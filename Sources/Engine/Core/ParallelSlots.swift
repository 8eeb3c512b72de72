import Dispatch
import Foundation

/// One result slot per iteration of `DispatchQueue.concurrentPerform`: iteration i writes slot i
/// only, and the caller reads the slots after `concurrentPerform` has returned.
// @unchecked Sendable: slots are disjoint per iteration, and `concurrentPerform` returning orders
// every write before the caller's reads; the storage never escapes this class.
final class ParallelSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: max(0, count))
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    var count: Int { slots.count }

    subscript(index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }

    /// Moves every value out, in slot order (nil where an iteration left none).
    func takeAll() -> [Value?] {
        (0..<slots.count).map { index in
            defer { slots[index] = nil }
            return slots[index]
        }
    }
}

/// A buffer whose elements separate iterations of `concurrentPerform` mutate, one element each.
// @unchecked Sendable: callers give each iteration its own element and keep the buffer alive
// (inside `withUnsafeMutableBufferPointer`) until `concurrentPerform` returns.
struct DisjointElements<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}

enum Parallelism {
    /// The cores this process may run on, at least 1.
    static var coreCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
