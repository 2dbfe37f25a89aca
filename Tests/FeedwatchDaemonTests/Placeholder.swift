import Testing
@testable import FeedwatchDaemon
