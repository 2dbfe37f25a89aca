import Testing
@testable import FeedwatchFetch
