/// Bounded polling for work a test started but does not await (a background
/// token refresh): true as soon as `condition` holds, false after about 5 s.
func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<500 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))  // cancelled: the checks just come faster
    }
    return await condition()
}
