import Synchronization
import WAL

/// Real POSIX file access with one switch: once `failSyncs` is on, every
/// `fdatasync` fails, as a dying disk would.
public final class FailingSyncIO: SegmentIO {
    private let posix = PosixSegmentIO()
    private let failing = Atomic(false)

    public init() {}

    public func failSyncs() { failing.store(true, ordering: .sequentiallyConsistent) }

    public func openFile(_ path: String, mode: FileOpenMode) throws(WALError) -> Int32 { try posix.openFile(path, mode: mode) }
    public func closeFile(_ descriptor: Int32) { posix.closeFile(descriptor) }
    public func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try posix.write(descriptor, bytes, offsetBytes: offsetBytes)
    }
    public func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try posix.read(descriptor, into: buffer, offsetBytes: offsetBytes)
    }
    public func syncData(_ descriptor: Int32) throws(WALError) {
        if failing.load(ordering: .sequentiallyConsistent) { throw .io(operation: "fdatasync (injected)", errno: 5) }
        try posix.syncData(descriptor)
    }
    public func syncFile(_ descriptor: Int32) throws(WALError) { try posix.syncFile(descriptor) }
    public func allocate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) { try posix.allocate(descriptor, sizeBytes: sizeBytes) }
    public func truncate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) { try posix.truncate(descriptor, sizeBytes: sizeBytes) }
    public func fileSizeBytes(_ descriptor: Int32) throws(WALError) -> Int { try posix.fileSizeBytes(descriptor) }
    public func syncDirectory(_ path: String) throws(WALError) { try posix.syncDirectory(path) }
    public func listDirectory(_ path: String) throws(WALError) -> [String] { try posix.listDirectory(path) }
    public func makeDirectory(_ path: String) throws(WALError) { try posix.makeDirectory(path) }
    public func rename(_ sourcePath: String, to destinationPath: String) throws(WALError) {
        try posix.rename(sourcePath, to: destinationPath)
    }
    public func removeFile(_ path: String) throws(WALError) { try posix.removeFile(path) }
}
