import Testing
@testable import FeedwatchAlert
