#ifndef CFEEDWATCH_XML2_SHIM_H
#define CFEEDWATCH_XML2_SHIM_H
#include <string.h>
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU; its headers would then pull in the
   system ICU headers, which clash with the copy inside Swift's Foundation.
   Nothing here uses the ICU-only members of xmlCharEncodingHandler (we only
   hold pointers to it), so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlreader.h>
#include <libxml/encoding.h>
#include <libxml/xmlerror.h>
#include <libxml/entities.h>
#include <zlib.h>

/* feedwatch never loads anything from outside the document (DESIGN.md rule 9):
   external entities and DTDs resolve to nothing, whatever the URL scheme. */
static xmlParserInputPtr fw_no_external_loader(const char *URL, const char *ID,
                                               xmlParserCtxtPtr ctxt) {
    (void)URL; (void)ID; (void)ctxt;
    return NULL;
}

static inline void fw_xml_global_init(void) {
    xmlInitParser();
    xmlSetExternalEntityLoader(fw_no_external_loader);
}

/* Install a SAX handler on a context made by xmlCreateMemoryParserCtxt: the
   context owns a malloc'ed handler already, so copy into it (xmlFreeParserCtxt
   frees it). userData stays the context itself, because libxml2's default
   SAX2 DTD/entity handlers (which we keep) expect it. */
static inline void fw_ctxt_install_sax(xmlParserCtxtPtr ctxt, const xmlSAXHandler *sax, void *priv) {
    memcpy(ctxt->sax, sax, sizeof(xmlSAXHandler));
    ctxt->userData = ctxt;
    ctxt->_private = priv;
}

/* Character data is only wanted inside the few elements being collected;
   with no handler installed libxml2 does not call out at all for the rest
   (whitespace between elements, skipped subtrees). Entity-content contexts
   share this handler struct, so the switch applies to them too. */
static inline void fw_ctxt_set_characters(void *ctx, charactersSAXFunc f) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    ctxt->sax->characters = f;
    ctxt->sax->ignorableWhitespace = f;
}

static inline void *fw_ctxt_private(void *ctx) {
    return ((xmlParserCtxtPtr)ctx)->_private;
}

static inline int fw_ctxt_well_formed(xmlParserCtxtPtr ctxt) { return ctxt->wellFormed; }

/* When getEntity refuses an entity, libxml2 2.9 retries xmlSAX2GetEntity
   itself as long as the document is still well-formed (parser.c,
   xmlParseEntityRef); marking it not well-formed makes the refusal stick. */
static inline void fw_ctxt_refuse_entities(void *ctx) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
    ctxt->wellFormed = 0;
    xmlStopParser(ctxt);
}

static inline void fw_ctxt_free_doc(xmlParserCtxtPtr ctxt) {
    if (ctxt->myDoc != NULL) { xmlFreeDoc(ctxt->myDoc); ctxt->myDoc = NULL; }
}

/* Internal general entities are registered (XML 1.0 4.2: they must be
   expanded); external general entities are dropped so they can never be
   fetched. Parameter entities are registered so that a reference to an
   external DTD module is not an "undeclared entity" fault, but the external
   entity loader above refuses to load any of them. */
static inline void fw_entity_decl(void *ctx, const xmlChar *name, int type,
                                  const xmlChar *publicId, const xmlChar *systemId,
                                  xmlChar *content) {
    if (type == XML_EXTERNAL_GENERAL_PARSED_ENTITY || type == XML_EXTERNAL_GENERAL_UNPARSED_ENTITY) return;
    xmlSAX2EntityDecl(ctx, name, type, publicId, systemId, content);
}

static inline void fw_install_entity_decl(xmlSAXHandler *sax) {
    sax->entityDecl = fw_entity_decl;
    sax->externalSubset = NULL;
    sax->resolveEntity = NULL;
    sax->reference = NULL;
    sax->error = NULL;
    sax->warning = NULL;
    sax->fatalError = NULL;
    sax->comment = NULL;
    sax->processingInstruction = NULL;
    sax->attributeDecl = NULL;
    sax->elementDecl = NULL;
    sax->notationDecl = NULL;
    sax->unparsedEntityDecl = NULL;
}

static inline int fw_entity_length(xmlEntityPtr ent) { return ent ? ent->length : 0; }
static inline int fw_entity_is_internal(xmlEntityPtr ent) {
    return ent && (ent->etype == XML_INTERNAL_GENERAL_ENTITY || ent->etype == XML_INTERNAL_PREDEFINED_ENTITY);
}
#endif
