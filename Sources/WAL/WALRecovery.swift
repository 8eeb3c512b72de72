/// Opening a WAL directory: validate, truncate a torn tail, position the appender.
enum WALRecovery {
    static func recover(_ configuration: WALConfiguration) throws -> (SegmentAppender, WALRecoveryReport) {
        try validate(configuration)
        let io = configuration.io
        let directory = configuration.directory
        try io.makeDirectory(directory)
        try io.restrictDirectoryMode(directory, to: FilePermissions.directory)
        let lock = try DirectoryLock(directory: directory)
        let names = try SegmentName.list(in: directory, io: io)
        try restrictModes(names, configuration: configuration)
        var report = WALRecoveryReport(segments: names.count, lastLSN: 0, truncatedTail: nil,
                                       fsyncPolicy: configuration.fsyncPolicy)
        var expectedLSN: LSN?
        var newest: WALSegmentInfo?
        for (index, name) in names.enumerated() {
            let info = try SegmentScan.scan(io: io, directory: directory, name: name, expectedLSN: expectedLSN,
                                            isNewest: index == names.count - 1,
                                            skipBeforeLSN: configuration.checksumsFromLSN)
            if let problem = info.problem, !problem.isTornTail { throw problem.error }
            report.lastLSN = info.lastLSN ?? name.firstLSN - 1
            expectedLSN = report.lastLSN + 1
            newest = info
        }
        let appender = SegmentAppender(configuration, lock: lock)
        if let newest, let name = names.last {
            report.truncatedTail = try adopt(newest, name: name, into: appender, configuration: configuration)
        }
        return (appender, report)
    }

    /// Opens the newest segment for appending, first cutting off a torn tail.
    private static func adopt(_ info: WALSegmentInfo, name: SegmentName, into appender: SegmentAppender,
                              configuration: WALConfiguration) throws(WALError) -> WALRecoveryReport.TruncatedTail? {
        let io = configuration.io
        let descriptor = try io.openFile(joinPath(configuration.directory, name.fileName), mode: .readWrite)
        var tail: WALRecoveryReport.TruncatedTail?
        do {
            if let problem = info.problem {
                precondition(problem.isTornTail, "only a torn tail may be truncated, got \(problem)")
                // Deallocate from the bad frame on, then allocate again: the rest reads as zeros.
                try io.truncate(descriptor, sizeBytes: info.dataBytes)
                try io.allocate(descriptor, sizeBytes: info.fileSizeBytes)
                try io.syncFile(descriptor)
                tail = .init(file: name.fileName, offset: info.dataBytes, bytesDropped: problem.tailBytes,
                             reason: problem.reason)
            }
        } catch {
            io.closeFile(descriptor)
            throw error
        }
        appender.adopt(name, descriptor: descriptor, offsetBytes: info.dataBytes, fileSizeBytes: info.fileSizeBytes)
        return tail
    }

    /// Segments written by an older build, or copied in, may be readable by others: tighten them.
    private static func restrictModes(_ names: [SegmentName], configuration: WALConfiguration) throws(WALError) {
        let io = configuration.io
        for name in names {
            let descriptor = try io.openFile(joinPath(configuration.directory, name.fileName), mode: .readOnly)
            defer { io.closeFile(descriptor) }
            try io.restrictMode(descriptor, to: FilePermissions.file)
        }
    }

    private static func validate(_ configuration: WALConfiguration) throws(WALError) {
        guard configuration.segmentSizeBytes >= 4_096 else {
            throw .invalidRequest("segmentSizeBytes must be at least 4096, got \(configuration.segmentSizeBytes)")
        }
        guard configuration.batchRecordsMax >= 1, configuration.queueRecordsMax >= 1 else {
            throw .invalidRequest("batchRecordsMax and queueRecordsMax must be at least 1")
        }
        guard (1...WALLimits.batchBytesMaxLimit).contains(configuration.batchBytesMax) else {
            throw .invalidRequest("batchBytesMax must be in 1...\(WALLimits.batchBytesMaxLimit)")
        }
    }
}
