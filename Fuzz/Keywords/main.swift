// libFuzzer entry point for the configuration readers (issue 7): the TOML
// reader (FeedwatchCore/TOML), the keyword-rule loader (FeedwatchClassify) and
// the daemon config (FeedwatchDaemon/Config/DaemonConfig.swift). Not part of the
// SwiftPM graph: scripts/fuzz.sh compiles these sources into one module so the
// harness needs no package build; see Fuzz/README.md.

// A fixed article with HTML, entities, mixed scripts and the terms the shipped
// rules look for, so every successfully loaded rule set also runs the matcher
// (automaton, proximity windows, exclusions) - the compile path of KeywordRules
// only fails loudly once it is used.
let fuzzTitle = "North Korea &amp; Russia sign pact — Путин и Ким Чен Ын"
let fuzzBody = """
<p>Pyongyang and Moscow: Kim Jong Un met Vladimir Putin in Vladivostok.</p>
<p>The DPRK–Russia treaty on comprehensive strategic partnership, Shoigu, Lavrov,
munitions, artillery shells, Rason port, Khasan–Rajin rail link. 북한 러시아 조약.
Korean People's Army troops in Kursk. Not about South Korea or K-pop.</p>
"""

@_cdecl("LLVMFuzzerTestOneInput")
public func feedwatchKeywordsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Decoded with replacement so every byte string reaches the readers; the
    // path-based loaders reject invalid UTF-8 before this point.
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Any outcome is fine except a crash, a hang or a sanitizer report; a
    // ConfigProblems error is the expected answer to bad input.
    _ = try? TOML.parse(text, file: "fuzz.toml")
    if let rules = try? KeywordRules.load(text: text, file: "keywords.toml") {
        _ = rules.score(title: fuzzTitle, body: fuzzBody)
        _ = rules.score(title: nil, body: text)
    }
    _ = try? DaemonConfig.parse(text: text, file: "feedwatch.toml")
    return 0
}
