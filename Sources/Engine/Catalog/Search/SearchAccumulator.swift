import Synchronization

/// Which clauses of a query each document matched, by slot: a dense array written while
/// the query's posting lists are walked, then read for the documents of a few lists
/// only. It replaces merging one scored list per clause, which cost a step per posting
/// per list and a scored entry per posting.
///
/// A document matching `required` of `matched` clauses is in at least one of any
/// `matched - required + 1` of them (it misses at most `matched - required`), so the
/// candidates are read from the runs of the smallest such clauses (`drive`), each run
/// sorted by slot, and merged; no scan of every slot.
///
/// Reused across queries (`SearchAccumulatorPool`), so that a query neither allocates nor
/// zeroes an array as long as the index: `finish` clears every mark it made, and
/// `isClear` holds between queries.
struct SearchAccumulator: Sendable {
    /// One bit per clause: `SearchLimits.clausesMax` fits.
    typealias ClauseMask = UInt16

    /// Where a run of slots of one alternative is: a posting list (one term), or the
    /// intersection of its lists recorded in `intersections`.
    enum Run {
        case postings([SearchIndex.Posting])
        case recorded(Range<Int>)
    }

    /// Clause bits by slot; all zero between queries.
    private(set) var masks: [ClauseMask] = []
    /// Slots marked, when few enough to clear one by one (`isTracking`).
    private var touched: [UInt32] = []
    private(set) var isTracking = false
    private var hasMarks = false
    /// Slots of the index queried: marks are only ever below it.
    private(set) var slotCount = 0
    /// Slots the current clause marked that no earlier alternative of it had.
    private(set) var clauseCount = 0
    /// The slots of each alternative of more than one term, one run after another.
    private(set) var intersections: [UInt32] = []
    /// Candidates as slot << 16 | mask, sorted by slot after `finish`.
    private(set) var candidates: [UInt64] = []
    /// Where each run of candidates (one per driving run) starts, for the merge.
    private var candidateRunStarts: [Int] = []
    private var mergeBuffer: [UInt64] = []

    /// Prepares for a query over `slotCount` slots that marks at most about `markedMax`.
    mutating func begin(slotCount: Int, markedMax: Int) {
        if masks.count < slotCount { masks.append(contentsOf: repeatElement(0, count: slotCount - masks.count)) }
        self.slotCount = slotCount
        touched.removeAll(keepingCapacity: true)
        intersections.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        candidateRunStarts.removeAll(keepingCapacity: true)
        // Clearing k marks one by one costs k scattered writes; clearing all is a fill
        // of 2 bytes a slot: track them when there are clearly fewer.
        isTracking = markedMax <= slotCount / 8
        hasMarks = false
        clauseCount = 0
    }

    /// Records the slots in every list (sorted by slot, shortest first); their range in
    /// `intersections`.
    /// - Complexity: O(n + m) per further list of m postings for n slots so far, or
    ///   O(n log(m / n)) when the list is much longer (galloping).
    mutating func recordIntersection(of lists: [[SearchIndex.Posting]]) -> Range<Int> {
        let start = intersections.count
        guard let shortest = lists.first else { return start..<start }
        var slots = shortest.map(\.slot)
        var next: [UInt32] = []
        for list in lists.dropFirst() {
            guard !slots.isEmpty else { break }
            next.removeAll(keepingCapacity: true)
            Self.intersect(slots, list, into: &next)
            swap(&slots, &next)
        }
        intersections += slots
        return start..<intersections.count
    }

    /// The slots of `slots` that `postings` holds, both sorted by slot, appended to `result`.
    static func intersect(_ slots: [UInt32], _ postings: [SearchIndex.Posting], into result: inout [UInt32]) {
        // Galloping pays when the list is much longer than the slots sought in it.
        let gallops = postings.count / 8 > slots.count
        postings.withUnsafeBufferPointer { postings in
            var position = 0
            for slot in slots {
                if gallops {
                    position = SearchIndex.gallop(to: slot, in: postings, from: position) { $0.slot }
                } else {
                    while position < postings.count && postings[position].slot < slot { position += 1 }
                }
                guard position < postings.count else { return }
                if postings[position].slot == slot { result.append(slot) }
            }
        }
    }

    /// Slots in a run.
    func count(of run: Run) -> Int {
        switch run {
        case .postings(let postings): postings.count
        case .recorded(let range): range.count
        }
    }

    /// Starts counting the slots of a new clause.
    mutating func beginClause() { clauseCount = 0 }

    /// Marks every slot of `run` as matching the clause of `bit`, counting each slot once per clause.
    mutating func mark(_ run: Run, bit: ClauseMask) {
        hasMarks = true
        switch run {
        case .postings(let postings): mark(postings.lazy.map(\.slot), bit: bit)
        case .recorded(let range): mark(intersections[range], bit: bit)
        }
    }

    private mutating func mark(_ slots: some Sequence<UInt32>, bit: ClauseMask) {
        let isTracking = isTracking
        let slotCount = slotCount
        var added = 0
        var touched: [UInt32] = []
        swap(&touched, &self.touched)
        masks.withUnsafeMutableBufferPointer { masks in
            for slot in slots {
                let index = Int(slot)
                // Unreachable: postings hold live slots, and `begin` sized the array to every slot.
                guard index < slotCount else { continue }
                let old = masks[index]
                guard old & bit == 0 else { continue }
                masks[index] = old | bit
                added += 1
                if old == 0 && isTracking { touched.append(slot) }
            }
        }
        swap(&touched, &self.touched)
        clauseCount += added
    }

    /// Adds the slots of `run` marked by at least `required` clauses as one run of
    /// candidates; with `mask` instead of the marks when the query marked nothing
    /// (one clause of one alternative: every slot of the run is a candidate).
    mutating func drive(_ run: Run, required: Int, mask: ClauseMask? = nil) {
        candidateRunStarts.append(candidates.count)
        switch run {
        case .postings(let postings): drive(postings.lazy.map(\.slot), required: required, mask: mask)
        case .recorded(let range): drive(intersections[range], required: required, mask: mask)
        }
    }

    private mutating func drive(_ slots: some Sequence<UInt32>, required: Int, mask fixedMask: ClauseMask?) {
        var candidates: [UInt64] = []
        swap(&candidates, &self.candidates)
        if let fixedMask {
            for slot in slots { candidates.append(UInt64(slot) << 16 | UInt64(fixedMask)) }
        } else {
            let slotCount = slotCount
            masks.withUnsafeBufferPointer { masks in
                for slot in slots where Int(slot) < slotCount {
                    let mask = masks[Int(slot)]
                    if mask.nonzeroBitCount >= required { candidates.append(UInt64(slot) << 16 | UInt64(mask)) }
                }
            }
        }
        swap(&candidates, &self.candidates)
    }

    /// Merges the runs of candidates into one sorted by slot, each slot once, and clears
    /// every mark.
    /// - Complexity: O(c log r) for c candidates in r runs, plus the clearing: O(marks)
    ///   when tracked, else O(slots) in a fill.
    mutating func finish() {
        clear()
        var runStarts = candidateRunStarts
        while runStarts.count > 1 {
            mergeBuffer.removeAll(keepingCapacity: true)
            var merged: [Int] = []
            var run = 0
            while run < runStarts.count {
                merged.append(mergeBuffer.count)
                let first = runStarts[run]..<(run + 1 < runStarts.count ? runStarts[run + 1] : candidates.count)
                if run + 1 < runStarts.count {
                    let second = runStarts[run + 1]..<(run + 2 < runStarts.count ? runStarts[run + 2] : candidates.count)
                    Self.merge(candidates[first], candidates[second], into: &mergeBuffer)
                } else {
                    mergeBuffer.append(contentsOf: candidates[first])
                }
                run += 2
            }
            swap(&candidates, &mergeBuffer)
            runStarts = merged
        }
        candidateRunStarts.removeAll(keepingCapacity: true)
    }

    /// Two sorted runs into one, a value in both kept once (a slot reads the same mask in both).
    static func merge(_ first: ArraySlice<UInt64>, _ second: ArraySlice<UInt64>, into result: inout [UInt64]) {
        var left = first.startIndex
        var right = second.startIndex
        while left < first.endIndex && right < second.endIndex {
            let a = first[left]
            let b = second[right]
            if a < b {
                result.append(a)
                left += 1
            } else if b < a {
                result.append(b)
                right += 1
            } else {
                result.append(a)
                left += 1
                right += 1
            }
        }
        result.append(contentsOf: first[left...])
        result.append(contentsOf: second[right...])
    }

    /// Clears every mark.
    mutating func clear() {
        guard hasMarks else { return }
        if isTracking {
            for slot in touched where Int(slot) < masks.count { masks[Int(slot)] = 0 }
            touched.removeAll(keepingCapacity: true)
        } else {
            let slotCount = slotCount
            masks.withUnsafeMutableBufferPointer { masks in
                guard let base = masks.baseAddress else { return }
                base.update(repeating: 0, count: Swift.min(slotCount, masks.count))
            }
        }
        hasMarks = false
    }

    /// No slot marked: what every query leaves behind.
    var isClear: Bool { masks.allSatisfy { $0 == 0 } && touched.isEmpty }
}

/// Accumulators lent to queries, one per query in flight: searches run on many threads
/// at once over the same published index. A query takes one (or makes one when none
/// is free) and gives it back cleared; at most `keptMax` are kept.
final class SearchAccumulatorPool: Sendable {
    static let shared = SearchAccumulatorPool()
    static let keptMax = 8

    private let free = Mutex<[SearchAccumulator]>([])

    func withAccumulator<Result>(_ body: (inout SearchAccumulator) -> Result) -> Result {
        var accumulator = free.withLock { $0.popLast() } ?? SearchAccumulator()
        let result = body(&accumulator)
        free.withLock { kept in
            if kept.count < Self.keptMax { kept.append(accumulator) }
        }
        return result
    }

    /// Accumulators waiting to be lent; for tests.
    var keptCount: Int { free.withLock { $0.count } }
}
