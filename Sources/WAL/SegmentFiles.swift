import Glibc

/// Segment file names: `<first LSN as 16 lowercase hex digits>.seg`.
struct SegmentName: Comparable, Sendable {
    static let suffix = ".seg"
    var firstLSN: LSN

    var fileName: String {
        let hex = String(firstLSN, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + Self.suffix
    }

    init(firstLSN: LSN) { self.firstLSN = firstLSN }

    /// Parses a segment file name; nil for anything else (temporary files, stray names).
    init?(fileName: String) {
        guard fileName.hasSuffix(Self.suffix) else { return nil }
        let hex = fileName.dropLast(Self.suffix.count)
        guard hex.count == 16, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let lsn = LSN(hex, radix: 16), lsn >= 1 else { return nil }
        firstLSN = lsn
    }

    static func < (lhs: SegmentName, rhs: SegmentName) -> Bool { lhs.firstLSN < rhs.firstLSN }

    /// The segments in `directory`, oldest first; none when the directory does not exist.
    /// - Complexity: O(n log n) in the number of directory entries.
    static func list(in directory: String, io: any SegmentIO) throws(WALError) -> [SegmentName] {
        let names: [String]
        do { names = try io.listDirectory(directory) } catch {
            if case .io(_, let code) = error, code == ENOENT { return [] }
            throw error
        }
        return names.compactMap(SegmentName.init(fileName:)).sorted()
    }
}

package func joinPath(_ directory: String, _ fileName: String) -> String {
    directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
}
