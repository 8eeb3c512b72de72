import Synchronization
import WAL

/// Real POSIX file access with one switch: once `failSyncs` is on, every
/// `fdatasync` fails, as a dying disk would.
final class FailingSyncIO: SegmentIO {
    private let posix = PosixSegmentIO()
    private let failing = Atomic(false)

    func failSyncs() { failing.store(true, ordering: .sequentiallyConsistent) }

    func openFile(_ path: String, mode: FileOpenMode) throws(WALError) -> Int32 { try posix.openFile(path, mode: mode) }
    func closeFile(_ descriptor: Int32) { posix.closeFile(descriptor) }
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try posix.write(descriptor, bytes, offsetBytes: offsetBytes)
    }
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try posix.read(descriptor, into: buffer, offsetBytes: offsetBytes)
    }
    func syncData(_ descriptor: Int32) throws(WALError) {
        if failing.load(ordering: .sequentiallyConsistent) { throw .io(operation: "fdatasync (injected)", errno: 5) }
        try posix.syncData(descriptor)
    }
    func syncFile(_ descriptor: Int32) throws(WALError) { try posix.syncFile(descriptor) }
    func allocate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) { try posix.allocate(descriptor, sizeBytes: sizeBytes) }
    func truncate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) { try posix.truncate(descriptor, sizeBytes: sizeBytes) }
    func fileSizeBytes(_ descriptor: Int32) throws(WALError) -> Int { try posix.fileSizeBytes(descriptor) }
    func syncDirectory(_ path: String) throws(WALError) { try posix.syncDirectory(path) }
    func listDirectory(_ path: String) throws(WALError) -> [String] { try posix.listDirectory(path) }
    func makeDirectory(_ path: String) throws(WALError) { try posix.makeDirectory(path) }
    func rename(_ sourcePath: String, to destinationPath: String) throws(WALError) {
        try posix.rename(sourcePath, to: destinationPath)
    }
    func removeFile(_ path: String) throws(WALError) { try posix.removeFile(path) }
}
