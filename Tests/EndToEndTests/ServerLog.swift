import Foundation
import Synchronization
import Testing

/// The server log of the scenario running in this task. The first failure
/// recorded in the scenario carries the log's tail (see `attachesServerLog`),
/// since the temp directory holding it is gone once the test ends.
final class ServerLog: Sendable {
    @TaskLocal static var current: ServerLog?

    let file: URL
    private let attached = Mutex(false)

    init(file: URL) { self.file = file }

    func comment() -> Comment {
        let first = attached.withLock { attached in
            defer { attached = true }
            return !attached
        }
        return Comment(rawValue: first ? tail(lines: 80) : "server log \(file.path): its tail is on this test's first failure")
    }

    func tail(lines: Int) -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else { return "(no server log at \(file.path))" }
        let text = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return "--- last \(min(lines, text.count)) lines of \(file.path) ---\n" + text.suffix(lines).joined(separator: "\n")
    }
}

extension Trait where Self == IssueHandlingTrait {
    /// Adds the running scenario's server log to each failure recorded inside `withMallServer`.
    static var attachesServerLog: Self {
        .compactMapIssues { issue in
            // The trait applies at every level of the suite tree: add the log once.
            guard issue.isFailure, let log = ServerLog.current,
                  !issue.comments.contains(where: { $0.rawValue.contains(log.file.path) }) else { return issue }
            var issue = issue
            issue.comments.append(log.comment())
            return issue
        }
    }
}
