import Foundation
import FeedwatchCore
import FeedwatchClassify

/// The main config and the keyword rules it names, loaded and validated
/// together: used by `check`, by `run` at start and by every reload, so all
/// three accept and reject exactly the same files.
public struct ConfigBundle: Sendable {
    public var config: DaemonConfig
    public var rules: KeywordRules

    public static func load(configPath: String) throws(ConfigProblems) -> ConfigBundle {
        KeywordRules.prepareInBackground()
        var problems: [ConfigProblem] = []
        var config: DaemonConfig?
        do {
            config = try DaemonConfig.load(path: configPath)
        } catch {
            problems += error.problems
        }
        // The keyword file is checked even when the main file has problems, so
        // one `feedwatch check` shows everything.
        let keywordsPath = config?.keywordsFile ?? Self.keywordsPathBestEffort(configPath: configPath)
        var rules: KeywordRules?
        do throws(ConfigProblems) {
            let text: String
            do {
                text = try String(contentsOfFile: keywordsPath, encoding: .utf8)
            } catch {
                throw ConfigProblems([ConfigProblem(file: keywordsPath, line: 0,
                                                    message: "cannot read the keyword file: \(DaemonConfig.reason(error))")])
            }
            rules = try KeywordRules.load(text: text, file: keywordsPath)
        } catch {
            problems += error.problems
        }
        if let config, let rules, problems.isEmpty {
            return ConfigBundle(config: config, rules: rules)
        }
        throw ConfigProblems(problems)
    }

    /// When the main file is broken, still find the keyword file it most likely
    /// names (its `keywords` line, else the default beside it).
    static func keywordsPathBestEffort(configPath: String) -> String {
        let dir = ConfigLocator.directory(of: configPath)
        let base = dir.isEmpty ? "." : dir
        if let text = try? String(contentsOfFile: configPath, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let t = line.trimmingCharacters(in: .whitespaces)
                guard t.hasPrefix("keywords"), let eq = t.firstIndex(of: "=") else { continue }
                let value = t[t.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, let q = value.first, q == "\"" || q == "'", let end = value.dropFirst().firstIndex(of: q) {
                    let p = String(value[value.index(after: value.startIndex)..<end])
                    return p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p)
                }
            }
        }
        return (base as NSString).appendingPathComponent("keywords.toml")
    }
}
