import Testing
@testable import FeedwatchStore
