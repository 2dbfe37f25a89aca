import Foundation
import Testing
import FeedwatchCore
@testable import FeedwatchDedup

@Suite struct ItemIdentityTests {
    let d1 = Date(timeIntervalSince1970: 1_523_318_400)
    let d2 = Date(timeIntervalSince1970: 1_523_404_800)

    @Test func prefersGUIDThenLinkThenTitleAndDate() {
        let ids = ItemIdentity.identities(for: [
            IdentityInput(guid: " tag:example.org,2018:1 ", link: "https://example.org/1", title: "A", published: d1),
            IdentityInput(guid: nil, link: "HTTPS://Example.org/2?utm_source=rss#top", title: "B", published: d1),
            IdentityInput(guid: "  ", link: nil, title: "C  story", published: d2),
        ])
        #expect(ids[0] == "g:tag:example.org,2018:1")
        #expect(ids[1] == "u:https://example.org/2")
        #expect(ids[2].hasPrefix("t:") && ids[2].count == 18)
    }

    @Test func titleKeyIgnoresCaseAndWhitespaceButNotDate() {
        let a = ItemIdentity.identities(for: [IdentityInput(guid: nil, link: nil, title: "Kim  meets\nPutin", published: d1)])
        let b = ItemIdentity.identities(for: [IdentityInput(guid: nil, link: nil, title: "kim meets putin", published: d1)])
        let c = ItemIdentity.identities(for: [IdentityInput(guid: nil, link: nil, title: "kim meets putin", published: d2)])
        #expect(a == b)
        #expect(a != c)
    }

    /// The byte-level ASCII fold must agree with the Unicode one on every
    /// ASCII title, or identities would change with a title's character set.
    @Test func asciiTitleFoldMatchesUnicodeFold() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 \t\n\r\u{0B}\u{0C}-,.'\"|\u{1F}\u{7F}Kim JONG un".unicodeScalars)
        for _ in 0..<2000 {
            let n = Int.random(in: 0...24, using: &rng)
            var s = String.UnicodeScalarView()
            for _ in 0..<n { s.append(alphabet.randomElement(using: &rng)!) }
            let title = String(s)
            #expect(ItemIdentity.asciiFoldedTitle(title) == ItemIdentity.foldedTitle(title), "\(title.debugDescription)")
        }
        #expect(ItemIdentity.asciiFoldedTitle("Путин  и Ким") == nil)
        #expect(ItemIdentity.foldedTitle("Путин\u{00A0} И Ким ") == "путин и ким")
        #expect(ItemIdentity.asciiFoldedTitle("  Kim\t\tMEETS  Putin ") == "kim meets putin")
    }

    /// GUIDs and links are trimmed of Unicode white space, not only ASCII.
    @Test func guidTrimmedOfUnicodeWhiteSpace() {
        let ids = ItemIdentity.identities(for: [
            IdentityInput(guid: "\u{00A0}tag:x,1\u{3000}", link: nil, title: "A", published: d1),
            IdentityInput(guid: "tag:x,2", link: nil, title: "B", published: d1),
            IdentityInput(guid: "\u{2028}", link: " https://example.org/3 ", title: "C", published: d1),
        ])
        #expect(ids == ["g:tag:x,1", "g:tag:x,2", "u:https://example.org/3"])
    }

    @Test func guidReusedForEveryItemFallsBackToLink() {
        let items = (1...5).map {
            IdentityInput(guid: "https://example.org/feed", link: "https://example.org/story/\($0)", title: "Story \($0)", published: d1)
        }
        let ids = ItemIdentity.identities(for: items)
        #expect(ids == (1...5).map { "u:https://example.org/story/\($0)" })
    }

    @Test func guidReusedOnlyForSomeItemsAffectsOnlyThose() {
        let ids = ItemIdentity.identities(for: [
            IdentityInput(guid: "same", link: "https://example.org/a", title: "A", published: d1),
            IdentityInput(guid: "same", link: "https://example.org/b", title: "B", published: d1),
            IdentityInput(guid: "unique", link: "https://example.org/c", title: "C", published: d1),
        ])
        #expect(ids == ["u:https://example.org/a", "u:https://example.org/b", "g:unique"])
    }

    @Test func guidAndLinkBothReusedFallBackToTitle() {
        let items = ["One", "Two", "Three"].map {
            IdentityInput(guid: "x", link: "https://example.org/", title: $0, published: d1)
        }
        let ids = ItemIdentity.identities(for: items)
        #expect(Set(ids).count == 3)
        #expect(ids.allSatisfy { $0.hasPrefix("t:") })
    }

    @Test func trueRepeatsKeepOneIdentity() {
        let item = IdentityInput(guid: "g1", link: "https://example.org/a", title: "A", published: d1)
        #expect(ItemIdentity.identities(for: [item, item]) == ["g:g1", "g:g1"])
    }

    /// An edited item keeps its identity across fetches (GUID stable, text changed).
    @Test func stableAcrossDocuments() {
        let first = ItemIdentity.identities(for: [
            IdentityInput(guid: "g1", link: "https://example.org/a", title: "Draft title", published: d1),
        ])
        let second = ItemIdentity.identities(for: [
            IdentityInput(guid: "g0", link: "https://example.org/z", title: "Z", published: d2),
            IdentityInput(guid: "g1", link: "https://example.org/a?utm_medium=x", title: "Final title", published: d1),
        ])
        #expect(first[0] == second[1])
    }

    @Test func guidsAreCaseSensitive() {
        let ids = ItemIdentity.identities(for: [
            IdentityInput(guid: "ABC", link: nil, title: nil, published: nil),
            IdentityInput(guid: "abc", link: nil, title: nil, published: nil),
        ])
        #expect(ids[0] != ids[1])
    }
}

@Suite struct StableIDTests {
    @Test func sha256KnownVectors() {
        // FIPS 180-4 examples / NIST CAVS.
        #expect(StableID.hexString(SHA256.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(StableID.hexString(SHA256.hash([UInt8]()))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(StableID.hexString(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(StableID.hexString(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55 and 56 bytes: the padding boundary.
        #expect(StableID.hexString(SHA256.hash([UInt8](repeating: 0x61, count: 55)))
            == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(StableID.hexString(SHA256.hash([UInt8](repeating: 0x61, count: 56)))
            == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    @Test func deterministicShortAndUnambiguous() {
        let a = StableID.hex("story", "https://example.org/a")
        #expect(a == StableID.hex("story", "https://example.org/a"))
        #expect(a.count == 16 && a.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(StableID.hex("ab", "c") != StableID.hex("a", "bc"))
        #expect(StableID.hex("a") != StableID.hex("a", ""))
        // Pinned: ids are persisted (spool file names, database), so the
        // function must never change.
        // Values computed independently (Python hashlib: sha256 over
        // little-endian u64 length + UTF-8 of each part, first 8 bytes).
        #expect(StableID.hex("feedwatch") == "7a017604b49678a7")
        #expect(a == "ff038a9b53fda9fe")
        #expect(StableID.hex("feedwatch") == StableID.hex(parts: ["feedwatch"]))
    }
}
