import Foundation
import Glibc
import NIOPosix

/// Images as files under one directory (default `<data dir>/uploads`),
/// served by this server under `/uploads/<key>`. A file is written to a
/// temporary name, fsynced and renamed, so a reader never sees half an
/// image and an acknowledged upload survives a crash.
public struct LocalUploadStorage: UploadStorage {
    public let directory: String

    public init(directory: String) {
        self.directory = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    public func store(_ bytes: [UInt8], as key: UploadKey) async throws(UploadError) -> StoredUpload {
        let folder = "\(directory)/\(key.kind.rawValue)/\(key.day)"
        let path = "\(folder)/\(key.name).\(key.type.fileExtension)"
        do {
            // Disk writes and fsync stay off the cooperative pool.
            try await NIOThreadPool.singleton.runIfActive { try Self.write(bytes, to: path, in: folder) }
        } catch let error as UploadError {
            throw error
        } catch {
            throw .writeFailed("\(error)")
        }
        return StoredUpload(key: key, url: "/uploads/\(key)", sizeBytes: Int64(bytes.count))
    }

    public func presign(_ key: UploadKey, sizeBytes: Int64, nowMs: Int64) throws(UploadError) -> PresignedUpload {
        throw .presignNeedsObjectStorage
    }

    public func localFile(of key: UploadKey) throws(UploadError) -> String {
        "\(directory)/\(key.kind.rawValue)/\(key.day)/\(key.name).\(key.type.fileExtension)"
    }

    /// Temp file, write all, fsync, rename, fsync the folder.
    static func write(_ bytes: [UInt8], to path: String, in folder: String) throws(UploadError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed("mkdir \(folder): \(error)")
        }
        let temporary = "\(folder)/.tmp-\(UploadKey.hex(UInt64.random(in: 0...UInt64.max)))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .writeFailed("open \(temporary): errno \(errno)") }
        var isWritten = false
        defer {
            close(descriptor)
            if !isWritten { unlink(temporary) }
        }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .writeFailed("write \(temporary): errno \(errno)") }
            offset += count
        }
        guard fsync(descriptor) == 0 else { throw .writeFailed("fsync \(temporary): errno \(errno)") }
        guard rename(temporary, path) == 0 else { throw .writeFailed("rename to \(path): errno \(errno)") }
        isWritten = true
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            defer { close(folderDescriptor) }
            guard fsync(folderDescriptor) == 0 else { throw .writeFailed("fsync \(folder): errno \(errno)") }
        }
    }
}
