import Testing
@testable import FeedwatchDedup
