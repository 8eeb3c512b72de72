extension EngineState {
    /// The parts of the state one applier of a parallel replay owns. The catalog, settings,
    /// payments and the LSN order are one part ("global"); the inventory shards are another
    /// (a record's inventory effects may span shards, and each shard checks its own lines);
    /// each user shard is a part of its own.
    struct Share: Sendable, Equatable {
        var hasGlobalParts: Bool
        var hasInventory: Bool
        /// Whether it owns each user shard, by index; nil: all of them.
        var userShards: [Bool]?

        static let all = Share(hasGlobalParts: true, hasInventory: true, userShards: nil)

        func hasUserShard(_ index: Int) -> Bool {
            guard let userShards else { return true }
            return index < userShards.count && userShards[index]
        }
    }

    /// Where in `apply` a record failed. Sequential `apply` checks the LSN order, then the
    /// inventory shards in ascending order, then the user shard, and stops at the first
    /// failure: of two failures of one record, the smaller step is the one it reports.
    enum Step: Comparable, Sendable {
        case logOrder
        case inventory(Int)
        case user
    }

    struct StepFailure: Error {
        var step: Step
        var error: ApplyError
        init(_ step: Step, _ error: ApplyError) { (self.step, self.error) = (step, error) }
    }
}
