import Glibc
import WAL

/// The snapshot files of one directory: `<lsn as 16 hex digits>.snap`.
public struct SnapshotStore: Sendable {
    static let suffix = ".snap"
    static let temporarySuffix = ".snap.tmp"

    public let directory: String
    /// Snapshots kept after a write (newest by LSN); at least 1.
    public let retainCount: Int
    /// Raw payload bytes per chunk.
    public let chunkSizeBytes: Int
    let io: any SegmentIO

    public init(directory: String, retainCount: Int = 3) {
        self.init(directory: directory, retainCount: retainCount, chunkSizeBytes: 1 << 20, io: PosixSegmentIO())
    }

    public init(directory: String, retainCount: Int, chunkSizeBytes: Int, io: any SegmentIO) {
        precondition(retainCount >= 1, "retainCount must keep at least the newest snapshot, got \(retainCount)")
        precondition((1...SnapshotFormat.chunkSizeBytesMax).contains(chunkSizeBytes),
                     "chunkSizeBytes must be in 1...\(SnapshotFormat.chunkSizeBytesMax), got \(chunkSizeBytes)")
        self.directory = directory
        self.retainCount = retainCount
        self.chunkSizeBytes = chunkSizeBytes
        self.io = io
    }

    /// Atomically writes `snapshots/<lsn>.snap`: temporary file, write, fsync, rename, fsync the
    /// directory; then removes all but the newest `retainCount` snapshots.
    /// - Complexity: O(payload size).
    @discardableResult
    public func write(lsn: UInt64, createdAtMs: Int64, payload: [UInt8]) throws(SnapshotError) -> SnapshotInfo {
        do {
            try io.makeDirectory(directory)
            try io.restrictDirectoryMode(directory, to: FilePermissions.directory)
            try removeTemporaryFiles()
            let name = Self.fileName(lsn: lsn)
            let temporaryPath = joinPath(directory, name + ".tmp")
            let sizeBytes = try writeFile(temporaryPath, lsn: lsn, createdAtMs: createdAtMs, payload: payload)
            try io.rename(temporaryPath, to: joinPath(directory, name))
            try io.syncDirectory(directory)
            try applyRetention()
            return SnapshotInfo(file: name, lsn: lsn, sizeBytes: sizeBytes, createdAtMs: createdAtMs)
        } catch {
            throw .io(error)
        }
    }

    /// Snapshots in the directory, newest (highest LSN) first; empty when there is no directory.
    ///
    /// Start-up lists the store first, so this is where a directory or snapshot files readable by
    /// others (written by an older build, or copied in) are tightened to `FilePermissions`.
    /// - Complexity: O(n log n), reading each file's header.
    public func list() throws(SnapshotError) -> [SnapshotInfo] {
        let names: [String]
        do { names = try io.listDirectory(directory) } catch {
            if case .io(_, let code) = error, code == ENOENT { return [] }
            throw .io(error)
        }
        do { try io.restrictDirectoryMode(directory, to: FilePermissions.directory) } catch { throw .io(error) }
        var infos: [SnapshotInfo] = []
        for name in names {
            guard let lsn = Self.lsn(fileName: name) else { continue }
            do { infos.append(try info(name, lsn: lsn)) } catch { throw .io(error) }
        }
        return infos.sorted { $0.lsn > $1.lsn }
    }

    /// The payload, after verifying every checksum.
    /// - Throws: `SnapshotError.corrupt(file:reason:)` or `.io`.
    /// - Complexity: O(file size + payload size).
    public func read(_ info: SnapshotInfo) throws(SnapshotError) -> [UInt8] {
        let file: [UInt8]
        do { file = try readFile(joinPath(directory, info.file)) } catch { throw .io(error) }
        do throws(SnapshotFormatProblem) {
            let (header, payload) = try SnapshotFormat.decode(file)
            guard header.lsn == info.lsn else {
                throw SnapshotFormatProblem("header says LSN \(header.lsn), the name says \(info.lsn)")
            }
            return payload
        } catch {
            throw .corrupt(file: info.file, reason: error.reason)
        }
    }

    /// Nil when `info` verifies, else why not.
    public func verify(_ info: SnapshotInfo) -> SnapshotProblem? {
        do {
            _ = try read(info)
            return nil
        } catch {
            return SnapshotProblem(file: info.file, lsn: info.lsn, reason: Self.reason(error))
        }
    }

    /// The newest snapshot that verifies, with the newer ones skipped as bad (for the caller to
    /// log: "fallback to the previous snapshot"). Nil when there are no snapshots at all.
    /// - Throws: `.noValidSnapshot` when snapshots exist but none verifies; `.io` when listing fails.
    public func loadNewestValid() throws(SnapshotError) -> (snapshot: SnapshotInfo, payload: [UInt8], skipped: [SnapshotProblem])? {
        let infos = try list()
        var skipped: [SnapshotProblem] = []
        for info in infos {
            do {
                return (info, try read(info), skipped)
            } catch {
                skipped.append(SnapshotProblem(file: info.file, lsn: info.lsn, reason: Self.reason(error)))
            }
        }
        if skipped.isEmpty { return nil }
        throw .noValidSnapshot(skipped)
    }
}

extension SnapshotStore {
    static func fileName(lsn: UInt64) -> String {
        let hex = String(lsn, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + suffix
    }

    static func lsn(fileName: String) -> UInt64? {
        guard fileName.hasSuffix(suffix) else { return nil }
        let hex = fileName.dropLast(suffix.count)
        guard hex.count == 16, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return UInt64(hex, radix: 16)
    }

    static func reason(_ error: SnapshotError) -> String {
        if case let .corrupt(_, reason) = error { return reason }
        return error.description
    }

    private func info(_ name: String, lsn: UInt64) throws(WALError) -> SnapshotInfo {
        let descriptor = try io.openFile(joinPath(directory, name), mode: .readOnly)
        defer { io.closeFile(descriptor) }
        try io.restrictMode(descriptor, to: FilePermissions.file)
        let sizeBytes = try io.fileSizeBytes(descriptor)
        let headerBytes = try io.readBytes(descriptor, count: SnapshotFormat.headerBytes, offsetBytes: 0)
        let header = headerBytes.withUnsafeBytes { try? SnapshotFormat.decodeHeader($0) }
        // A header that does not verify is reported by read/verify; listing still shows the file.
        return SnapshotInfo(file: name, lsn: lsn, sizeBytes: sizeBytes, createdAtMs: header?.createdAtMs ?? 0)
    }

    private func readFile(_ path: String) throws(WALError) -> [UInt8] {
        let descriptor = try io.openFile(path, mode: .readOnly)
        defer { io.closeFile(descriptor) }
        let sizeBytes = try io.fileSizeBytes(descriptor)
        return try io.readBytes(descriptor, count: sizeBytes, offsetBytes: 0)
    }

    /// Streams header, chunks and trailer to `path` and fsyncs it. Returns the file size.
    private func writeFile(_ path: String, lsn: UInt64, createdAtMs: Int64, payload: [UInt8]) throws(WALError) -> Int {
        let chunkCount = (payload.count + chunkSizeBytes - 1) / chunkSizeBytes
        guard chunkCount <= Int(UInt32.max) else { throw .invalidRequest("payload of \(payload.count) bytes has too many chunks") }
        let descriptor = try io.openFile(path, mode: .createOrTruncate)
        defer { io.closeFile(descriptor) }
        // Created 0600, but truncating a file left by someone else keeps its mode.
        try io.restrictMode(descriptor, to: FilePermissions.file)
        var output = SnapshotOutput(io: io, descriptor: descriptor)
        try output.append(SnapshotFormat.encode(.init(
            lsn: lsn, createdAtMs: createdAtMs, rawTotalLength: UInt64(payload.count),
            chunkSizeBytes: UInt32(chunkSizeBytes), chunkCount: UInt32(chunkCount))))
        var chunk: [UInt8] = []
        for start in stride(from: 0, to: payload.count, by: chunkSizeBytes) {
            chunk.removeAll(keepingCapacity: true)
            SnapshotFormat.appendChunk(payload[start..<min(start + chunkSizeBytes, payload.count)], to: &chunk)
            try output.append(chunk)
        }
        try output.append(SnapshotFormat.encodeTrailer(chunkCount: UInt32(chunkCount), fileCRCSoFar: output.crc))
        try io.syncFile(descriptor)
        return output.offsetBytes
    }

    private func removeTemporaryFiles() throws(WALError) {
        for name in try io.listDirectory(directory) where name.hasSuffix(Self.temporarySuffix) {
            try io.removeFile(joinPath(directory, name))
        }
    }

    private func applyRetention() throws(WALError) {
        let names = try io.listDirectory(directory).compactMap { name in Self.lsn(fileName: name).map { (name, $0) } }
        let surplus = names.sorted { $0.1 > $1.1 }.dropFirst(retainCount)
        for (name, _) in surplus { try io.removeFile(joinPath(directory, name)) }
        if !surplus.isEmpty { try io.syncDirectory(directory) }
    }
}

/// Appends to a file, keeping a running CRC32C of everything written.
struct SnapshotOutput {
    let io: any SegmentIO
    let descriptor: Int32
    private(set) var offsetBytes = 0
    private(set) var crc: UInt32 = 0

    init(io: any SegmentIO, descriptor: Int32) {
        self.io = io
        self.descriptor = descriptor
    }

    mutating func append(_ bytes: [UInt8]) throws(WALError) {
        let offset = offsetBytes
        try bytes.withUnsafeBytes { raw in
            Result { () throws(WALError) in try io.writeAll(descriptor, raw, offsetBytes: offset) }
        }.get()
        crc = CRC32C.checksum(bytes, seed: crc)
        offsetBytes += bytes.count
    }
}
