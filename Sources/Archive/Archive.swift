// Archive: the relational archive in PostgreSQL. Versioned migrations, the
// WAL-tail archiver (durable records -> rows, exactly once), rebuild and
// verify against engine state, and (in Reports/) the back office's queries.
// Depends on Engine, WAL and Snapshot; must not import Net, WeChat or Hummingbird.
// The engine never waits for this target: it keeps serving when PostgreSQL is away.
