import Glibc

/// A counting semaphore that wakes the writer thread. `signal` never blocks.
// @unchecked Sendable: the only state is a heap-allocated POSIX `sem_t`, which is made for use
// from many threads at once; the pointer is set in `init`, never reassigned, and freed in
// `deinit` when no thread can hold a reference any more.
final class WakeSignal: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        let result = sem_init(semaphore, 0, 0)
        precondition(result == 0, "sem_init must succeed, errno \(errno)")
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }

    func signal() {
        let result = sem_post(semaphore)
        precondition(result == 0, "sem_post must succeed, errno \(errno)")
    }

    /// Blocks the calling OS thread (only ever the writer thread) until signalled.
    func wait() {
        while sem_wait(semaphore) != 0 {
            let code = errno
            precondition(code == EINTR, "sem_wait may only be interrupted, errno \(code)")
        }
    }
}
