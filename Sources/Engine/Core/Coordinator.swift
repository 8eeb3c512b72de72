import WAL

/// The one place where changes to the published, read-mostly state (admins,
/// products, flash-sale activities, payment exceptions) and user
/// registrations are decided, in order: each decision reads the state as
/// every earlier decision left it (durable or not yet), its record is
/// enqueued inside the same actor turn, and the published state takes the
/// changes in LSN order once they are durable. So concurrent admin writes give
/// the live state that replay gives (DESIGN invariant 2).
actor Coordinator {
    struct Published: Sendable {
        var catalog: CatalogState
        var settings: SettingsState
        var payments: PaymentsState
        /// Derived from `catalog`, never logged or snapshotted: the storefront's search index.
        /// Nil in the coordinator's own copy, which decides and never searches.
        var search: CatalogSearch?

        mutating func apply(_ event: MallEvent) {
            catalog.apply(event)
            search?.apply(event, catalog: catalog)
            settings.apply(event)
            if case .paymentExceptionRecorded(let recorded) = event { payments.apply(recorded) }
        }
    }

    private let wal: WALWriter
    private let published: PublishedState<Published>
    /// The state every decision so far has left, including records not yet durable.
    private var decided: Published
    /// Decided records not yet published, in LSN order.
    private var pending: [(lsn: LSN, event: MallEvent)] = []

    init(wal: WALWriter, published: PublishedState<Published>) {
        self.wal = wal
        self.published = published
        var decided = published.current
        decided.search = nil
        self.decided = decided
    }

    /// Decides against the decided state and enqueues the record. `decide`
    /// returns nil when there is nothing to log (a repeat).
    func enqueue(atMs: Int64, _ decide: @Sendable (Published) throws(EngineError) -> MallEvent?) throws(EngineError) -> (LSN, MallEvent)? {
        guard let event = try decide(decided) else { return nil }
        let lsn: LSN
        do {
            lsn = try wal.enqueue(typeTag: event.tag.rawValue, version: event.version, timestampMs: atMs,
                                  payload: event.encodePayload())
        } catch {
            throw EngineError(error)
        }
        decided.apply(event)
        pending.append((lsn, event))
        return (lsn, event)
    }

    /// Publishes every pending record through `lsn` (the caller saw it durable), oldest first.
    func publish(through lsn: LSN) {
        let count = pending.prefix { $0.lsn <= lsn }.count
        guard count > 0 else { return }
        let ready = pending.prefix(count)
        published.update { value in for entry in ready { value.apply(entry.event) } }
        pending.removeFirst(count)
    }
}
