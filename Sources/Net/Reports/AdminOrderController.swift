import HTTPTypes
import Hummingbird

/// The back office's order list, order detail and CSV export, read from the
/// PostgreSQL archive (a few seconds behind the engine). Auth is on the group.
struct AdminOrderController {
    let reports: (any ReportService)?
    let nowMs: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<MallRequestContext>) {
        // `orders/export` is a constant segment: the router prefers it over `orders/:id`.
        group.get("orders/export", use: export)
        group.get("orders", use: list)
        group.get("orders/:id", use: show)
    }

    @Sendable func list(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminOrderPage> {
        var parameters = ReportParameters(request)
        let filter = parameters.orderFilter()
        let page = parameters.pageRequest()
        try parameters.check()
        return Envelope(try await withReports(reports, context: context) { try await $0.listOrders(filter: filter, page: page) })
    }

    @Sendable func show(_ request: Request, context: MallRequestContext) async throws -> Envelope<AdminOrderDetail> {
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        let detail = try await withReports(reports, context: context) { try await $0.orderDetail(id: id) }
        guard let detail else { throw APIError(.notFound, "order not found in the archive (it may be a few seconds behind)") }
        return Envelope(detail)
    }

    /// Streams every matching order as CSV; paging parameters are ignored.
    @Sendable func export(_ request: Request, context: MallRequestContext) async throws -> Response {
        var parameters = ReportParameters(request)
        let filter = parameters.orderFilter()
        try parameters.check()
        let rows = try await withReports(reports, context: context) { try $0.exportOrders(filter: filter) }
        let stamp = APITime.format(ms: nowMs()).filter { $0.isNumber || $0 == "T" }.prefix(15)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"orders-\(stamp)Z.csv\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody(asyncSequence: rows))
    }
}
