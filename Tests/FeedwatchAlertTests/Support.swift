import FeedwatchCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "/fw-alert-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

func sampleAlert(id: String = "a-1", title: String? = "Ri Yong Ho meets Lavrov in Moscow") -> Alert {
    Alert(
        id: id, storyID: "s-" + id, feed: "Example Wire", url: "https://example.org/news/\(id)?x=1&y=2",
        title: title, published: Date(timeIntervalSince1970: 1_523_343_600), // 2018-04-10T07:00:00Z
        fetched: Date(timeIntervalSince1970: 1_523_343_700.25),
        score: 12.5, threshold: 6,
        matches: [TermMatch(term: "Pyongyang", group: "north_korea", weight: 2, count: 3, positions: [1, 7, 9])],
        summary: "Foreign ministers met.", sources: [AlertSource(feed: "Other", url: nil, title: "Copy")]
    )
}

func readFile(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) {
    precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
}

func appendFile(_ path: String, _ text: String) {
    let h = FileHandle(forWritingAtPath: path)!
    h.seekToEndOfFile()
    h.write(Data(text.utf8))
    try? h.close()
}

func listing(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
}

func mode(_ path: String) -> Int {
    var st = stat()
    guard stat(path, &st) == 0 else { return -1 }
    return Int(st.st_mode & 0o7777)
}
