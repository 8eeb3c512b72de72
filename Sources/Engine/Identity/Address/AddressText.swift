/// Pasted text reduced to the characters an address, a name or a phone number
/// can hold, so the parser never meets full-width digits, odd spaces or emoji.
enum AddressText {
    static let space: Unicode.Scalar = " "
    static let newline: Unicode.Scalar = "\n"
    static let middleDot: Unicode.Scalar = "\u{B7}"

    /// - Full-width ASCII (１３８, ：, ，, －) becomes ASCII; U+3000 and other
    ///   spaces become a space; line and list breaks (、。；) become separators.
    /// - Dash and middle-dot look-alikes become `-` and `·`.
    /// - Zero-width characters vanish; anything else outside CJK, ASCII letters,
    ///   digits and the few signs addresses use (emoji, symbols, controls,
    ///   combining marks) becomes a space.
    /// - Complexity: O(n) in the scalars of `text`.
    static func normalized(_ text: String) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if let mapped = normalized(scalar) { result.append(mapped) }
        }
        return result
    }

    /// Full-width ASCII (U+FF01–FF5E) and the ideographic space as ASCII; anything else unchanged.
    static func halfWidth(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value == 0x3000 { return space }
        guard (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) else { return scalar }
        return ascii
    }

    private static func normalized(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let scalar = halfWidth(scalar)
        switch scalar.value {
        case 0x200B...0x200D, 0x2060, 0xFEFF: return nil
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return newline
        case 0x3001, 0x3002, 0xFF64, 0xFF61: return ","       // 、 。
        case 0x2010...0x2015, 0x2212, 0xFE63, 0x30FC: return "-"
        case 0xB7, 0x2022, 0x2027, 0x2219, 0x22C5, 0x30FB, 0xFF65: return middleDot
        default: break
        }
        if scalar.isASCII {
            let value = scalar.value
            if (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) { return scalar }
            return "#-()/.+,;:|".unicodeScalars.contains(scalar) ? scalar : space
        }
        return isCJK(scalar) ? scalar : space
    }

    /// CJK unified ideographs, extensions A to F and the compatibility block.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2EBEF, 0xF900...0xFAFF: true
        default: false
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { (0x30...0x39).contains(scalar.value) }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
    }

    static func string<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> String {
        var string = ""
        string.unicodeScalars.append(contentsOf: scalars)
        return string
    }
}

/// One piece of the pasted text between separators (spaces, commas, line
/// breaks, colons), with what its label said it is.
struct AddressToken: Sendable, Equatable {
    enum Label: Sendable, Equatable {
        case none, name, phone, region, detail, postcode
    }

    var scalars: [Unicode.Scalar]
    var label: Label
    /// A colon followed it: "收货人:" is a label even without a known word.
    var endsWithColon: Bool

    var text: String { AddressText.string(scalars) }
}

extension AddressText {
    private static let separators: Set<Unicode.Scalar> = [" ", "\n", ",", ";", "|", ":"]

    /// Splits normalised text at separators; empty pieces are dropped.
    /// - Complexity: O(n).
    static func tokens(_ scalars: [Unicode.Scalar]) -> [AddressToken] {
        var tokens: [AddressToken] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if separators.contains(scalar) {
                if !current.isEmpty {
                    tokens.append(AddressToken(scalars: current, label: .none, endsWithColon: scalar == ":"))
                    current = []
                } else if scalar == ":", let last = tokens.indices.last {
                    tokens[last].endsWithColon = true   // "收货人 :"
                }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { tokens.append(AddressToken(scalars: current, label: .none, endsWithColon: false)) }
        return tokens
    }
}
