#ifndef CFEEDWATCH_CURL_SHIM_H
#define CFEEDWATCH_CURL_SHIM_H
#include <curl/curl.h>
/* Typed wrappers for the variadic curl_easy_setopt/getinfo (Swift cannot call
   C variadics) are added by FeedwatchFetch/Curl. */
#endif
