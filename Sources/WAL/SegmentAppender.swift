/// The segment the writer appends to: placement, rotation, preallocation and sync.
// @unchecked Sendable: created by `WALWriter.open` and handed to the writer thread before that
// thread starts (`Thread.start` orders the hand-off); from then on only the writer thread
// touches it, and no other reference is kept.
final class SegmentAppender: @unchecked Sendable {
    private let io: any SegmentIO
    private let directory: String
    private let segmentSizeBytes: Int
    private let fsyncPolicy: FsyncPolicy
    private var descriptor: Int32 = -1
    /// Held from recovery until the writer thread closes the appender.
    private var lock: DirectoryLock?
    private var offsetBytes = 0
    private var fileSizeBytes = 0
    /// First LSN (name) of the open segment; 0 before the first segment exists.
    private(set) var segmentFirstLSN: LSN = 0
    private(set) var segmentsCreated = 0
    private(set) var fsyncs = 0

    init(_ configuration: WALConfiguration, lock: DirectoryLock) {
        self.lock = lock
        io = configuration.io
        directory = configuration.directory
        segmentSizeBytes = configuration.segmentSizeBytes
        fsyncPolicy = configuration.fsyncPolicy
    }

    deinit { close() }

    /// Continues an existing segment, whose valid frames end at `offsetBytes`.
    func adopt(_ name: SegmentName, descriptor: Int32, offsetBytes: Int, fileSizeBytes: Int) {
        precondition(self.descriptor < 0, "adopt a segment only once, before the first append")
        precondition(offsetBytes <= fileSizeBytes, "data end \(offsetBytes) must lie within the file (\(fileSizeBytes))")
        self.descriptor = descriptor
        self.offsetBytes = offsetBytes
        self.fileSizeBytes = fileSizeBytes
        segmentFirstLSN = name.firstLSN
    }

    /// Writes one frame after the last, rotating first when it does not fit, then syncs per policy.
    func append(_ frame: [UInt8], firstLSN: LSN) throws(WALError) {
        try makeRoom(forBytes: frame.count, firstLSN: firstLSN)
        try frame.withUnsafeBytes { bytes in
            Result { () throws(WALError) in try io.writeAll(descriptor, bytes, offsetBytes: offsetBytes) }
        }.get()
        offsetBytes += frame.count
        if fsyncPolicy == .always {
            try io.syncData(descriptor)
            fsyncs += 1
        }
    }

    func close() {
        closeSegment()
        lock = nil
    }

    private func closeSegment() {
        if descriptor >= 0 { io.closeFile(descriptor) }
        descriptor = -1
    }

    private func makeRoom(forBytes frameBytes: Int, firstLSN: LSN) throws(WALError) {
        if descriptor >= 0 && offsetBytes + frameBytes <= fileSizeBytes { return }
        if descriptor >= 0 && offsetBytes == 0 {
            // An empty segment (new, or emptied by recovery) already carries this frame's LSN as
            // its name: grow it for an oversized frame instead of creating a second one.
            try io.allocate(descriptor, sizeBytes: frameBytes)
            try io.syncFile(descriptor)
            fileSizeBytes = frameBytes
            return
        }
        try createSegment(firstLSN: firstLSN, sizeBytes: max(segmentSizeBytes, frameBytes))
    }

    private func createSegment(firstLSN: LSN, sizeBytes: Int) throws(WALError) {
        let name = SegmentName(firstLSN: firstLSN)
        let newDescriptor = try io.openFile(joinPath(directory, name.fileName), mode: .createNew)
        do {
            try io.allocate(newDescriptor, sizeBytes: sizeBytes)
            try io.syncFile(newDescriptor)
            try io.syncDirectory(directory)
        } catch {
            io.closeFile(newDescriptor)
            throw error
        }
        closeSegment()
        descriptor = newDescriptor
        offsetBytes = 0
        fileSizeBytes = sizeBytes
        segmentFirstLSN = firstLSN
        segmentsCreated += 1
    }
}
