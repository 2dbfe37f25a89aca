#ifndef CFEEDWATCH_XML2_SHIM_H
#define CFEEDWATCH_XML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlreader.h>
#include <libxml/encoding.h>
#include <libxml/xmlerror.h>
#endif
