import AsyncHTTPClient
import Logging

/// The one holder of an AppID's access token (reference section 2.3).
///
/// - Fetches with `POST /cgi-bin/stable_token` (see `StableAccessTokenFetcher`).
/// - Caches the token; once less than `AccessTokenSchedule.refreshMargin`
///   of its life remains, the next caller starts a refresh in the background
///   and callers keep getting the old token until the new one arrives.
/// - At most one fetch is in flight: concurrent callers that need a token
///   await the same fetch.
/// - After a failed fetch, callers that need a token get that failure for
///   `failurePause` instead of a new fetch each, so an outage does not turn
///   into a request storm against WeChat.
/// - Logs when and how long a token was fetched for, never the token or the secret.
///
/// Create one per AppID per process and share it: independent holders fetch
/// independently. The clock is injected so tests can expire tokens.
public actor WeChatAccessTokenProvider<C: Clock<Duration>>: WeChatAccessTokenSource {
    typealias Refresh = Task<Result<AccessTokenGrant, WeChatError>, Never>

    struct CachedToken {
        var value: String
        /// From here on, a caller starts a background refresh.
        var refreshAt: C.Instant
        /// From here on, the token is not handed out.
        var expiresAt: C.Instant
    }

    let fetcher: StableAccessTokenFetcher
    let clock: C
    let failurePause: Duration
    let logger: Logger

    var current: CachedToken?
    /// The fetch in flight, if any; never more than one.
    var refresh: Refresh?
    var lastFailure: (error: WeChatError, at: C.Instant)?

    /// - Parameters:
    ///   - baseURL: the WeChat API host; a fake on 127.0.0.1 in tests.
    ///   - failurePause: how long a failed fetch is reported to callers that
    ///     need a token before the next fetch is tried.
    ///   - clock: decides when a token is refreshed and when it expired.
    public init(
        baseURL: String = "https://api.weixin.qq.com",
        appID: String,
        appSecret: String,
        httpClient: HTTPClient = .shared,
        timeout: Duration = .seconds(10),
        failurePause: Duration = .seconds(5),
        clock: C,
        logger: Logger = Logger(label: "wechat.token")
    ) {
        precondition(!appID.isEmpty && !appSecret.isEmpty, "WeChatAccessTokenProvider needs a non-empty appID and appSecret")
        precondition(failurePause >= .zero, "failurePause must not be negative")
        fetcher = StableAccessTokenFetcher(
            baseURL: BaseURL.normalized(baseURL), appID: appID, appSecret: appSecret, httpClient: httpClient,
            timeout: timeout, logger: logger)
        self.clock = clock
        self.failurePause = failurePause
        self.logger = logger
    }

    /// The current token, fetching one first when there is none or it expired.
    ///
    /// A caller that waits for a fetch waits for it to finish (at most the
    /// HTTP timeout) even when it is cancelled: the fetch serves everyone.
    public func accessToken() async throws(WeChatError) -> String {
        let now = clock.now
        if let current, now < current.expiresAt {
            if now >= current.refreshAt, refresh == nil, !isPausedAfterFailure(now) {
                // Section 2.3: refresh ahead and keep serving the old token meanwhile.
                startRefresh(at: now)
            }
            return current.value
        }
        let pending: Refresh
        if let refresh {
            pending = refresh
        } else {
            if let lastFailure, isPausedAfterFailure(now) { throw lastFailure.error }
            pending = startRefresh(at: now)
        }
        switch await pending.value {
        case .success(let grant): return grant.token
        case .failure(let error): throw error
        }
    }

    public func invalidate(_ token: String) {
        guard let current, current.value == token else { return }
        self.current = nil
        logger.notice("access token rejected by WeChat; the next call fetches a new one")
    }

    func isPausedAfterFailure(_ now: C.Instant) -> Bool {
        guard let lastFailure else { return false }
        return now < lastFailure.at.advanced(by: failurePause)
    }

    @discardableResult
    func startRefresh(at startedAt: C.Instant) -> Refresh {
        precondition(refresh == nil, "one access token fetch at a time")
        let fetcher = self.fetcher
        let task = Refresh {
            let result = await fetcher.fetch()
            self.finishRefresh(result, startedAt: startedAt)
            return result
        }
        refresh = task
        return task
    }

    /// Runs on the actor before any waiting caller resumes, so every caller
    /// sees the new token installed.
    func finishRefresh(_ result: Result<AccessTokenGrant, WeChatError>, startedAt: C.Instant) {
        refresh = nil
        switch result {
        case .success(let grant):
            // Lifetimes count from the request, not the answer: the token was
            // issued somewhere in between, so this errs on the early side.
            let margin = AccessTokenSchedule.refreshMargin(lifetime: grant.lifetime)
            current = CachedToken(
                value: grant.token, refreshAt: startedAt.advanced(by: grant.lifetime - margin),
                expiresAt: startedAt.advanced(by: grant.lifetime))
            lastFailure = nil
            logger.info("access token fetched", metadata: ["expiresInSeconds": "\(grant.lifetime.components.seconds)"])
        case .failure(let error):
            // A token that is still valid keeps being served (section 2.3).
            lastFailure = (error, clock.now)
            logger.warning("access token fetch failed", metadata: ["error": "\(error)"])
        }
    }
}

extension WeChatAccessTokenProvider where C == ContinuousClock {
    /// A provider on the continuous clock (which keeps counting while the
    /// machine sleeps, as WeChat's expiry does).
    public init(
        baseURL: String = "https://api.weixin.qq.com",
        appID: String,
        appSecret: String,
        httpClient: HTTPClient = .shared,
        timeout: Duration = .seconds(10),
        failurePause: Duration = .seconds(5),
        logger: Logger = Logger(label: "wechat.token")
    ) {
        self.init(
            baseURL: baseURL, appID: appID, appSecret: appSecret, httpClient: httpClient, timeout: timeout,
            failurePause: failurePause, clock: ContinuousClock(), logger: logger)
    }
}

/// When a cached token is refreshed.
public enum AccessTokenSchedule {
    /// Section 2.3: refresh when less than about 5 minutes remain.
    public static let refreshMarginMax: Duration = .seconds(300)

    /// The part of a token's life left when a refresh starts: 5 minutes, or a
    /// fifth of the lifetime when that is shorter (short lifetimes in tests,
    /// or a stable token handed out near its end), so a token is used for at
    /// least four fifths of its life rather than refreshed on every call.
    public static func refreshMargin(lifetime: Duration) -> Duration {
        min(refreshMarginMax, lifetime / 5)
    }
}
