import Testing
@testable import FeedwatchParse
