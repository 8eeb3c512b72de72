// Little-endian helpers for the hand-written frame and snapshot codecs.

extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order.
    package mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Overwrites `MemoryLayout<T>.size` bytes at `offset` with `value` in little-endian order.
    package mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count,
                     "store of \(MemoryLayout<T>.size) bytes at \(offset) must fit in \(count) bytes")
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a little-endian integer at `offset`. Callers check bounds first; this traps otherwise.
    package func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count,
                     "load of \(MemoryLayout<T>.size) bytes at \(offset) must fit in \(count) bytes")
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
