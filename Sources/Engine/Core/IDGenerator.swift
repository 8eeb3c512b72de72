import Synchronization

/// Ids are 64-bit, time-ordered and unique across restarts: the top bits are
/// milliseconds since 1970, the low 16 bits a counter within that millisecond.
/// Recovery raises the floor to the largest id in state, so a clock that steps
/// back never repeats an id.
public final class IDGenerator: Sendable {
    public static let counterBits = 16
    private let last: Atomic<UInt64>
    private let clock: any EngineClock

    public init(clock: any EngineClock, floor: UInt64 = 0) {
        self.clock = clock
        self.last = Atomic(floor)
    }

    /// nil once no id is left: a log that holds the largest id raised the floor to it.
    public func next() -> UInt64? {
        take(atMs: clock.nowMs()) { $0 }
    }

    /// The next id of an order in user shard `shard`, its bits under `route.mask` naming the
    /// shard (`OrderRoute.id(atOrAfter:naming:)`). `nowMs` is the caller's own reading of the
    /// clock, so a purchase reads it once. nil once no id is left.
    public func next(routedTo shard: Int, by route: OrderRoute, atMs nowMs: Int64) -> UInt64? {
        take(atMs: nowMs) { route.id(atOrAfter: $0, naming: shard) }
    }

    /// The first id after the last one taken and not before `nowMs`'s, as `adjust` moves it up.
    private func take(atMs nowMs: Int64, _ adjust: (UInt64) -> UInt64) -> UInt64? {
        let fromClock = UInt64(max(0, nowMs)) << UInt64(Self.counterBits)
        while true {
            let previous = last.load(ordering: .relaxed)
            guard case (let following, false) = previous.addingReportingOverflow(1) else { return nil }
            let candidate = adjust(max(following, fromClock))
            if last.compareExchange(expected: previous, desired: candidate, ordering: .relaxed).exchanged {
                return candidate
            }
        }
    }

    public func raiseFloor(to value: UInt64) {
        _ = last.max(value, ordering: .relaxed)
    }
}

/// The order number people read: UTC time to the millisecond plus the id's
/// counter, `yyyyMMddHHmmssSSS` + 5 digits. It is sortable, unique, and maps
/// back to the order id without any index.
public enum OrderNumber {
    public static func make(orderID: UInt64) -> String {
        let ms = Int64(orderID >> UInt64(IDGenerator.counterBits))
        let counter = orderID & ((1 << UInt64(IDGenerator.counterBits)) - 1)
        let civil = CivilTime(epochMs: ms)
        return civil.digits(layout: CivilTime.compactLayout, suffix: (Int(counter), 5))
    }

    public static func orderID(from number: String) -> UInt64? {
        let digits = Array(number.utf8)
        guard digits.count == 22, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        func value(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 * 10 + Int(digits[$1] - 48) }
        }
        let civil = CivilTime(
            year: value(0..<4), month: value(4..<6), day: value(6..<8),
            hour: value(8..<10), minute: value(10..<12), second: value(12..<14), millisecond: value(14..<17))
        let counter = value(17..<22)
        guard let ms = civil.epochMs, counter < 1 << IDGenerator.counterBits else { return nil }
        return UInt64(ms) << UInt64(IDGenerator.counterBits) | UInt64(counter)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// UTC calendar arithmetic without Foundation (days-from-civil, Howard Hinnant).
public struct CivilTime: Equatable, Sendable {
    public var year, month, day, hour, minute, second, millisecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second, self.millisecond) = (hour, minute, second, millisecond)
    }

    public init(epochMs: Int64) {
        let ms = Int(epochMs)
        let days = Int((Double(ms) / 86_400_000).rounded(.down))
        var rest = ms - days * 86_400_000
        millisecond = rest % 1000; rest /= 1000
        second = rest % 60; rest /= 60
        minute = rest % 60
        hour = rest / 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// nil when a field is out of range.
    public var epochMs: Int64? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second), (0...999).contains(millisecond)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
        return Int64(seconds) * 1000 + Int64(millisecond)
    }

    var compactDigits: String { digits(layout: Self.compactLayout) }

    /// ISO-8601 UTC with milliseconds, the API's time format.
    public var iso8601: String { digits(layout: Self.isoLayout) }

    /// Each field's width and the byte after it (0: none), in order year, month, day, hour, minute, second, ms.
    typealias Layout = [(width: Int, separator: UInt8)]
    static let compactLayout: Layout = [(4, 0), (2, 0), (2, 0), (2, 0), (2, 0), (2, 0), (3, 0)]
    static let isoLayout: Layout = [(4, UInt8(ascii: "-")), (2, UInt8(ascii: "-")), (2, UInt8(ascii: "T")), (2, UInt8(ascii: ":")),
                                    (2, UInt8(ascii: ":")), (2, UInt8(ascii: ".")), (3, UInt8(ascii: "Z"))]

    /// The fields zero-padded to `layout`'s widths, then `suffix` padded to its width, written into one
    /// string: these are on every order response, and padding by concatenation cost a dozen small strings.
    /// A field that does not fit its width (a year past 9999 or before 0, from an absurd timestamp) is
    /// written whole, as `OrderNumber.pad` writes it.
    func digits(layout: Layout, suffix: (value: Int, width: Int)? = nil) -> String {
        let count = layout.count + (suffix == nil ? 0 : 1)
        func field(_ index: Int) -> (value: Int, width: Int, separator: UInt8) {
            switch index {
            case 0: (year, layout[0].width, layout[0].separator)
            case 1: (month, layout[1].width, layout[1].separator)
            case 2: (day, layout[2].width, layout[2].separator)
            case 3: (hour, layout[3].width, layout[3].separator)
            case 4: (minute, layout[4].width, layout[4].separator)
            case 5: (second, layout[5].width, layout[5].separator)
            case 6: (millisecond, layout[6].width, layout[6].separator)
            default: (suffix?.value ?? 0, suffix?.width ?? 0, 0)
            }
        }
        var length = 0
        for index in 0..<count {
            let (value, width, separator) = field(index)
            guard value >= 0, width <= 18, value < Self.powersOfTen[width] else {
                return (0..<count).map { index in
                    let (value, width, separator) = field(index)
                    return OrderNumber.pad(value, width) + (separator == 0 ? "" : String(UnicodeScalar(separator)))
                }.joined()
            }
            length += width + (separator == 0 ? 0 : 1)
        }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var end = 0
            for index in 0..<count {
                let (value, width, separator) = field(index)
                var rest = value
                for position in stride(from: end + width - 1, through: end, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                end += width
                if separator != 0 {
                    buffer[end] = separator
                    end += 1
                }
            }
            return end
        }
    }

    private static let powersOfTen: [Int] = (0...18).map { (0..<$0).reduce(1) { product, _ in product * 10 } }
}
