import Glibc

/// An exclusive `flock` on the WAL directory: one writer (or operator repair) at a time, across
/// processes. Released when closed or deallocated, and by the kernel if the process dies.
final class DirectoryLock: Sendable {
    private let descriptor: Int32

    /// - Throws: `WALError.locked` when another writer holds it; `.io` otherwise.
    init(directory: String) throws(WALError) {
        let descriptor = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open directory for lock", errno: errno) }
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            if code == EWOULDBLOCK { throw .locked(directory: directory) }
            throw .io(operation: "flock", errno: code)
        }
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the lock.
        Glibc.close(descriptor)
    }
}
