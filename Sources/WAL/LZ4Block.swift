import CLZ4

public struct LZ4BlockError: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public var description: String { "LZ4 block: \(reason)" }
}

/// The LZ4 block format (no frame header): liblz4's `LZ4_compress_default` and `LZ4_decompress_safe`.
public enum LZ4Block {
    /// The largest raw/stored ratio of an LZ4 block: a match sequence of token, offset and e length
    /// bytes (3 + e stored) yields at most 18 + 255e raw bytes, literals at most one per byte.
    public static let maxExpansion = 255

    /// Compresses `input`; nil when that would not make it smaller (or it is too large for LZ4).
    /// - Complexity: O(n).
    public static func compress(_ input: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        guard compress(input, into: &output) else { return nil }
        return output
    }

    /// Compresses `input` into `output` (replacing its contents, reusing its capacity).
    /// Returns false, leaving `output` unspecified, when the result would not be smaller.
    /// - Complexity: O(n).
    public static func compress(_ input: [UInt8], into output: inout [UInt8]) -> Bool {
        input.withUnsafeBytes { compress($0, into: &output) }
    }

    /// Compresses `input` into `output`, reusing its capacity: no allocation once it has grown.
    public static func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        guard !input.isEmpty, input.count <= Int(LZ4_MAX_INPUT_SIZE) else { return false }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        if output.count < bound { output.append(contentsOf: repeatElement(0, count: bound - output.count)) }
        let written = output.withUnsafeMutableBytes { destination in
            LZ4_compress_default(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                destination.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(input.count), Int32(destination.count))
        }
        guard written > 0, Int(written) < input.count else { return false }
        output.removeLast(output.count - Int(written))
        return true
    }

    /// Decompresses a block that must expand to exactly `rawLength` bytes.
    /// Never reads or writes out of bounds on hostile input.
    /// - Complexity: O(rawLength).
    public static func decompress(_ input: [UInt8], rawLength: Int) throws(LZ4BlockError) -> [UInt8] {
        try input.withUnsafeBytes { source in
            Result { () throws(LZ4BlockError) in try decompress(source, rawLength: rawLength) }
        }.get()
    }

    /// Decompresses a block into `output`, which it must fill exactly (a snapshot chunk is
    /// expanded straight into its place in the payload). Never writes out of `output`.
    /// - Complexity: O(output.count).
    public static func decompress(_ input: UnsafeRawBufferPointer,
                                  into output: UnsafeMutableRawBufferPointer) throws(LZ4BlockError) {
        let rawLength = output.count
        guard rawLength <= Int(LZ4_MAX_INPUT_SIZE), input.count <= Int(Int32.max) else {
            throw LZ4BlockError(reason: "length out of range (raw \(rawLength), stored \(input.count))")
        }
        if rawLength == 0 && input.isEmpty { return }
        guard rawLength <= input.count * maxExpansion else {
            throw LZ4BlockError(reason: "raw length \(rawLength) exceeds what \(input.count) stored bytes can expand to")
        }
        let produced = LZ4_decompress_safe(
            input.baseAddress?.assumingMemoryBound(to: CChar.self),
            output.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(input.count), Int32(rawLength))
        guard Int(produced) == rawLength else {
            throw LZ4BlockError(reason: "decoded \(produced) bytes, expected \(rawLength)")
        }
    }

    /// - Complexity: O(rawLength).
    public static func decompress(_ input: UnsafeRawBufferPointer, rawLength: Int) throws(LZ4BlockError) -> [UInt8] {
        guard rawLength >= 0, rawLength <= Int(LZ4_MAX_INPUT_SIZE), input.count <= Int(Int32.max) else {
            throw LZ4BlockError(reason: "length out of range (raw \(rawLength), stored \(input.count))")
        }
        if rawLength == 0 && input.isEmpty { return [] }
        // Bound the allocation by what the input can hold: a length read from a file must not make
        // a few stored bytes allocate gigabytes.
        guard rawLength <= input.count * maxExpansion else {
            throw LZ4BlockError(reason: "raw length \(rawLength) exceeds what \(input.count) stored bytes can expand to")
        }
        var output = [UInt8](repeating: 0, count: rawLength)
        let produced = output.withUnsafeMutableBytes { destination in
            LZ4_decompress_safe(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                destination.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(input.count), Int32(rawLength))
        }
        guard Int(produced) == rawLength else {
            throw LZ4BlockError(reason: "decoded \(produced) bytes, expected \(rawLength)")
        }
        return output
    }
}
