/// What a run of text is made of: search treats each kind differently.
public enum SearchScript: Sendable, Equatable {
    /// Latin (and other alphabetic, non-CJK) letters, lowercased: a word.
    case letters
    /// ASCII digits: a number, its own token ("iphone15" → "iphone", "15").
    case digits
    /// CJK ideographs: a run, split into unigrams and bigrams by the index.
    case cjk
}

/// A run of one script in normalised text.
public struct SearchToken: Sendable, Equatable {
    /// The normalised text: half-width, lowercase.
    public var text: String
    public var script: SearchScript
    /// Where the run is in the original text, in Unicode scalar offsets. A CJK run maps
    /// one scalar to one scalar, so its `i`-th character is at `scalarRange.lowerBound + i`.
    public var scalarRange: Range<Int>

    public init(text: String, script: SearchScript, scalarRange: Range<Int>) {
        self.text = text
        self.script = script
        self.scalarRange = scalarRange
    }
}

/// Normalises and splits text for search: full-width ASCII to half-width (Ａ→a, １→1,
/// the ideographic space), Latin lowercased, runs of CJK, letters and digits split
/// from each other; anything else (punctuation, spaces, symbols) separates.
public enum SearchTokenizer {
    /// The text normalised scalar by scalar, separators kept (as they were, full-width
    /// space as a space): what a shop owner would call "the same text".
    public static func normalize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let halfWidth = halfWidthScalar(scalar)
            if script(of: halfWidth) == .letters {
                result.append(contentsOf: lowercased(halfWidth))
            } else {
                result.append(halfWidth)
            }
        }
        return String(result)
    }

    /// The runs of `text`, in order.
    /// - Parameter scalarsMax: scalars of `text` read at most; the rest is ignored (bounds the work
    ///   on a long name or query).
    /// - Complexity: O(n) in the scalars read.
    public static func tokens(in text: String, scalarsMax: Int = .max) -> [SearchToken] {
        var tokens: [SearchToken] = []
        var current = String.UnicodeScalarView()
        var currentScript: SearchScript?
        var currentStart = 0
        var offset = 0
        func finish() {
            if let script = currentScript, !current.isEmpty {
                tokens.append(SearchToken(text: String(current), script: script, scalarRange: currentStart..<offset))
            }
            current = String.UnicodeScalarView()
            currentScript = nil
        }
        for scalar in text.unicodeScalars {
            guard offset < scalarsMax else { break }
            let halfWidth = halfWidthScalar(scalar)
            if let script = script(of: halfWidth) {
                if script != currentScript {
                    finish()
                    currentScript = script
                    currentStart = offset
                }
                if script == .letters { current.append(contentsOf: lowercased(halfWidth)) } else { current.append(halfWidth) }
            } else if isMark(halfWidth), currentScript == .letters {
                current.append(halfWidth)  // a combining accent stays with its letter
            } else {
                finish()
            }
            offset += 1
        }
        finish()
        return tokens
    }

    /// Full-width ASCII U+FF01...U+FF5E to U+0021...U+007E; the ideographic space to a space.
    static func halfWidthScalar(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0xFF01...0xFF5E: return Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar
        case 0x3000: return " "
        default: return scalar
        }
    }

    static func script(of scalar: Unicode.Scalar) -> SearchScript? {
        switch scalar.value {
        case 0x30...0x39: return .digits
        case 0x41...0x5A, 0x61...0x7A: return .letters
        case 0...0x7F: return nil
        default:
            if isCJK(scalar) { return .cjk }
            return scalar.properties.isAlphabetic ? .letters : nil
        }
    }

    /// CJK Unified Ideographs, Extension A, the compatibility ideographs and Extensions B-G.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x3134F: return true
        default: return false
        }
    }

    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    static func lowercased(_ scalar: Unicode.Scalar) -> String.UnicodeScalarView {
        if (0x41...0x5A).contains(scalar.value), let lower = Unicode.Scalar(scalar.value + 0x20) {
            return String.UnicodeScalarView([lower])
        }
        if scalar.isASCII { return String.UnicodeScalarView([scalar]) }
        return scalar.properties.lowercaseMapping.unicodeScalars
    }
}
