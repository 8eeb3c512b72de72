import Foundation
import Glibc
import Testing
@testable import WAL
import MallTestSupport

/// The permission bits of `path`.
func fileMode(_ path: String) throws -> UInt32 {
    var status = stat()
    guard stat(path, &status) == 0 else { throw WALError.io(operation: "stat \(path)", errno: errno) }
    return UInt32(status.st_mode) & 0o7777
}

@Suite("WAL file permissions")
struct WALPermissionTests {
    @Test("segments are created 0600 inside a 0700 directory")
    func createdPrivate() async throws {
        try await withTemporaryDirectory { root in
            let directory = root + "/data/wal"
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            var generator = SeededGenerator(seed: 3)
            _ = try await appendRecords(writer, count: 60, generator: &generator)
            await writer.close()
            #expect(try fileMode(directory) == 0o700)
            #expect(try fileMode(root + "/data") == 0o700, "missing parents are created private too")
            let segments = try segmentPaths(directory)
            #expect(segments.count >= 2)
            for path in segments { #expect(try fileMode(path) == 0o600, "\(path)") }
        }
    }

    @Test("an existing 0755 directory and 0644/0666 segments are tightened when the writer opens them")
    func looserModesAreTightened() async throws {
        try await withTemporaryDirectory { root in
            let directory = root + "/wal"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            #expect(chmod(directory, 0o755) == 0)
            let (writer, _) = try WALWriter.open(makeConfiguration(directory))
            #expect(try fileMode(directory) == 0o700)
            var generator = SeededGenerator(seed: 4)
            _ = try await appendRecords(writer, count: 150, generator: &generator)
            await writer.close()
            let segments = try segmentPaths(directory)
            try #require(segments.count >= 3)
            let newest = segments[segments.count - 1]
            #expect(chmod(directory, 0o755) == 0)
            #expect(chmod(segments[0], 0o644) == 0)
            #expect(chmod(segments[1], 0o440) == 0)
            #expect(chmod(newest, 0o666) == 0)

            let (reopened, _) = try WALWriter.open(makeConfiguration(directory))
            await reopened.close()
            #expect(try fileMode(directory) == 0o700)
            #expect(try fileMode(segments[0]) == 0o600)
            #expect(try fileMode(segments[1]) == 0o400, "bits are only ever removed")
            #expect(try fileMode(newest) == 0o600)
        }
    }
}
