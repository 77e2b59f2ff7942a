/* http: see http.h. */
#include "http.h"

#include <errno.h>
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_MAX 16384
#define CONN_DEADLINE_MS 10000

struct http_server {
	uv_tcp_t listener;
	uv_loop_t *loop;
	size_t max_body;
	http_handler_cb cb;
	void *arg;
	struct conn *conns; /* open connections, for closing */
	int closing;
};

struct conn {
	uv_tcp_t tcp;
	uv_timer_t deadline;
	http_parser parser;
	struct http_server *srv;
	struct conn *prev, *next;
	struct buf url, body, ctype, hfield;
	size_t head_bytes;
	int in_ctype, answered, closing, handles;
};

static void conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	if (--c->handles)
		return;
	buf_free(&c->url);
	buf_free(&c->body);
	buf_free(&c->ctype);
	buf_free(&c->hfield);
	free(c);
}

static void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	uv_timer_stop(&c->deadline);
	uv_close((uv_handle_t *)&c->tcp, conn_closed);
	uv_close((uv_handle_t *)&c->deadline, conn_closed);
}

struct write_req {
	uv_write_t req;
	struct conn *c;
	char data[];
};

static void on_written(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	conn_close(wr->c);
	free(wr);
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

static void respond(struct conn *c, int status, const char *ctype, const char *body, size_t len,
                    const char *extra)
{
	if (c->answered || c->closing)
		return;
	c->answered = 1;
	char head[1024];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n%s\r\n",
	                 status, reason(status), ctype, len, extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof head) {
		conn_close(c);
		return;
	}
	struct write_req *wr = malloc(sizeof *wr + (size_t)n + len);
	if (!wr) {
		conn_close(c);
		return;
	}
	wr->c = c;
	memcpy(wr->data, head, (size_t)n);
	if (len)
		memcpy(wr->data + n, body, len);
	uv_buf_t b = uv_buf_init(wr->data, (unsigned)((size_t)n + len));
	if (uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_written)) {
		free(wr);
		conn_close(c);
	}
}

void http_respond(struct http_request *req, int status, const char *content_type, const char *body,
                  size_t len, const char *extra_headers)
{
	respond(req->conn, status, content_type, body, len, extra_headers);
}

static void error_json(struct conn *c, int status, const char *msg)
{
	char body[512];
	int n = snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", msg);
	respond(c, status, "application/json", body, (size_t)n, NULL);
}

static int on_url(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	c->head_bytes += len;
	return c->head_bytes > HEAD_MAX || buf_append(&c->url, at, len);
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	c->head_bytes += len;
	if (c->head_bytes > HEAD_MAX)
		return 1;
	if (c->in_ctype != 2) /* a new field starts after a value */
		buf_reset(&c->hfield);
	c->in_ctype = 2;
	return buf_append(&c->hfield, at, len);
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	c->head_bytes += len;
	if (c->head_bytes > HEAD_MAX)
		return 1;
	int is_ctype = c->hfield.p && strcasecmp(c->hfield.p, "content-type") == 0;
	c->in_ctype = 1;
	return is_ctype ? buf_append(&c->ctype, at, len) : 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;
	if (c->body.len + len > c->srv->max_body) {
		error_json(c, 413, "request body too large");
		return 1;
	}
	return buf_append(&c->body, at, len);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* URL-decode src[0..n) into out; '+' becomes a space when plus is set. */
static void url_decode(const char *src, size_t n, char *out, size_t cap, int plus)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		int h1, h2;
		if (src[i] == '%' && i + 2 < n + 0 && (h1 = hexval(src[i + 1])) >= 0 &&
		    (h2 = hexval(src[i + 2])) >= 0) {
			out[o++] = (char)(h1 * 16 + h2);
			i += 2;
		} else {
			out[o++] = plus && src[i] == '+' ? ' ' : src[i];
		}
	}
	out[o] = 0;
}

int http_query_get(const char *query, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = query;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len >= klen && strncmp(p, key, klen) == 0 && (len == klen || p[klen] == '=')) {
			const char *v = len > klen ? p + klen + 1 : p + len;
			url_decode(v, len - (size_t)(v - p), out, cap, 1);
			return 1;
		}
		p = amp ? amp + 1 : NULL;
	}
	return 0;
}

static int on_message_complete(http_parser *p)
{
	struct conn *c = p->data;
	struct http_parser_url u;
	char path[4096], query[4096];
	http_parser_url_init(&u);
	if (!c->url.p || http_parser_parse_url(c->url.p, c->url.len, 0, &u) ||
	    !(u.field_set & (1 << UF_PATH))) {
		error_json(c, 400, "malformed request target");
		return 1;
	}
	url_decode(c->url.p + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len, path,
	           sizeof path, 0);
	query[0] = 0;
	if (u.field_set & (1 << UF_QUERY)) {
		size_t qn = u.field_data[UF_QUERY].len;
		if (qn >= sizeof query)
			qn = sizeof query - 1;
		memcpy(query, c->url.p + u.field_data[UF_QUERY].off, qn);
		query[qn] = 0;
	}
	struct http_request req = {http_method_str((enum http_method)p->method),
	                           path,
	                           query,
	                           c->body.p ? c->body.p : "",
	                           c->body.len,
	                           c->ctype.p ? c->ctype.p : "",
	                           c};
	c->srv->cb(&req, c->srv->arg);
	if (!c->answered)
		error_json(c, 500, "no response");
	return 1; /* one request per connection */
}

static const http_parser_settings settings = {
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	static char slab[65536];
	*b = uv_buf_init(slab, sizeof slab);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct conn *c = s->data;
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (n == 0 || c->answered)
		return;
	size_t done = http_parser_execute(&c->parser, &settings, b->base, (size_t)n);
	if (c->answered) {
		uv_read_stop(s);
		return;
	}
	if (done != (size_t)n || HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
		uv_read_stop(s);
		if (c->head_bytes > HEAD_MAX)
			error_json(c, 413, "request head too large");
		else
			error_json(c, 400, "malformed HTTP request");
	}
}

static void on_deadline(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (!c->answered)
		error_json(c, 408, "request not complete in time");
	else
		conn_close(c);
}

static void on_connection(uv_stream_t *l, int status)
{
	struct http_server *srv = l->data;
	if (status < 0 || srv->closing)
		return;
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->srv = srv;
	uv_tcp_init(srv->loop, &c->tcp);
	uv_timer_init(srv->loop, &c->deadline);
	c->tcp.data = c->deadline.data = c;
	c->handles = 2;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	if (uv_accept(l, (uv_stream_t *)&c->tcp)) {
		conn_close(c);
		return;
	}
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	uv_timer_start(&c->deadline, on_deadline, CONN_DEADLINE_MS, 0);
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int http_parse_listen(const char *spec, char *host, size_t cap, int *port)
{
	const char *colon = strrchr(spec, ':');
	const char *num = colon ? colon + 1 : spec;
	char *end;
	long p = strtol(num, &end, 10);
	if (!*num || *end || p < 0 || p > 65535)
		return -EINVAL;
	size_t hn = colon ? (size_t)(colon - spec) : 0;
	if (hn == 0)
		snprintf(host, cap, "0.0.0.0");
	else if (hn < cap)
		snprintf(host, cap, "%.*s", (int)hn, spec);
	else
		return -EINVAL;
	*port = (int)p;
	return 0;
}

static void listener_closed(uv_handle_t *h)
{
	free(h->data);
}

struct http_server *http_server_start(uv_loop_t *loop, const char *host, int port, size_t max_body,
                                      http_handler_cb cb, void *arg, struct buf *err)
{
	struct http_server *s = calloc(1, sizeof *s);
	struct sockaddr_in addr;
	int rc;
	if (!s) {
		buf_printf(err, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->max_body = max_body;
	s->cb = cb;
	s->arg = arg;
	if ((rc = uv_ip4_addr(host, port, &addr)) != 0) {
		buf_printf(err, "bad HTTP listen address %s:%d: %s", host, port, uv_strerror(rc));
		free(s);
		return NULL;
	}
	uv_tcp_init(loop, &s->listener);
	s->listener.data = s;
	if ((rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 128, on_connection)) != 0) {
		buf_printf(err, "cannot listen for HTTP on %s:%d: %s", host, port, uv_strerror(rc));
		s->closing = 1;
		uv_close((uv_handle_t *)&s->listener, listener_closed);
		return NULL;
	}
	return s;
}

void http_server_close(struct http_server *s)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	while (s->conns)
		conn_close(s->conns);
	uv_close((uv_handle_t *)&s->listener, listener_closed);
}
