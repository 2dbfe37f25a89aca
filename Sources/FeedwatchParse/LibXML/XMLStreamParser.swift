internal import CFeedwatchXML2
#if canImport(Glibc)
import Glibc
#endif

/// What a streaming parse saw, besides the events it delivered.
struct XMLParseOutcome {
    /// libxml2 reported an error (not a warning) and recovered: not well-formed.
    var wellFormed: Bool
    /// A root element was seen (otherwise nothing in the input was XML).
    var sawRoot: Bool
    /// First error message, for "not a feed" explanations.
    var firstError: String?
    /// Set when a hard limit (depth, entity expansion) stopped or trimmed the parse.
    var limitHit: String?
}

/// Hard limits for one document (DESIGN.md rule 9: every input is bounded).
struct XMLLimits {
    /// Element nesting; libxml2 itself stops at 256 without XML_PARSE_HUGE.
    var maxDepth = 256
    /// Bytes of entity replacement text the document may expand in total.
    var entityBudget = 1 << 20
    /// Entity references expanded in total.
    var maxEntityReferences = 100_000
}

/// Streams a UTF-8 document through libxml2's SAX2 interface (no tree is built)
/// into an `XMLEventSink`, in recover mode, with the network and external
/// entities off. The bytes must already be UTF-8 (Encoding/ did that), so the
/// document's own encoding declaration is ignored.
enum XMLStreamParser {
    private static let globalInit: Void = { fw_xml_global_init() }()

    static func parse(_ bytes: [UInt8], sink: XMLEventSink, limits: XMLLimits = XMLLimits()) -> XMLParseOutcome {
        _ = globalInit
        let driver = SAXDriver(sink: sink, limits: limits)
        let handle = bytes.withUnsafeBufferPointer { buf -> ParserContextHandle? in
            // xmlCreateMemoryParserCtxt copies the bytes into its own input buffer.
            buf.baseAddress.flatMap { base in
                ParserContextHandle(base: base, count: buf.count)
            }
        }
        guard let handle else {
            return XMLParseOutcome(wellFormed: false, sawRoot: false, firstError: "could not create an XML parser", limitHit: nil)
        }
        handle.run(driver: driver)
        return XMLParseOutcome(wellFormed: driver.wellFormed && handle.wellFormed,
                               sawRoot: driver.sawRoot, firstError: driver.firstError, limitHit: driver.limitHit)
    }
}

/// Owns one libxml2 parser context (DESIGN.md rule 5) and frees it in deinit.
final class ParserContextHandle {
    private let ctxt: xmlParserCtxtPtr

    init?(base: UnsafePointer<UInt8>, count: Int) {
        guard count <= Int(Int32.max) else { return nil }
        let p = base.withMemoryRebound(to: CChar.self, capacity: count) { cp in
            xmlCreateMemoryParserCtxt(cp, Int32(count))
        }
        guard let p else { return nil }
        ctxt = p
    }

    deinit {
        fw_ctxt_free_doc(ctxt)
        xmlFreeParserCtxt(ctxt)
    }

    var wellFormed: Bool { fw_ctxt_well_formed(ctxt) != 0 }

    func run(driver: SAXDriver) {
        var sax = xmlSAXHandler()
        // Start from libxml2's SAX2 defaults: they keep the internal DTD subset
        // (so entities declared there expand, XML 1.0 §4.2), then replace
        // everything that would build a tree or touch the outside world.
        xmlSAXVersion(&sax, 2)
        fw_install_entity_decl(&sax)
        sax.startElementNs = saxStartElement
        sax.endElementNs = saxEndElement
        // Installed only while an element's text is being collected (SAXDriver.setCollecting).
        sax.characters = nil
        sax.ignorableWhitespace = nil
        sax.cdataBlock = nil
        sax.getEntity = saxGetEntity
        sax.serror = saxError
        let unmanaged = Unmanaged.passUnretained(driver)
        fw_ctxt_install_sax(ctxt, &sax, unmanaged.toOpaque())
        // RECOVER: keep going after well-formedness errors (feeds are often broken).
        // NOENT: substitute internal entities (their SAX events reach us; external ones are never declared).
        // NONET: no network access even if something asks.  IGNORE_ENC: bytes are UTF-8 already.
        // No XML_PARSE_HUGE: keeps libxml2's own depth and amplification limits.
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NOENT.rawValue | XML_PARSE_NONET.rawValue
            | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        // xmlCtxtUseOptions may reset handlers for NOERROR/NOWARNING; put ours back.
        fw_ctxt_install_sax(ctxt, &sax, unmanaged.toOpaque())
        driver.ctxt = UnsafeMutableRawPointer(ctxt)
        xmlParseDocument(ctxt)
        driver.finishTruncated()
        withExtendedLifetime(driver) {}
    }
}

/// Receives libxml2's callbacks for one parse and turns them into sink events.
/// Text is accumulated as UTF-8 bytes and decoded once per element.
final class SAXDriver {
    private(set) var sink: XMLEventSink
    let limits: XMLLimits
    var ctxt: UnsafeMutableRawPointer?
    var wellFormed = true
    var sawRoot = false
    var firstError: String?
    var limitHit: String?

    private var depth = 0
    private var skipDepth = 0
    /// >0 while inside a `.text`/`.xhtml` element: 1 at the element itself.
    private var captureDepth = 0
    private var stripDiv = false
    private var rawText = false
    private var divStripped = -1
    private var text: [UInt8] = []
    private var entityBytes = 0
    private var entityRefs = 0
    private var names = NameCache()

    init(sink: XMLEventSink, limits: XMLLimits) {
        self.sink = sink
        self.limits = limits
        text.reserveCapacity(4096)
    }

    func start(localname: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?, uri: UnsafePointer<UInt8>?,
               nbAttributes: Int, attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        depth += 1
        sawRoot = true
        if depth > limits.maxDepth {
            if limitHit == nil { limitHit = "nesting deeper than \(limits.maxDepth)" }
            stop()
            return
        }
        if skipDepth > 0 { skipDepth += 1; return }
        if captureDepth > 0 {
            captureDepth += 1
            if stripDiv && captureDepth == 2 && divStripped < 0 && cStringEquals(localname, "div") {
                divStripped = depth
                return
            }
            serializeStart(localname: localname, prefix: prefix, nbAttributes: nbAttributes, attributes: attributes)
            return
        }
        let name = names.string(localname)
        let ns = names.namespace(uri)
        var attrs: [XMLAttribute] = []
        if nbAttributes > 0, let attributes {
            attrs.reserveCapacity(nbAttributes)
            for i in 0..<nbAttributes {
                let base = i * 5
                guard let local = attributes[base], let vstart = attributes[base + 3], let vend = attributes[base + 4] else { continue }
                let value = String(decoding: UnsafeBufferPointer(start: vstart, count: vend - vstart), as: UTF8.self)
                attrs.append(XMLAttribute(ns: names.namespace(attributes[base + 2]), name: names.string(local), value: value))
            }
        }
        let mode = sink.startElement(ns: ns, name: name, attributes: attrs)
        if depth == 1, let next = sink.successor { sink = next }
        switch mode {
        case .container: break
        case .skip: skipDepth = 1
        case .text: setCollecting(true); captureDepth = 1; stripDiv = false; rawText = false; divStripped = -1; text.removeAll(keepingCapacity: true)
        case .xhtml: setCollecting(true); captureDepth = 1; stripDiv = true; rawText = false; divStripped = -1; text.removeAll(keepingCapacity: true)
        case .html: setCollecting(true); captureDepth = 1; stripDiv = true; rawText = true; divStripped = -1; text.removeAll(keepingCapacity: true)
        }
    }

    func rootNamespaces(_ uris: [UnsafePointer<UInt8>]) {
        sink.rootNamespaces(uris.map { names.namespace($0) })
    }

    func end(localname: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) {
        if depth > limits.maxDepth { depth -= 1; return }
        defer { depth -= 1 }
        if skipDepth > 0 {
            skipDepth -= 1
            if skipDepth == 0 { sink.endElement(text: nil) }
            return
        }
        if captureDepth > 0 {
            captureDepth -= 1
            if captureDepth == 0 {
                setCollecting(false)
                // Every collected field is reported trimmed (CONTRACT.md), so trim
                // the bytes here instead of copying the String again later.
                var lo = 0, hi = text.count
                while lo < hi, text[lo] == 0x20 || text[lo] == 0x0A || text[lo] == 0x0D || text[lo] == 0x09 { lo += 1 }
                while hi > lo, text[hi - 1] == 0x20 || text[hi - 1] == 0x0A || text[hi - 1] == 0x0D || text[hi - 1] == 0x09 { hi -= 1 }
                let s = text.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[lo..<hi]), as: UTF8.self) }
                if text.count > 1 << 16 { text = [] } else { text.removeAll(keepingCapacity: true) }
                sink.endElement(text: s)
                return
            }
            if divStripped == depth { divStripped = -2; return }
            text.append(0x3C); text.append(0x2F)  // "</"
            appendName(localname: localname, prefix: prefix)
            text.append(0x3E)
            return
        }
        sink.endElement(text: nil)
    }

    /// A document cut off inside a collected element (a truncated download)
    /// still delivers the text collected so far.
    func finishTruncated() {
        guard captureDepth > 0, skipDepth == 0 else { return }
        captureDepth = 0
        let s = String(decoding: text, as: UTF8.self)
        sink.endElement(text: s.trimmedOrNil ?? "")
    }

    func characters(_ ch: UnsafePointer<UInt8>, _ len: Int) {
        guard captureDepth > 0, skipDepth == 0, len > 0 else { return }
        let buf = UnsafeBufferPointer(start: ch, count: len)
        if captureDepth == 1 || rawText {
            text.append(contentsOf: buf)
        } else {
            // Inside inline markup the text is serialized, so re-escape it.
            for b in buf {
                switch b {
                case 0x26: text.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
                case 0x3C: text.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])        // &lt;
                case 0x3E: text.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])        // &gt;
                default: text.append(b)
                }
            }
        }
    }

    /// Counts entity expansions against the budget; refuses further ones when over.
    func allowEntity(length: Int) -> Bool {
        entityRefs += 1
        entityBytes += length
        if entityBytes > limits.entityBudget || entityRefs > limits.maxEntityReferences {
            if limitHit == nil { limitHit = "entity expansion over limit" }
            wellFormed = false
            return false
        }
        return true
    }

    func error(level: Int, message: String?) {
        guard level >= 2 else { return }  // XML_ERR_ERROR and XML_ERR_FATAL; warnings are not bozo
        wellFormed = false
        if firstError == nil, let message {
            var m = message
            while m.last == "\n" { m.removeLast() }
            firstError = m
        }
    }

    private func setCollecting(_ on: Bool) {
        if let ctxt { fw_ctxt_set_characters(ctxt, on ? saxCharacters : nil) }
    }

    func stopDocument() {
        if let ctxt { fw_ctxt_refuse_entities(ctxt) }
    }

    private func stop() {
        wellFormed = false
        if let ctxt { xmlStopParser(ctxt.assumingMemoryBound(to: xmlParserCtxt.self)) }
    }

    private func appendName(localname: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) {
        if let prefix {
            appendCString(prefix)
            text.append(0x3A)
        }
        appendCString(localname)
    }

    private func appendCString(_ p: UnsafePointer<UInt8>) {
        var i = 0
        while p[i] != 0 { text.append(p[i]); i += 1 }
    }

    private func serializeStart(localname: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?,
                                nbAttributes: Int, attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?) {
        text.append(0x3C)
        appendName(localname: localname, prefix: prefix)
        if nbAttributes > 0, let attributes {
            for i in 0..<nbAttributes {
                let base = i * 5
                guard let local = attributes[base], let vstart = attributes[base + 3], let vend = attributes[base + 4] else { continue }
                text.append(0x20)
                appendName(localname: local, prefix: attributes[base + 1])
                text.append(contentsOf: [0x3D, 0x22])
                var p = vstart
                while p < vend {
                    switch p.pointee {
                    case 0x26: text.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])
                    case 0x3C: text.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])
                    case 0x22: text.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])
                    default: text.append(p.pointee)
                    }
                    p += 1
                }
                text.append(0x22)
            }
        }
        text.append(0x3E)
    }
}

private func cStringEquals(_ p: UnsafePointer<UInt8>, _ s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    let q = s.utf8Start
    for i in 0..<n where p[i] != q[i] { return false }
    return p[n] == 0
}

/// libxml2 interns element and namespace names in the context's dictionary, so
/// the same pointer comes back for every occurrence; cache the Swift values by
/// pointer in a small direct-mapped table. Each hit is checked against the
/// bytes (memcmp with the cached string's UTF-8), so a reused address can never
/// alias another name. Kept small: it is created and destroyed per document.
private struct NameCache {
    private static var slots: Int { 128 }
    private var strings = [(key: UnsafeRawPointer?, value: String)](repeating: (nil, ""), count: NameCache.slots)
    private var namespaces = [(key: UnsafeRawPointer?, uri: String, value: XMLNamespace)](repeating: (nil, "", .none), count: NameCache.slots)

    @inline(__always)
    private static func slot(_ p: UnsafeRawPointer) -> Int {
        let v = UInt(bitPattern: p)
        return Int((v >> 3 ^ v >> 10) & UInt(slots - 1))
    }

    @inline(__always)
    private static func same(_ s: String, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard s.utf8.count == n else { return false }
        return s.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, p, n) == 0 } ?? false
    }

    @inline(__always)
    private static func length(_ p: UnsafePointer<UInt8>) -> Int {
        Int(strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)))
    }

    mutating func string(_ p: UnsafePointer<UInt8>) -> String {
        let n = NameCache.length(p)
        let k = NameCache.slot(p)
        if strings[k].key == UnsafeRawPointer(p), NameCache.same(strings[k].value, p, n) { return strings[k].value }
        let s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        strings[k] = (UnsafeRawPointer(p), s)
        return s
    }

    mutating func namespace(_ p: UnsafePointer<UInt8>?) -> XMLNamespace {
        guard let p else { return .none }
        let n = NameCache.length(p)
        let k = NameCache.slot(p)
        if namespaces[k].key == UnsafeRawPointer(p), NameCache.same(namespaces[k].uri, p, n) { return namespaces[k].value }
        let uri = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        let ns = XMLNamespace(uri: uri)
        namespaces[k] = (UnsafeRawPointer(p), uri, ns)
        return ns
    }
}

// MARK: - C callbacks (no captures; the driver travels in the context's _private)

private func driverOf(_ ctx: UnsafeMutableRawPointer?) -> SAXDriver? {
    guard let ctx, let priv = fw_ctxt_private(ctx) else { return nil }
    return Unmanaged<SAXDriver>.fromOpaque(priv).takeUnretainedValue()
}

/// The hot callbacks borrow the driver without a retain/release pair: it is
/// kept alive by `ParserContextHandle.run` for the whole parse.
@inline(__always)
private func withDriver(_ ctx: UnsafeMutableRawPointer?, _ body: (SAXDriver) -> Void) {
    guard let ctx, let priv = fw_ctxt_private(ctx) else { return }
    Unmanaged<SAXDriver>.fromOpaque(priv)._withUnsafeGuaranteedRef(body)
}

private let saxStartElement: startElementNsSAX2Func = { ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, _, attributes in
    guard let localname else { return }
    withDriver(ctx) { d in
        if !d.sawRoot, nbNamespaces > 0, let namespaces {
            d.rootNamespaces((0..<Int(nbNamespaces)).compactMap { namespaces[$0 * 2 + 1] })
        }
        d.start(localname: localname, prefix: prefix, uri: uri, nbAttributes: Int(nbAttributes), attributes: attributes)
    }
}

private let saxEndElement: endElementNsSAX2Func = { ctx, localname, prefix, _ in
    guard let localname else { return }
    withDriver(ctx) { $0.end(localname: localname, prefix: prefix) }
}

private let saxCharacters: charactersSAXFunc = { ctx, ch, len in
    guard let ch else { return }
    withDriver(ctx) { $0.characters(ch, Int(len)) }
}

private let saxGetEntity: getEntitySAXFunc = { ctx, name in
    guard let ent = xmlSAX2GetEntity(ctx, name) else { return nil }
    guard let d = driverOf(ctx) else { return ent }
    if fw_entity_is_internal(ent) == 0 { return nil }  // never external
    if d.allowEntity(length: Int(fw_entity_length(ent))) { return ent }
    // Over budget: refuse, and stop both this (possibly nested, entity-content)
    // context and the document's own one.
    fw_ctxt_refuse_entities(ctx)
    d.stopDocument()
    return nil
}

private let saxError: xmlStructuredErrorFunc = { ctx, error in
    guard let error else { return }
    let level = Int(error.pointee.level.rawValue)
    let message = error.pointee.message.map { String(cString: $0) }
    // ctx is the parser context that raised it (userData == the context).
    if let d = driverOf(ctx) { d.error(level: level, message: message) }
    else if let c = error.pointee.ctxt, let d = driverOf(c) { d.error(level: level, message: message) }
}
