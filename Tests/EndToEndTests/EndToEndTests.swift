// EndToEndTests: the built `mall` binary as a user meets it. Each test runs
// `mall serve` on a free port and a temp data directory, drives it over HTTP
// with AsyncHTTPClient, kills or stops it, restarts it on the same data and
// checks what survived. Needs only the binary (MALL_BIN or .build/debug/mall);
// must not import the server's modules: everything goes over the wire.
import Testing

/// Every suite in here spawns real servers that hammer one disk with fsyncs;
/// they run one at a time so a timing-sensitive test is not starved by another.
/// A failure inside a scenario carries the tail of that server's log.
@Suite(.serialized, .attachesServerLog) enum EndToEnd {}
