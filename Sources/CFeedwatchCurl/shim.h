#ifndef CFEEDWATCH_CURL_SHIM_H
#define CFEEDWATCH_CURL_SHIM_H
/* The only C FeedwatchFetch/Curl/ sees. Swift cannot call C variadic
   functions, so curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt get
   one statically typed inline wrapper per argument type actually used (the
   type passed must be the one libcurl documents for that option; the wrapper
   name says which). */
#include <curl/curl.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <openssl/evp.h>

/* ---- curl_easy_setopt ---------------------------------------------------- */
static inline CURLcode fw_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode fw_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
/* libcurl copies string options (CURLOPT_URL, …) since 7.17.0. */
static inline CURLcode fw_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode fw_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
/* CURLOPT_HTTPHEADER: the list is NOT copied; the owner keeps it alive until
   the easy handle is cleaned up. */
static inline CURLcode fw_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this prototype. */
static inline CURLcode fw_easy_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode fw_easy_setopt_opensocket_callback(CURL *h, curl_opensocket_callback v) {
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, v);
}

/* ---- curl_easy_getinfo --------------------------------------------------- */
static inline CURLcode fw_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
/* The string stays owned by the handle; copy it before the next transfer. */
static inline CURLcode fw_easy_getinfo_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode fw_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) {
    return curl_easy_getinfo(h, i, v);
}

/* ---- curl_multi_setopt --------------------------------------------------- */
static inline CURLMcode fw_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}

/* ---- misc ---------------------------------------------------------------- */
/* CURL_GLOBAL_DEFAULT is a macro expression Swift does not import. */
static inline CURLcode fw_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The CURLMsg union member for CURLMSG_DONE. */
static inline CURLcode fw_msg_result(const CURLMsg *m) { return m->data.result; }

/* CURLOPT_OPENSOCKETFUNCTION support. Copies the raw address libcurl is about
   to connect to into out[16] and returns 4 or 6 (0 for anything else, e.g. a
   Unix socket). curl_sockaddr's `addr` is backed by storage large enough for
   a sockaddr_in6 (libcurl's Curl_sockaddr_ex union), and addrlen says which. */
static inline int fw_sockaddr_bytes(const struct curl_sockaddr *a, unsigned char out[16]) {
    if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)&a->addr;
        memcpy(out, &in4->sin_addr, 4);
        return 4;
    }
    if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)&a->addr;
        memcpy(out, &in6->sin6_addr, 16);
        return 6;
    }
    return 0;
}
/* What libcurl's default opensocket does: socket(2) with the given triple. */
static inline curl_socket_t fw_open_socket(const struct curl_sockaddr *a) {
    return socket(a->family, a->socktype, a->protocol);
}
static inline curl_socket_t fw_socket_bad(void) { return CURL_SOCKET_BAD; }

/* SHA-256 of a body through OpenSSL's libcrypto, the TLS library libcurl is
   built on here (libcurl4-openssl-dev depends on libssl-dev), so no new
   dependency; it uses the CPU's SHA extensions where present. Returns 1 on
   success. */
static inline int fw_sha256(const void *data, size_t count, unsigned char out[32]) {
    unsigned int size = 0;
    return EVP_Digest(data, count, out, &size, EVP_sha256(), NULL) == 1 && size == 32;
}
#endif
