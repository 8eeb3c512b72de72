import PostgresNIO

/// A query assembled from fixed SQL text and bound values, on top of
/// postgres-nio's own `PostgresQuery` interpolation: every value becomes a
/// `$n` parameter, and SQL text can only be a `StaticString`, so no value
/// from a request can ever be spliced into the statement. Dynamic parts
/// (which filters apply, the ORDER BY) are chosen among fixed fragments.
struct ReportSQL {
    private var interpolation: PostgresQuery.StringInterpolation

    init(_ sql: StaticString, capacity: Int = 512) {
        interpolation = PostgresQuery.StringInterpolation(literalCapacity: capacity, interpolationCount: 16)
        append(sql)
    }

    /// Appends SQL text known at compile time.
    mutating func append(_ sql: StaticString) {
        interpolation.appendLiteral(sql.description)
    }

    /// Appends `$n` and binds `value` to it (arrays too, for `= ANY($n)`).
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) {
        interpolation.appendInterpolation(value)
    }

    /// `timestamptz` from epoch milliseconds, exactly (integer interval
    /// arithmetic, no floating point on either side).
    mutating func bindTime(ms: Int64) {
        append("(timestamptz 'epoch' + ")
        bind(ms)
        append(" * interval '1 millisecond')")
    }

    /// `timestamptz` from epoch microseconds: the cursor keeps full precision
    /// so that keyset pagination never skips or repeats a row.
    mutating func bindTime(us: Int64) {
        append("(timestamptz 'epoch' + ")
        bind(us)
        append(" * interval '1 microsecond')")
    }

    var query: PostgresQuery { PostgresQuery(stringInterpolation: interpolation) }
}
