import FeedwatchCore
import GRDB
