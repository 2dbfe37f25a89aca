import Testing
@testable import FeedwatchClassify
