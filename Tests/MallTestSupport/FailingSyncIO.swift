import Synchronization
import WAL

/// A `SegmentIO` that passes every call to the real system calls; a test
/// wrapper conforms, keeps `real`, and implements only the calls it changes.
public protocol ForwardingSegmentIO: SegmentIO {
    var real: PosixSegmentIO { get }
}

extension ForwardingSegmentIO {
    public func openFile(_ path: String, mode: FileOpenMode) throws(WALError) -> Int32 { try real.openFile(path, mode: mode) }
    public func closeFile(_ descriptor: Int32) { real.closeFile(descriptor) }
    public func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try real.write(descriptor, bytes, offsetBytes: offsetBytes)
    }
    public func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try real.read(descriptor, into: buffer, offsetBytes: offsetBytes)
    }
    public func syncData(_ descriptor: Int32) throws(WALError) { try real.syncData(descriptor) }
    public func syncFile(_ descriptor: Int32) throws(WALError) { try real.syncFile(descriptor) }
    public func allocate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) { try real.allocate(descriptor, sizeBytes: sizeBytes) }
    public func truncate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) { try real.truncate(descriptor, sizeBytes: sizeBytes) }
    public func fileSizeBytes(_ descriptor: Int32) throws(WALError) -> Int { try real.fileSizeBytes(descriptor) }
    public func syncDirectory(_ path: String) throws(WALError) { try real.syncDirectory(path) }
    public func listDirectory(_ path: String) throws(WALError) -> [String] { try real.listDirectory(path) }
    public func makeDirectory(_ path: String) throws(WALError) { try real.makeDirectory(path) }
    public func rename(_ sourcePath: String, to destinationPath: String) throws(WALError) {
        try real.rename(sourcePath, to: destinationPath)
    }
    public func removeFile(_ path: String) throws(WALError) { try real.removeFile(path) }
}

/// Real POSIX file access with one switch: once `failSyncs` is on, every
/// `fdatasync` fails, as a dying disk would.
public final class FailingSyncIO: ForwardingSegmentIO {
    public let real = PosixSegmentIO()
    private let failing = Atomic(false)

    public init() {}

    public func failSyncs() { failing.store(true, ordering: .sequentiallyConsistent) }

    public func syncData(_ descriptor: Int32) throws(WALError) {
        if failing.load(ordering: .sequentiallyConsistent) { throw .io(operation: "fdatasync (injected)", errno: 5) }
        try real.syncData(descriptor)
    }
}
