/// A min-heap of (deadline, order id): the payment deadlines of one user
/// shard. It is derived from state (rebuilt from pending orders after
/// recovery), so it is never logged. Entries for orders that were paid or
/// cancelled meanwhile are dropped when they reach the top.
/// Bounded by the shard's pending orders: one entry per order, pushed once.
struct DeadlineQueue: Sendable {
    struct Entry: Comparable, Sendable {
        var deadlineMs: Int64
        var orderID: UInt64
        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.deadlineMs, lhs.orderID) < (rhs.deadlineMs, rhs.orderID) }
    }

    private var heap: [Entry] = []

    init() {}

    /// Builds the heap from unordered entries at once (start-up from a snapshot).
    /// - Complexity: O(n), where n pushes would be O(n log n).
    init(_ entries: [Entry]) {
        heap = entries
        var parent = heap.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(from: parent)
        }
    }

    var count: Int { heap.count }
    var first: Entry? { heap.first }

    /// - Complexity: O(log n)
    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// - Complexity: O(log n)
    mutating func popFirst() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        siftDown(from: 0)
        return top
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left] < heap[smallest] { smallest = left }
            if right < heap.count, heap[right] < heap[smallest] { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
