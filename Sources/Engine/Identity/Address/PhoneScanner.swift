/// Finds phone numbers in normalised address text, however they are grouped:
/// 13800138000, 138-0013-8000, 138 0013 8000, +86 138..., (0755)12345678.
enum PhoneScanner {
    struct Match: Sendable, Equatable {
        /// Scalar offsets of the number in the text, separators inside included.
        let range: Range<Int>
        let number: PhoneNumber
    }

    /// A number has at most four space-separated groups (+86 138 0013 8000).
    private static let groupsMax = 4

    /// - Complexity: O(n) in the scalars of `text`.
    static func matches(in text: [Unicode.Scalar]) -> [Match] {
        var matches: [Match] = []
        var index = 0
        while index < text.count {
            guard startsNumber(text, at: index) else {
                index += 1
                continue
            }
            let end = runEnd(text, from: index)
            matches += numbers(in: text, run: index..<end)
            index = max(end, index + 1)
        }
        return matches
    }

    /// A number starts at a digit, `+` or `(` that does not continue a word
    /// (A1001, 3-501 are room numbers, not phone numbers).
    private static func startsNumber(_ text: [Unicode.Scalar], at index: Int) -> Bool {
        let scalar = text[index]
        guard AddressText.isDigit(scalar) || scalar == "+" || scalar == "(" else { return false }
        guard index > 0 else { return true }
        let previous = text[index - 1]
        return !(AddressText.isDigit(previous) || AddressText.isASCIILetter(previous) || previous == "-")
    }

    /// The end of the run of digits and phone separators, trimmed back to its last digit.
    private static func runEnd(_ text: [Unicode.Scalar], from start: Int) -> Int {
        var end = start
        var lastDigitEnd = start
        while end < text.count, AddressText.isDigit(text[end]) || " -+()".unicodeScalars.contains(text[end]) {
            if AddressText.isDigit(text[end]) { lastDigitEnd = end + 1 }
            end += 1
        }
        return lastDigitEnd
    }

    /// Tries the space-separated groups of one run, longest span first, so
    /// "138 0013 8000" is one mobile and not a seven-digit landline.
    private static func numbers(in text: [Unicode.Scalar], run: Range<Int>) -> [Match] {
        let groups = groupRanges(text, run: run)
        var matches: [Match] = []
        var first = 0
        while first < groups.count {
            var found: Match?
            for last in stride(from: min(first + groupsMax, groups.count) - 1, through: first, by: -1) {
                let span = groups[first].lowerBound..<groups[last].upperBound
                let digits = text[span].filter(AddressText.isDigit).map { UInt8($0.value - 0x30) }
                if let number = PhoneNumber(digits: digits, allowsLocal: first == last) {
                    found = Match(range: span, number: number)
                    first = last
                    break
                }
            }
            if let found { matches.append(found) }
            first += 1
        }
        return matches
    }

    private static func groupRanges(_ text: [Unicode.Scalar], run: Range<Int>) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start: Int?
        for index in run {
            if text[index] == " " {
                if let groupStart = start { groups.append(groupStart..<index) }
                start = nil
            } else if start == nil {
                start = index
            }
        }
        if let groupStart = start { groups.append(groupStart..<run.upperBound) }
        return groups
    }
}
