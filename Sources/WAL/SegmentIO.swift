import Glibc

/// How `SegmentIO.openFile` opens a path.
public enum FileOpenMode: Sendable {
    case readOnly
    case readWrite
    /// Create a new file; fail if it exists (a segment name is never reused).
    case createNew
    /// Create or truncate, write only (a snapshot's temporary file).
    case createOrTruncate
}

/// Disk access of the WAL and the snapshot store, one method per system call.
///
/// Production uses `PosixSegmentIO`; tests wrap it to fail the nth `syncData`, write short, or
/// tear a frame at byte k. Every failure is reported as `WALError.io`.
public protocol SegmentIO: Sendable {
    func openFile(_ path: String, mode: FileOpenMode) throws(WALError) -> Int32
    func closeFile(_ descriptor: Int32)
    /// One `pwrite`; may write fewer bytes than given (callers loop, see `writeAll`).
    func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int
    /// One `pread`; returns 0 at end of file.
    func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int
    /// `fdatasync`.
    func syncData(_ descriptor: Int32) throws(WALError)
    /// `fsync`.
    func syncFile(_ descriptor: Int32) throws(WALError)
    /// `posix_fallocate(descriptor, 0, sizeBytes)`: the file is at least this long, new bytes read as zero.
    func allocate(_ descriptor: Int32, sizeBytes: Int) throws(WALError)
    /// `ftruncate`.
    func truncate(_ descriptor: Int32, sizeBytes: Int) throws(WALError)
    func fileSizeBytes(_ descriptor: Int32) throws(WALError) -> Int
    /// Opens the directory and `fsync`s it, so created, renamed and removed names are durable.
    func syncDirectory(_ path: String) throws(WALError)
    /// File names (not paths) in the directory; throws `.io(errno: ENOENT)` when it does not exist.
    func listDirectory(_ path: String) throws(WALError) -> [String]
    /// Creates the directory and missing parents; succeeds if it exists.
    func makeDirectory(_ path: String) throws(WALError)
    func rename(_ sourcePath: String, to destinationPath: String) throws(WALError)
    func removeFile(_ path: String) throws(WALError)
    /// Clears the permission bits of an open file or directory that `allowedMode` lacks (`fstat`,
    /// then `fchmod` only when a bit must go). Has a default implementation, on the descriptor.
    func restrictMode(_ descriptor: Int32, to allowedMode: UInt32) throws(WALError)
    /// The same for the directory at `path`. Has a default implementation.
    func restrictDirectoryMode(_ path: String, to allowedMode: UInt32) throws(WALError)
}

/// Who may read the journal and the snapshots: they hold every user's data, so only the owner.
public enum FilePermissions {
    /// Segment and snapshot files (temporary ones too).
    public static let file: UInt32 = 0o600
    /// The WAL and snapshot directories.
    public static let directory: UInt32 = 0o700
}

extension SegmentIO {
    public func restrictMode(_ descriptor: Int32, to allowedMode: UInt32) throws(WALError) {
        var status = stat()
        guard Glibc.fstat(descriptor, &status) == 0 else { throw WALError.io(operation: "fstat", errno: errno) }
        let mode = UInt32(status.st_mode) & 0o7777
        guard mode & ~allowedMode != 0 else { return }
        var result: Int32
        repeat { result = Glibc.fchmod(descriptor, mode_t(mode & allowedMode)) } while result != 0 && errno == EINTR
        guard result == 0 else { throw WALError.io(operation: "fchmod", errno: errno) }
    }

    public func restrictDirectoryMode(_ path: String, to allowedMode: UInt32) throws(WALError) {
        var descriptor: Int32
        repeat { descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw WALError.io(operation: "open directory", errno: errno) }
        defer { Glibc.close(descriptor) }
        try restrictMode(descriptor, to: allowedMode)
    }
}

extension SegmentIO {
    /// Writes every byte, looping over short writes. A write that makes no progress fails.
    public func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) {
        var done = 0
        while done < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[done...])
            let written = try write(descriptor, rest, offsetBytes: offsetBytes + done)
            guard written > 0 else { throw WALError.io(operation: "pwrite (no progress)", errno: EIO) }
            done += written
        }
    }

    /// Reads up to `count` bytes at `offsetBytes`; fewer only at end of file.
    public func readBytes(_ descriptor: Int32, count: Int, offsetBytes: Int) throws(WALError) -> [UInt8] {
        precondition(count >= 0, "read count must not be negative, got \(count)")
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(WALError) in
                    try read(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]),
                             offsetBytes: offsetBytes + done)
                }
            }.get()
            if got == 0 { break }
            done += got
        }
        if done < count { buffer.removeLast(count - done) }
        return buffer
    }
}

/// The real thing: Glibc system calls, retried on EINTR.
public struct PosixSegmentIO: SegmentIO {
    public init() {}

    public func openFile(_ path: String, mode: FileOpenMode) throws(WALError) -> Int32 {
        let flags: Int32
        switch mode {
        case .readOnly: flags = O_RDONLY
        case .readWrite: flags = O_RDWR
        case .createNew: flags = O_RDWR | O_CREAT | O_EXCL
        case .createOrTruncate: flags = O_WRONLY | O_CREAT | O_TRUNC
        }
        let descriptor = try retrying("open") { Glibc.open(path, flags | O_CLOEXEC, mode_t(FilePermissions.file)) }
        return descriptor
    }

    public func closeFile(_ descriptor: Int32) {
        // close(2) must not be retried on EINTR on Linux: the descriptor is already released.
        _ = Glibc.close(descriptor)
    }

    public func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try retrying("pwrite") { Glibc.pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offsetBytes)) }
    }

    public func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offsetBytes: Int) throws(WALError) -> Int {
        try retrying("pread") { Glibc.pread(descriptor, buffer.baseAddress, buffer.count, off_t(offsetBytes)) }
    }

    public func syncData(_ descriptor: Int32) throws(WALError) {
        _ = try retrying("fdatasync") { Glibc.fdatasync(descriptor) }
    }

    public func syncFile(_ descriptor: Int32) throws(WALError) {
        _ = try retrying("fsync") { Glibc.fsync(descriptor) }
    }

    public func allocate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) {
        // posix_fallocate returns the error number instead of setting errno.
        var result: Int32
        repeat { result = posix_fallocate(descriptor, 0, off_t(sizeBytes)) } while result == EINTR
        guard result == 0 else { throw WALError.io(operation: "posix_fallocate", errno: result) }
    }

    public func truncate(_ descriptor: Int32, sizeBytes: Int) throws(WALError) {
        _ = try retrying("ftruncate") { Glibc.ftruncate(descriptor, off_t(sizeBytes)) }
    }

    public func fileSizeBytes(_ descriptor: Int32) throws(WALError) -> Int {
        var status = stat()
        _ = try retrying("fstat") { Glibc.fstat(descriptor, &status) }
        return Int(status.st_size)
    }

    public func syncDirectory(_ path: String) throws(WALError) {
        let descriptor = try retrying("open directory") { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { closeFile(descriptor) }
        _ = try retrying("fsync directory") { Glibc.fsync(descriptor) }
    }

    public func listDirectory(_ path: String) throws(WALError) -> [String] {
        guard let directory = opendir(path) else { throw WALError.io(operation: "opendir", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Missing components are created `FilePermissions.directory`; existing ones are left as they are.
    public func makeDirectory(_ path: String) throws(WALError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if Glibc.mkdir(prefix, mode_t(FilePermissions.directory)) != 0 {
                let code = errno
                if code != EEXIST { throw WALError.io(operation: "mkdir", errno: code) }
            }
            prefix += "/"
        }
    }

    public func rename(_ sourcePath: String, to destinationPath: String) throws(WALError) {
        _ = try retrying("rename") { Glibc.rename(sourcePath, destinationPath) }
    }

    public func removeFile(_ path: String) throws(WALError) {
        _ = try retrying("unlink") { Glibc.unlink(path) }
    }

    private func retrying<T: BinaryInteger>(_ operation: String, _ call: () -> T) throws(WALError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw WALError.io(operation: operation, errno: code) }
        }
    }
}
