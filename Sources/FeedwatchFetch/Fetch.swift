import Foundation
import FeedwatchCore

/// The fetch stage: URL + validators → `FetchResult`.
///
/// One `Fetcher` owns one libcurl multi handle and its thread; create one per
/// process (the daemon's pipeline and `feedwatch fetch` do exactly that) and
/// share it: connections and DNS answers are reused across all fetches.
/// Per-host *spacing* between request starts is the scheduler's job; the
/// per-host *in-flight* cap is enforced here.
public final class Fetcher: Sendable {
    private let engine: CurlEngine
    public let limits: FetchLimits
    public let maxConcurrent: Int
    public let maxPerHost: Int
    public let allowPrivateNetworks: Bool

    /// - Parameters:
    ///   - maxConcurrent: transfers in flight, all hosts (`[daemon] max_concurrent`).
    ///   - maxPerHost: transfers in flight to one scheme+host+port (`max_per_host`).
    ///   - allowPrivateNetworks: allow redirects from public into loopback,
    ///     private or link-local addresses (`allow_private_networks`).
    public convenience init(maxConcurrent: Int = 16, maxPerHost: Int = 2, limits: FetchLimits = .default,
                            allowPrivateNetworks: Bool = false) {
        self.init(maxConcurrent: maxConcurrent, maxPerHost: maxPerHost, limits: limits,
                  allowPrivateNetworks: allowPrivateNetworks, classify: { $0.classification })
    }

    /// `classify` decides which addresses count as public; tests inject one
    /// that treats 127.0.0.1 as public to exercise the redirect rule locally.
    init(maxConcurrent: Int, maxPerHost: Int, limits: FetchLimits, allowPrivateNetworks: Bool,
         classify: @escaping @Sendable (IPAddress) -> AddressClass) {
        self.limits = limits
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxPerHost = max(1, maxPerHost)
        self.allowPrivateNetworks = allowPrivateNetworks
        engine = CurlEngine(maxConcurrent: maxConcurrent, maxPerHost: maxPerHost, limits: limits,
                            allowPrivateNetworks: allowPrivateNetworks, classify: classify)
    }

    deinit {
        engine.shutdown()
    }

    /// Fetches one URL. Never throws: every failure is a `FetchResult` with
    /// `outcome == .error` and a typed `error`. Cancelling the calling task
    /// aborts the transfer (result `.cancelled`) within one engine wakeup.
    public func fetch(_ request: FetchRequest) async -> FetchResult {
        let engine = self.engine
        let id = engine.makeID()
        var result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<FetchResult, Never>) in
                engine.submit(id: id, request: request) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            engine.cancel(id: id)
        }
        // Hash here, on the caller's task, to keep curl's thread doing I/O only.
        if result.outcome == .fetched {
            result.bodyHash = BodyDigest.sha256Hex(result.body)
        }
        return result
    }

    /// Stops the engine; pending and later fetches complete with `.shutdown`.
    public func shutdown() {
        engine.shutdown()
    }

    /// libcurl's version line (TLS library, decoders such as brotli/zstd).
    public static var libraryVersion: String { CurlGlobal.versionText }
}
