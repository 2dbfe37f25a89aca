import Foundation
import FeedwatchCore

extension KeywordRules {
    /// Parses, validates and compiles a keyword file. Reports every problem found (not just
    /// the first) as `FILE:LINE: message`; nothing half-valid is ever returned.
    /// Builds the Unicode fold table (65,536 entries, ~8 ms) on another
    /// thread now, so a caller with other start-up work (reading the main
    /// config) overlaps it with that instead of paying it inside `load`.
    /// Once per process: reloads and `check` find the table built.
    public static func prepareInBackground() {
        _ = foldTableWarmUp
    }

    private static let foldTableWarmUp: Void = Thread.detachNewThread { _ = FoldTable.shared }

    public static func load(text: String, file: String) throws(ConfigProblems) -> KeywordRules {
        let root = try TOML.parse(text, file: file)
        var loader = KeywordConfigLoader(file: file)
        let model = loader.read(root)
        if !loader.problems.isEmpty {
            throw ConfigProblems(loader.problems.sorted { ($0.line, $0.message) < ($1.line, $1.message) })
        }
        return KeywordRules(model: model)
    }
}

/// Maps the TOML tree onto RuleModel, collecting problems.
struct KeywordConfigLoader {
    let file: String
    var problems: [ConfigProblem] = []

    init(file: String) { self.file = file }

    mutating func problem(_ line: Int, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, message: message))
    }

    // MARK: typed accessors

    mutating func checkKeys(_ t: TOMLTable, allowed: [String], context: String) {
        for (k, n) in t.entries where !allowed.contains(k) {
            problem(n.line, "unknown key '\(k)' in \(context) (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    mutating func number(_ t: TOMLTable, _ key: String, context: String, default def: Double?, valid: (Double) -> Bool, rule: String) -> Double? {
        guard let n = t[key] else {
            if def == nil { problem(t.line, "\(context): missing '\(key)'") }
            return def
        }
        guard let v = n.number, v.isFinite else {
            problem(n.line, "\(context): '\(key)' must be a number, got \(n.value.typeName)")
            return def
        }
        guard valid(v) else {
            problem(n.line, "\(context): '\(key)' \(rule), got \(v)")
            return def
        }
        return v
    }

    mutating func integer(_ t: TOMLTable, _ key: String, context: String, default def: Int?, min lo: Int) -> Int? {
        guard let n = t[key] else {
            if def == nil { problem(t.line, "\(context): missing '\(key)'") }
            return def
        }
        guard let v = n.integer else {
            problem(n.line, "\(context): '\(key)' must be an integer, got \(n.value.typeName)")
            return def
        }
        guard v >= lo, v <= 1_000_000 else {
            problem(n.line, "\(context): '\(key)' must be at least \(lo), got \(v)")
            return def
        }
        return Int(v)
    }

    mutating func string(_ t: TOMLTable, _ key: String, context: String, required: Bool) -> (String, Int)? {
        guard let n = t[key] else {
            if required { problem(t.line, "\(context): missing '\(key)'") }
            return nil
        }
        guard let s = n.string else {
            problem(n.line, "\(context): '\(key)' must be a string, got \(n.value.typeName)")
            return nil
        }
        return (s, n.line)
    }

    mutating func stringList(_ t: TOMLTable, _ key: String, context: String, required: Bool) -> [(String, Int)]? {
        guard let n = t[key] else {
            if required { problem(t.line, "\(context): missing '\(key)'") }
            return nil
        }
        guard let a = n.array else {
            problem(n.line, "\(context): '\(key)' must be an array of strings, got \(n.value.typeName)")
            return nil
        }
        var out: [(String, Int)] = []
        for e in a {
            if let s = e.string { out.append((s, e.line)) } else { problem(e.line, "\(context): '\(key)' must contain only strings, got \(e.value.typeName)") }
        }
        return out
    }

    mutating func tables(_ root: TOMLTable, _ key: String, single: Bool) -> [TOMLTable] {
        guard let n = root[key] else { return [] }
        if single {
            if let t = n.table { return [t] }
            problem(n.line, "'\(key)' must be a table ([\(key)]), got \(n.value.typeName)")
            return []
        }
        guard let a = n.array else {
            problem(n.line, "'\(key)' must be an array of tables ([[\(key)]]), got \(n.value.typeName)")
            return []
        }
        var out: [TOMLTable] = []
        for e in a {
            if let t = e.table { out.append(t) } else { problem(e.line, "'\(key)' must be an array of tables ([[\(key)]]), got an element that is \(e.value.typeName)") }
        }
        return out
    }

    // MARK: the file

    mutating func read(_ root: TOMLTable) -> RuleModel {
        var model = RuleModel()
        checkKeys(root, allowed: ["threshold", "scoring", "group", "require", "proximity", "roundup"], context: "the top level")
        if let th = root["threshold"] {
            if let v = th.number, v.isFinite {
                if v > 0 { model.threshold = v } else { problem(th.line, "'threshold' must be positive, got \(v)") }
            } else {
                problem(th.line, "'threshold' must be a number, got \(th.value.typeName)")
            }
        } else {
            problem(1, "missing top-level 'threshold' (an article alerts when its score is at least the threshold)")
        }

        if let s = tables(root, "scoring", single: true).first {
            let ctx = "[scoring]"
            checkKeys(s, allowed: ["title_weight", "position_decay", "position_floor"], context: ctx)
            model.scoring.titleWeight = number(s, "title_weight", context: ctx, default: 2, valid: { $0 > 0 }, rule: "must be positive")!
            model.scoring.positionDecay = number(s, "position_decay", context: ctx, default: 1, valid: { $0 > 0 && $0 <= 1 }, rule: "must be in (0, 1]")!
            model.scoring.positionFloor = number(s, "position_floor", context: ctx, default: 1, valid: { $0 >= 0 && $0 <= 1 }, rule: "must be in [0, 1]")!
        }

        // Groups.
        let groupTables = tables(root, "group", single: false)
        if root["group"] == nil { problem(1, "no [[group]] defined: nothing could ever match") }
        var groupLines: [String: Int] = [:]
        var countsAsTargets: [String: Int] = [:]
        // Normalized spelling → (term, line), for duplicate detection across the file.
        var seenVariants: [String: (String, Int, Int)] = [:]
        var termSerial = 0
        for t in groupTables {
            var g = GroupModel(name: "", line: t.line)
            checkKeys(t, allowed: ["name", "weight", "max_count", "max_total", "counts_as", "context", "exclude", "terms"], context: "[[group]]")
            let nameInfo = string(t, "name", context: "[[group]]", required: true)
            let name = nameInfo?.0 ?? ""
            let ctx = name.isEmpty ? "[[group]]" : "group '\(name)'"
            if let (n, line) = nameInfo {
                if !Self.validName(n) {
                    problem(line, "group name '\(n)' must be lowercase letters, digits and '_'")
                } else if let other = groupLines[n] {
                    problem(line, "duplicate group name '\(n)' (first defined at line \(other))")
                } else {
                    groupLines[n] = line
                }
            }
            g.name = name
            g.weight = number(t, "weight", context: ctx, default: 1, valid: { abs($0) <= 1000 }, rule: "must be between -1000 and 1000")!
            g.maxCount = integer(t, "max_count", context: ctx, default: 3, min: 1)!
            if t["max_total"] != nil {
                g.maxTotal = number(t, "max_total", context: ctx, default: nil, valid: { $0 > 0 }, rule: "must be positive")
            }
            if let b = t["exclude"] {
                if let v = b.bool { g.exclude = v } else { problem(b.line, "\(ctx): 'exclude' must be a boolean, got \(b.value.typeName)") }
            }
            for (n, line) in stringList(t, "counts_as", context: ctx, required: false) ?? [] {
                if n == name { problem(line, "\(ctx): 'counts_as' names the group itself") }
                else if !Self.validName(n) { problem(line, "\(ctx): 'counts_as' entry '\(n)' must be lowercase letters, digits and '_'") }
                else { g.countsAs.append(n); if countsAsTargets[n] == nil { countsAsTargets[n] = line } }
            }
            g.context = (stringList(t, "context", context: ctx, required: false) ?? []).map { $0.0 }
            if g.exclude && (!g.countsAs.isEmpty || !g.context.isEmpty) {
                problem(t.line, "\(ctx): an exclusion group cannot have 'counts_as' or 'context'")
            }
            // Terms.
            if let tn = t["terms"] {
                if let arr = tn.array {
                    if arr.isEmpty { problem(tn.line, "\(ctx): 'terms' is empty") }
                    for e in arr {
                        var spellings: [String] = []
                        if let s = e.string {
                            spellings = [s]
                        } else if let variants = e.array {
                            for v in variants {
                                if let s = v.string { spellings.append(s) }
                                else { problem(v.line, "\(ctx): a variant list must contain only strings, got \(v.value.typeName)") }
                            }
                            if variants.isEmpty { problem(e.line, "\(ctx): empty variant list []") }
                        } else {
                            problem(e.line, "\(ctx): a term must be a string or an array of spellings, got \(e.value.typeName)")
                            continue
                        }
                        guard !spellings.isEmpty else { continue }
                        var ok = true
                        var compiled: [[CompiledVariant]] = []
                        var localSeen = Set<String>()
                        termSerial += 1
                        for s in spellings {
                            switch TermCompiler.compile(s) {
                            case .failure(let err):
                                problem(e.line, "\(ctx): term '\(s)' \(err.message)")
                                ok = false
                            case .success(let variants):
                                compiled.append(variants)
                                let keys = variants.map { v in v.pieces.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "|") }
                                let whole = keys.sorted().joined(separator: "#")
                                if localSeen.contains(whole) {
                                    problem(e.line, "\(ctx): duplicate spelling '\(s)' in the same term")
                                    continue
                                }
                                localSeen.insert(whole)
                                // The same words reachable from two different terms would be counted twice.
                                for k in keys {
                                    if let (other, line, serial) = seenVariants[k], serial != termSerial {
                                        problem(e.line, "\(ctx): duplicate term '\(s)' (matches the same words as '\(other)' at line \(line))")
                                        break
                                    }
                                }
                                for k in keys where seenVariants[k] == nil { seenVariants[k] = (s, e.line, termSerial) }
                            }
                        }
                        if ok { g.terms.append(TermModel(name: spellings[0], spellings: spellings, line: e.line, compiled: compiled)) }
                    }
                } else {
                    problem(tn.line, "\(ctx): 'terms' must be an array, got \(tn.value.typeName)")
                }
            } else {
                problem(t.line, "\(ctx): missing 'terms' (an empty group can never match)")
            }
            model.groups.append(g)
        }
        let definedNames = Set(model.groups.map(\.name))
        // Names usable in require/proximity/context: groups and the "sides" they count as.
        let matchable = Set(model.groups.filter { !$0.terms.isEmpty && !$0.exclude }.map(\.name))
            .union(model.groups.filter { !$0.terms.isEmpty && !$0.exclude }.flatMap(\.countsAs))
        let allNames = definedNames.union(countsAsTargets.keys)
        if allNames.count > 64 { problem(1, "too many groups (\(allNames.count)); at most 64 group and counts_as names") }
        for (gi, t) in groupTables.enumerated() where gi < model.groups.count {
            let g = model.groups[gi]
            for (n, line) in stringList(t, "context", context: "group '\(g.name)'", required: false) ?? [] where !allNames.contains(n) {
                problem(line, "group '\(g.name)': context '\(n)' is not a group or counts_as name")
            }
        }

        // Requirements.
        for t in tables(root, "require", single: false) {
            checkKeys(t, allowed: ["groups", "factor"], context: "[[require]]")
            let names = stringList(t, "groups", context: "[[require]]", required: true) ?? []
            if names.isEmpty, t["groups"] != nil { problem(t["groups"]!.line, "[[require]]: 'groups' is empty") }
            for (n, line) in names where !matchable.contains(n) {
                if model.groups.contains(where: { $0.name == n && $0.exclude }) {
                    problem(line, "[[require]]: required group '\(n)' is an exclusion group: requiring it can never help an article alert")
                } else {
                    problem(line, "[[require]]: required group '\(n)' can never match (no group with terms is named so or counts as it)")
                }
            }
            let factor = number(t, "factor", context: "[[require]]", default: 0, valid: { $0 >= 0 && $0 < 1 }, rule: "must be in [0, 1)")!
            model.requires.append(RequireModel(groups: names.map(\.0), line: t.line, factor: factor))
        }

        // Proximity.
        for t in tables(root, "proximity", single: false) {
            let ctx = "[[proximity]]"
            checkKeys(t, allowed: ["groups", "same_sentence", "words", "near", "max_sentences"], context: ctx)
            let names = stringList(t, "groups", context: ctx, required: true) ?? []
            if t["groups"] != nil, names.count != 2 { problem(t["groups"]!.line, "\(ctx): 'groups' must name exactly two groups, got \(names.count)") }
            for (n, line) in names where !matchable.contains(n) {
                problem(line, "\(ctx): group '\(n)' can never match (no group with terms is named so or counts as it)")
            }
            let same = number(t, "same_sentence", context: ctx, default: nil, valid: { $0 >= 0 }, rule: "must not be negative")
            let words = integer(t, "words", context: ctx, default: 10, min: 0)
            let near = number(t, "near", context: ctx, default: 0, valid: { $0 >= 0 }, rule: "must not be negative")
            let maxS = integer(t, "max_sentences", context: ctx, default: 3, min: 1)
            if names.count == 2 {
                model.proximity.append(ProximityModel(groups: names.map(\.0), line: t.line, sameSentence: same ?? 0, words: words ?? 10,
                                                      near: near ?? 0, maxSentences: maxS ?? 3))
            }
        }

        // Roundup.
        if let t = tables(root, "roundup", single: true).first {
            let ctx = "[roundup]"
            checkKeys(t, allowed: ["countries", "sides", "min_countries", "penalty", "max_sentences"], context: ctx)
            let countries = string(t, "countries", context: ctx, required: true)
            if let (c, line) = countries, !definedNames.contains(c) { problem(line, "\(ctx): 'countries' group '\(c)' is not defined") }
            let sides = stringList(t, "sides", context: ctx, required: false) ?? []
            for (n, line) in sides where !allNames.contains(n) { problem(line, "\(ctx): side '\(n)' is not a group or counts_as name") }
            let minC = integer(t, "min_countries", context: ctx, default: nil, min: 2)
            let penalty = number(t, "penalty", context: ctx, default: 0, valid: { $0 >= 0 }, rule: "must not be negative")
            let maxS = integer(t, "max_sentences", context: ctx, default: 2, min: 1)
            if let (c, _) = countries {
                model.roundup = RoundupModel(line: t.line, countries: c, sides: sides.map(\.0), minCountries: minC ?? 4,
                                             penalty: penalty ?? 0, maxSentences: maxS ?? 2)
            }
        }
        return model
    }

    static func validName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
