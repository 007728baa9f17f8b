/* http — driftd's HTTP(S) transport: libcurl's multi interface driven by
 * the caller's libuv loop (uv_poll per socket, one uv_timer), no threads.
 *
 * One client shares one connection cache, so requests to the same host
 * reuse kept-alive connections. Each request names a pool (the service it
 * talks to); a pool has at most `pool_cap` requests in flight and the rest
 * wait in a FIFO queue. TLS peer and host verification are always on.
 * Proxies come from HTTPS_PROXY/NO_PROXY as libcurl reads them.
 *
 * The library never retries: retry.h decides, the caller resubmits. */
#ifndef DRIFTD_HTTP_H
#define DRIFTD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "err.h"

#define HTTP_DEFAULT_MAX_BODY        (64u * 1024 * 1024)
#define HTTP_DEFAULT_POOL_CAP        8
#define HTTP_DEFAULT_CONNECT_TIMEOUT 10000   /* ms */
#define HTTP_DEFAULT_TIMEOUT         60000   /* ms */

typedef struct http_client http_client_t;

typedef struct http_header {
	const char *name;
	const char *value;
} http_header_t;

typedef struct http_options {
	int         pool_cap;            /* per pool; 0: HTTP_DEFAULT_POOL_CAP */
	size_t      max_body;            /* 0: HTTP_DEFAULT_MAX_BODY            */
	long        connect_timeout_ms;  /* defaults for requests that give 0  */
	long        timeout_ms;
	const char *ca_bundle;           /* PEM file; NULL: system store       */
	const char *user_agent;          /* NULL: "driftd"                      */
} http_options_t;

/* Everything is copied by http_submit; the caller may free it right after.
 * The request goes out with the caller's headers and no others but Host,
 * User-Agent and Content-Length: none of libcurl's defaults (Accept,
 * Expect, a form Content-Type for a body), as the AWS SDKs send it.
 * Content-Length goes with every method but GET and HEAD ("0" without a
 * body); GET and HEAD carry no body. */
typedef struct http_request {
	const char          *method;     /* "GET", "POST", ...                */
	const char          *url;        /* full http:// or https:// URL      */
	const http_header_t *headers;
	size_t               n_headers;
	const void          *body;
	size_t               body_len;
	const char          *pool;       /* service name; NULL: "default"     */
	long                 connect_timeout_ms;  /* 0: client default        */
	long                 timeout_ms;          /* total, 0: client default */
} http_request_t;

/* Owned by the client and valid only during the callback: copy what you
 * keep. body is NUL-terminated (not counted in body_len). */
typedef struct http_response {
	long           status;
	const http_header_t *headers;    /* in arrival order, final response */
	size_t         n_headers;
	const char    *body;
	size_t         body_len;
	time_t         date;             /* Date header, -1 if absent/invalid */
	uint64_t       total_us;         /* whole transfer, microseconds      */
} http_response_t;

/* Exactly one call per submitted request. On failure resp is NULL and e
 * says why; e->code is a negative errno:
 *   -ETIMEDOUT     connect or total timeout
 *   -ECONNREFUSED  nothing listening (or another connect errno)
 *   -ECONNRESET    connection closed or reset without a full response
 *   -EHOSTUNREACH  name did not resolve
 *   -EPROTO        TLS handshake or certificate verification failed
 *   -EFBIG         response body larger than max_body
 *   -ECANCELED     http_cancel_all or http_client_close
 *   -EIO           any other libcurl failure (message names it)
 * An HTTP error status is not a failure here: resp->status tells. */
typedef void (*http_done_cb)(const http_response_t *resp, const err_t *e,
			     void *data);
typedef void (*http_close_cb)(void *data);

typedef struct http_stats {
	uint64_t connections_opened;     /* new TCP connections, ever         */
	uint64_t completed;              /* callbacks made                    */
	unsigned in_flight;              /* handed to libcurl now             */
	unsigned queued;                 /* waiting for a pool slot           */
} http_stats_t;

/* Returns NULL on allocation failure (e says so). opts may be NULL.
 * Free with http_client_close. */
http_client_t *http_client_new(uv_loop_t *loop, const http_options_t *opts,
			       err_t *e);

/* Returns 0, -EINVAL for a bad request (no method/URL, CR/LF in a header),
 * -ESHUTDOWN once closing, -ENOMEM. On error the callback is not called. */
int http_submit(http_client_t *c, const http_request_t *req,
		http_done_cb cb, void *data, err_t *e);

/* Changes one pool's cap (>= 1) from now on. Returns 0 or -EINVAL/-ENOMEM. */
int http_set_pool_cap(http_client_t *c, const char *pool, int cap);

/* Finishes every queued and in-flight request now with -ECANCELED,
 * calling their callbacks before it returns. */
void http_cancel_all(http_client_t *c);

/* Cancels everything as http_cancel_all does, closes all libuv handles,
 * and frees the client once the loop has closed them; then calls
 * cb(data) (cb may be NULL). c must not be used after this call.
 * http_client_close(NULL, ...) is a no-op. */
void http_client_close(http_client_t *c, http_close_cb cb, void *data);

void http_client_stats(const http_client_t *c, http_stats_t *out);

/* Case-insensitive lookup; the first match, or NULL. */
const char *http_response_header(const http_response_t *r, const char *name);

#endif
