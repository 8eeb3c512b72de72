import Hummingbird

/// Dashboard figures for the back office, from the PostgreSQL archive. Days
/// and hours are the shop's (the archive's configured time zone).
struct AdminStatsController {
    let reports: (any ReportService)?
    let nowMs: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("stats/overview", use: overview)
        group.get("stats/sales", use: sales)
        group.get("stats/top-products", use: topProducts)
        group.get("stats/seckill/:activityId", use: seckill)
    }

    @Sendable func overview(_ request: Request, context: MallRequestContext) async throws -> Envelope<StatsOverview> {
        let now = nowMs()
        return Envelope(try await withReports(reports, context: context) { try await $0.overview(nowMs: now) })
    }

    @Sendable func sales(_ request: Request, context: MallRequestContext) async throws -> Envelope<SalesSeries> {
        var parameters = ReportParameters(request)
        let fromMs = parameters.requiredTime("from")
        let toMs = parameters.requiredTime("to")
        let granularity = parameters.choice("granularity", default: SalesGranularity.day)
        if let fromMs, let toMs {
            // Both are RFC 3339 times of the years 0000 to 9999: their difference cannot overflow.
            parameters.require(toMs > fromMs, "to", "must be after from")
            parameters.require(toMs - fromMs <= granularity.rangeMsMax, "to",
                               "must be at most \(granularity.rangeMsMax / 86_400_000) days after from for granularity=\(granularity.rawValue)")
        }
        try parameters.check()
        guard let fromMs, let toMs else { throw APIError.invalid("from", "is required") }
        return Envelope(try await withReports(reports, context: context) {
            try await $0.sales(fromMs: fromMs, toMs: toMs, granularity: granularity)
        })
    }

    @Sendable func topProducts(_ request: Request, context: MallRequestContext) async throws -> Envelope<TopProducts> {
        var parameters = ReportParameters(request)
        let ranking = parameters.choice("by", default: TopProductRanking.quantity)
        let limit = parameters.integer("limit", ReportParameters.topProductsLimitRule).map { Int($0) } ?? TopProducts.limitDefault
        let (fromMs, toMs) = parameters.timeRange()
        try parameters.check()
        return Envelope(try await withReports(reports, context: context) {
            try await $0.topProducts(by: ranking, limit: limit, fromMs: fromMs, toMs: toMs)
        })
    }

    @Sendable func seckill(_ request: Request, context: MallRequestContext) async throws -> Envelope<SeckillReport> {
        let id = try EntityID.parse(context.parameters.get("activityId"), field: "activityId")
        let report = try await withReports(reports, context: context) { try await $0.seckillReport(activityID: id) }
        guard let report else { throw APIError(.notFound, "flash-sale activity not found in the archive") }
        return Envelope(report)
    }
}
