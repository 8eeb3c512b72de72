/// Scores the documents of a query one at a time, in ascending slot order: for each
/// alternative a cursor per posting list, moved forward to the document's slot.
///
/// The arithmetic is that of scoring every posting: an alternative's score is the sum
/// of its terms' saturated frequencies, shortest list first, times its weight over its
/// term count; a clause takes its best alternative times its weight; the clauses add up
/// in query order. So a score is the same to the last bit whether a page scored every
/// match or only those it keeps.
struct SearchMatchScorer {
    struct Alternative {
        /// Its lists in `lists`, shortest first.
        var lists: Range<Int>
        /// The alternative's weight over its term count.
        var scale: Double
    }

    struct Clause {
        var bit: SearchAccumulator.ClauseMask
        /// The clause's weight times its IDF.
        var weight: Double
        var alternatives: Range<Int>
    }

    /// `SearchIndex.averageFieldLengths()` of the index scored.
    let averages: [Double]
    private(set) var lists: [[SearchIndex.Posting]] = []
    /// A cursor per list: never past the first posting at or above the last slot scored.
    private var positions: [Int] = []
    private(set) var alternatives: [Alternative] = []
    /// The planned clause of each alternative.
    private var alternativeClauses: [Int] = []
    private(set) var clauses: [Clause] = []

    init(averages: [Double]) {
        self.averages = averages
    }

    /// Adds an alternative of clause `clause`; alternatives come in clause order.
    mutating func add(_ alternativeLists: [[SearchIndex.Posting]], weight: Double, clause: Int) {
        let start = lists.count
        lists += alternativeLists
        positions += repeatElement(0, count: alternativeLists.count)
        alternatives.append(Alternative(lists: start..<lists.count, scale: weight / Double(alternativeLists.count)))
        alternativeClauses.append(clause)
    }

    /// Adds clause `clause` with its alternatives; clauses come in query order.
    mutating func setClause(_ clause: Int, bit: SearchAccumulator.ClauseMask, weight: Double) {
        let first = alternativeClauses.firstIndex(of: clause) ?? alternatives.count
        let end = alternativeClauses.lastIndex(of: clause).map { $0 + 1 } ?? first
        clauses.append(Clause(bit: bit, weight: weight, alternatives: first..<end))
    }

    /// At least the score of any slot matching the clauses of `mask`: each clause's weight
    /// times its heaviest alternative's, times the most a saturated frequency reaches
    /// (`k1 + 1`), with a margin for rounding.
    func bound(of mask: SearchAccumulator.ClauseMask) -> Double {
        var sum = 0.0
        for clause in clauses where mask & clause.bit != 0 {
            var heaviest = 0.0
            for alternative in alternatives[clause.alternatives] {
                heaviest = max(heaviest, alternative.scale * Double(alternative.lists.count))
            }
            sum += clause.weight * heaviest
        }
        return sum * (SearchIndex.k1 + 1) * (1 + 1e-9)
    }

    /// At least the score of any slot whose posting in a one-word query (one clause of one
    /// alternative of one term) has these frequencies: `bound(of:)` with the saturated
    /// frequency bounded by the field lengths (`SearchIndex.saturatedFrequencyBound`)
    /// instead of `k1 + 1`. Falls back to `bound(of:)` for any other query.
    func bound(ofFrequencies frequencies: UInt32, in index: SearchIndex, lengthsMin: [Int]) -> Double {
        guard clauses.count == 1, clauses[0].alternatives.count == 1,
            alternatives[clauses[0].alternatives.lowerBound].lists.count == 1
        else { return bound(of: .max) }
        let alternative = alternatives[clauses[0].alternatives.lowerBound]
        let saturated = index.saturatedFrequencyBound(frequencies, averages: averages, lengthsMin: lengthsMin)
        return saturated * alternative.scale * clauses[0].weight * (1 + 1e-9)
    }

    /// The score of a one-word query's posting: `score(of:mask:in:)` without the cursors,
    /// in the same arithmetic (the saturated frequency times the alternative's scale, times
    /// the clause's weight).
    /// - Parameter facts: the posting's slot's facts, already read (they hold its field lengths).
    func score(ofSingleTerm posting: SearchIndex.Posting, facts: SearchIndex.SlotFacts, in index: SearchIndex) -> Double {
        guard let clause = clauses.first, clauses.count == 1, clause.alternatives.count == 1 else {
            assertionFailure("a one-word score asked of a query of \(clauses.count) clauses")
            return 0
        }
        let alternative = alternatives[clause.alternatives.lowerBound]
        let saturated = SearchIndex.saturatedFrequency(posting.frequencies, fieldLengths: facts.fieldLengths, averages: averages)
        return saturated * alternative.scale * clause.weight
    }

    /// Moves every cursor back to the start, for slots below the last one scored.
    mutating func rewind() {
        for index in positions.indices { positions[index] = 0 }
    }

    /// The score of `slot` over the clauses of `mask` (the others do not hold it); 0 for
    /// a slot no clause holds. Slots must come in ascending order between rewinds.
    mutating func score(of slot: UInt32, mask: SearchAccumulator.ClauseMask, in index: SearchIndex) -> Double {
        var sum = 0.0
        for clause in clauses where mask & clause.bit != 0 {
            var best = 0.0
            var holds = false
            for alternative in clause.alternatives {
                guard let score = score(of: slot, alternative: alternatives[alternative], in: index) else { continue }
                best = holds ? max(best, score) : score
                holds = true
            }
            if holds { sum += best * clause.weight }
        }
        return sum
    }

    private mutating func score(of slot: UInt32, alternative: Alternative, in index: SearchIndex) -> Double? {
        for list in alternative.lists {
            let position = SearchIndex.gallop(to: slot, in: lists[list], from: positions[list]) { $0.slot }
            positions[list] = position
            guard position < lists[list].count, lists[list][position].slot == slot else { return nil }
        }
        var score = 0.0
        for list in alternative.lists {
            let frequency = index.saturatedFrequency(lists[list][positions[list]], averages: averages)
            score = list == alternative.lists.lowerBound ? frequency : score + frequency
        }
        return score * alternative.scale
    }
}
