/// The bounds every amount and count must fit before it reaches a decision.
/// Net checks them at the edge (a 400 naming the field) and states them in the
/// OpenAPI document; the engine checks them again in its decisions, so a
/// record that is durable never carries a value whose arithmetic can overflow
/// (DESIGN invariants 9 and 10). With these bounds every product of a price
/// and a quantity, and every sum of a bounded number of them, fits in `Int64`.
public enum MallLimits {
    /// A unit price or an order amount line: at most 10^10 fen (100 million yuan).
    public static let priceFenMax: Int64 = 10_000_000_000
    /// Units of stock of one SKU or one flash-sale item.
    public static let stockMax: Int64 = 100_000_000
    /// Units one user may buy of one flash-sale item.
    public static let limitPerUserMax: Int64 = 10_000
    /// Units of one line of one purchase.
    public static let quantityMax: Int64 = 100

    public static let priceFenRange: ClosedRange<Int64> = 0...priceFenMax
    public static let stockRange: ClosedRange<Int64> = 0...stockMax
    public static let limitPerUserRange: ClosedRange<Int64> = 1...limitPerUserMax
    public static let quantityRange: ClosedRange<Int64> = 1...quantityMax
}
