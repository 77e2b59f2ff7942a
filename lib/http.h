/*
 * http: a small HTTP/1.1 server on a libuv loop, for the sink's query API
 * and the producer's ingest. Parsing is Debian's http-parser (the parser
 * Node.js used for years); this module only moves bytes between libuv and
 * the parser, enforces limits and writes responses.
 *
 * One request per connection: every response carries Connection: close.
 * That keeps the server simple and is cheap for the expected clients
 * (dashboards, health checks, scrapers, batch posts). Limits: request heads
 * of 16 KiB, bodies of max_body bytes (413 beyond), and a 10 s deadline per
 * connection. The handler runs on the loop and must answer at once with
 * http_respond().
 */
#ifndef ND_HTTP_H
#define ND_HTTP_H

#include <stddef.h>
#include <uv.h>

#include "buf.h"

struct http_request {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* decoded path, without the query */
	const char *query;  /* raw query string without '?', or "" */
	const char *body;
	size_t body_len;
	const char *content_type; /* "" when absent */
	void *conn;               /* for http_respond */
};

typedef void (*http_handler_cb)(struct http_request *req, void *arg);

struct http_server;

/* Listen on host:port ("0.0.0.0", 8080). NULL with a message in err. */
struct http_server *http_server_start(uv_loop_t *loop, const char *host, int port, size_t max_body,
                                      http_handler_cb cb, void *arg, struct buf *err);
/* Answer a request: status, content type, body, and extra header lines
 * (each ending in "\r\n") or NULL. Call once per request. */
void http_respond(struct http_request *req, int status, const char *content_type, const char *body,
                  size_t len, const char *extra_headers);
/* Close the listener and every open connection (uv_close). Safe on NULL. */
void http_server_close(struct http_server *s);

/* Parse "host:port" or ":port" into host (default 0.0.0.0) and port. */
int http_parse_listen(const char *spec, char *host, size_t cap, int *port);

/* The value of key in a query string, URL-decoded into out; 1 if present. */
int http_query_get(const char *query, const char *key, char *out, size_t cap);

#endif
