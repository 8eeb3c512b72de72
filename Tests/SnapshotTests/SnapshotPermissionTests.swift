import Foundation
import Glibc
import Synchronization
import MallTestSupport
import Testing
import WAL
@testable import Snapshot

/// The permission bits of `path`.
func fileMode(_ path: String) throws -> UInt32 {
    var status = stat()
    guard stat(path, &status) == 0 else { throw WALError.io(operation: "stat \(path)", errno: errno) }
    return UInt32(status.st_mode) & 0o7777
}

/// Real system calls; records the mode of every file just before it is renamed into place.
final class RenameModeRecorder: ForwardingSegmentIO {
    let renamedModes = Mutex<[String: UInt32]>([:])
    let real = PosixSegmentIO()

    func rename(_ sourcePath: String, to destinationPath: String) throws(WALError) {
        let mode = try? fileMode(sourcePath)
        renamedModes.withLock { $0[sourcePath] = mode }
        try real.rename(sourcePath, to: destinationPath)
    }

}

@Suite("Snapshot file permissions")
struct SnapshotPermissionTests {
    @Test("snapshots and their temporary files are 0600 inside a 0700 directory")
    func createdPrivate() throws {
        try withTemporaryDirectory { root in
            let directory = root + "/data/snapshots"
            let recorder = RenameModeRecorder()
            let store = SnapshotStore(directory: directory, retainCount: 3, chunkSizeBytes: 1_000, io: recorder)
            let info = try store.write(lsn: 9, createdAtMs: 0, payload: makeState(bytes: 3_000, seed: 1))
            #expect(try fileMode(directory) == 0o700)
            #expect(try fileMode(root + "/data") == 0o700, "missing parents are created private too")
            #expect(try fileMode(directory + "/" + info.file) == 0o600)
            #expect(recorder.renamedModes.withLock { $0 } == [directory + "/" + info.file + ".tmp": 0o600],
                    "the temporary file is private before it is renamed into place")
        }
    }

    @Test("an existing 0755 directory and 0644 snapshots are tightened when the store is listed or written")
    func looserModesAreTightened() throws {
        try withTemporaryDirectory { root in
            let directory = root + "/snapshots"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            #expect(chmod(directory, 0o755) == 0)
            let store = smallChunkStore(directory)
            let first = try store.write(lsn: 1, createdAtMs: 0, payload: [1, 2, 3])
            #expect(try fileMode(directory) == 0o700, "write tightens the directory")
            let second = try store.write(lsn: 2, createdAtMs: 0, payload: [4, 5, 6])
            #expect(chmod(directory, 0o755) == 0)
            #expect(chmod(directory + "/" + first.file, 0o644) == 0)
            #expect(chmod(directory + "/" + second.file, 0o440) == 0)

            #expect(try store.list().map(\.lsn) == [2, 1])
            #expect(try fileMode(directory) == 0o700)
            #expect(try fileMode(directory + "/" + first.file) == 0o600)
            #expect(try fileMode(directory + "/" + second.file) == 0o400, "bits are only ever removed")
        }
    }
}
