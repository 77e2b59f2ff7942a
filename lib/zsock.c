/* zsock: see zsock.h. */
#include "zsock.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

void *zsock_open(void *ctx, const struct zsock_opts *o, struct buf *err)
{
	void *s = zmq_socket(ctx, o->type);
	if (!s) {
		buf_printf(err, "cannot create socket: %s", zmq_strerror(errno));
		return NULL;
	}
	int linger = o->linger_ms;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
	if (o->sndhwm > 0)
		zmq_setsockopt(s, ZMQ_SNDHWM, &o->sndhwm, sizeof o->sndhwm);
	if (o->rcvhwm > 0)
		zmq_setsockopt(s, ZMQ_RCVHWM, &o->rcvhwm, sizeof o->rcvhwm);
	if (o->sndbuf > 0)
		zmq_setsockopt(s, ZMQ_SNDBUF, &o->sndbuf, sizeof o->sndbuf);
	if (o->rcvbuf > 0)
		zmq_setsockopt(s, ZMQ_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf);
	if (o->max_msg > 0) {
		int64_t m = o->max_msg;
		zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &m, sizeof m);
	}
	/* Reconnect quickly after a peer restarts, backing off to 2 s. */
	int ivl = 100, ivl_max = 2000;
	zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
	zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
	if (o->curve_secret) {
		int server = o->curve_server == NULL, r = 0;
		r |= zmq_setsockopt(s, ZMQ_CURVE_SERVER, &server, sizeof server);
		r |= zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, o->curve_secret, 32);
		if (server) {
			/* ZAP (curve.h) decides which client keys are let in. */
			r |= zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "newsdigest", 10);
		} else {
			r |= zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, o->curve_public, 32);
			r |= zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, o->curve_server, 32);
		}
		if (r) {
			buf_printf(err, "cannot set up CURVE on %s: %s", o->endpoint,
			           zmq_strerror(errno));
			zmq_close(s);
			return NULL;
		}
	}
	if (o->monitor)
		*o->monitor =
		    zsock_monitor_open(ctx, s, o->monitor_name ? o->monitor_name : "socket", err);
	int rc = o->bind ? zmq_bind(s, o->endpoint) : zmq_connect(s, o->endpoint);
	if (rc != 0) {
		buf_reset(err);
		buf_printf(err, "cannot %s %s: %s", o->bind ? "bind" : "connect to", o->endpoint,
		           zmq_strerror(errno));
		if (o->monitor && *o->monitor) {
			zmq_close(*o->monitor);
			*o->monitor = NULL;
		}
		zmq_close(s);
		return NULL;
	}
	return s;
}

int zsock_last_endpoint(void *sock, char *out, size_t cap)
{
	size_t len = cap;
	if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, out, &len) != 0)
		return -errno;
	return 0;
}

int zsock_events(void *sock)
{
	int ev = 0;
	size_t len = sizeof ev;
	if (zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &len) != 0)
		return 0;
	return ev;
}

void *zsock_monitor_open(void *ctx, void *sock, const char *name, struct buf *err)
{
	char ep[128];
	snprintf(ep, sizeof ep, "inproc://monitor-%s-%p", name, sock);
	int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED |
	             ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
	if (zmq_socket_monitor(sock, ep, events) != 0) {
		buf_printf(err, "cannot monitor %s: %s", name, zmq_strerror(errno));
		return NULL;
	}
	void *mon = zmq_socket(ctx, ZMQ_PAIR);
	int linger = 0;
	if (!mon || zmq_connect(mon, ep) != 0) {
		buf_printf(err, "cannot monitor %s: %s", name, zmq_strerror(errno));
		if (mon)
			zmq_close(mon);
		return NULL;
	}
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
	return mon;
}

int zsock_monitor_read(void *mon, enum zsock_event *ev)
{
	/* Two frames: 2 bytes event id + 4 bytes value, then the endpoint. */
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		return -EAGAIN;
	}
	uint16_t id = 0;
	if (zmq_msg_size(&m) >= 2)
		memcpy(&id, zmq_msg_data(&m), 2);
	while (zmq_msg_more(&m)) {
		zmq_msg_close(&m);
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, mon, 0) < 0)
			break;
	}
	zmq_msg_close(&m);
	*ev = id == ZMQ_EVENT_CONNECTED               ? ZSOCK_EV_CONNECTED
	      : id == ZMQ_EVENT_CONNECT_RETRIED       ? ZSOCK_EV_RETRYING
	      : id == ZMQ_EVENT_DISCONNECTED          ? ZSOCK_EV_DISCONNECTED
	      : id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED   ? ZSOCK_EV_HANDSHAKEN
	      : id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? ZSOCK_EV_AUTH_FAILED
	      : id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
	              id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
	          ? ZSOCK_EV_HANDSHAKE_FAILED
	          : ZSOCK_EV_OTHER;
	return 0;
}

static void hold_start(struct zwatch *w);

static void on_poll(uv_poll_t *h, int status, int events)
{
	struct zwatch *w = h->data;
	/* Reading ZMQ_EVENTS is what clears the signal on ZMQ_FD. A callback
	 * with nothing to do may not ask (a sender with an empty queue); the
	 * descriptor would then stay readable and, libuv polling by level,
	 * the loop would spin at full speed. */
	(void)zsock_events(w->sock);
	if (w->closing)
		return;
	w->cb(w);
	if (w->hold_ms && !w->closing)
		hold_start(w);
}

static void on_hold_end(uv_timer_t *t)
{
	struct zwatch *w = t->data;
	w->held = 0;
	if (w->closing)
		return;
	if (zsock_events(w->sock) & ZMQ_POLLIN) {
		/* Busy: take what came, then hold again. */
		w->cb(w);
		if (!w->closing)
			hold_start(w);
		return;
	}
	/* Idle: watch the socket again, so the next message is taken at once.
	 * Its edge may have passed while the poll was stopped; ZMQ_EVENTS said
	 * nothing is queued, and the next arrival signals anew. */
	uv_poll_start(&w->poll, UV_READABLE, on_poll);
}

static void hold_start(struct zwatch *w)
{
	if (w->held)
		return;
	uv_poll_stop(&w->poll);
	uv_timer_start(&w->hold, on_hold_end, w->hold_ms, 0);
	w->held = 1;
}

static void on_kick(uv_idle_t *h)
{
	struct zwatch *w = h->data;
	uv_idle_stop(h);
	if (!w->closing)
		w->cb(w);
}

int zwatch_start(struct zwatch *w, uv_loop_t *loop, void *sock, zwatch_cb cb, void *data)
{
	int fd;
	size_t len = sizeof fd;
	memset(w, 0, sizeof *w);
	w->sock = sock;
	w->cb = cb;
	w->data = data;
	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) != 0)
		return -errno;
	int rc = uv_poll_init(loop, &w->poll, fd);
	if (rc)
		return rc;
	w->poll.data = w;
	uv_idle_init(loop, &w->kick);
	w->kick.data = w;
	uv_timer_init(loop, &w->hold);
	w->hold.data = w;
	rc = uv_poll_start(&w->poll, UV_READABLE, on_poll);
	if (rc)
		return rc;
	/* Messages may already be queued: the first edge may have passed. */
	zwatch_kick(w);
	return 0;
}

void zwatch_hold(struct zwatch *w, unsigned ms)
{
	w->hold_ms = ms;
}

void zwatch_kick(struct zwatch *w)
{
	if (!w->closing)
		uv_idle_start(&w->kick, on_kick);
}

void zwatch_close(struct zwatch *w)
{
	if (w->closing)
		return;
	w->closing = 1;
	uv_poll_stop(&w->poll);
	uv_idle_stop(&w->kick);
	uv_timer_stop(&w->hold);
	uv_close((uv_handle_t *)&w->poll, NULL);
	uv_close((uv_handle_t *)&w->kick, NULL);
	uv_close((uv_handle_t *)&w->hold, NULL);
}
