/// The one place the version lives; the fetcher's User-Agent and `--version` use it.
public enum FeedwatchVersion {
    public static let string = "0.1.0"
    public static let projectURL = "https://github.com/feedwatch/feedwatch"
    public static var userAgent: String { "feedwatch/\(string) (+\(projectURL))" }
}
