/*
 * zsock: ZeroMQ sockets as the pipeline uses them, and their place on a
 * libuv loop.
 *
 * zsock_open() creates a socket with the project's options (linger,
 * high-water marks, ZMQ_MAXMSGSIZE on anything that receives) and binds or
 * connects it, with an error message naming the endpoint when that fails.
 *
 * struct zwatch joins a socket to a libuv loop. ZeroMQ exposes one file
 * descriptor per socket (ZMQ_FD) that is edge-triggered and signals only
 * that the socket's state *may* have changed, for reading or for writing.
 * So the callback must drain: read ZMQ_EVENTS, receive while ZMQ_POLLIN is
 * set, send while ZMQ_POLLOUT is set and there is something to send, and
 * re-read ZMQ_EVENTS after every send or receive, until neither applies. A
 * send or receive done from anywhere else can swallow the edge, so after one
 * the owner calls zwatch_kick(), which runs the callback again from the loop
 * (on the next iteration, never recursively).
 *
 * Holding. A receiving socket can be held (zwatch_hold()): after each wake-up
 * the watch stops looking at the socket for a few milliseconds and then
 * takes everything that arrived meanwhile in one go. A busy program then
 * wakes a few hundred times a second instead of once per message: on a
 * loaded machine the thread switches of the per-message wake-ups, not the
 * work, were half of the sink's and the producer's CPU. An idle socket is
 * watched as usual, so the first message after a pause waits for nothing.
 */
#ifndef ND_ZSOCK_H
#define ND_ZSOCK_H

#include <stddef.h>
#include <uv.h>

#include "buf.h"

struct zsock_opts {
	int type;             /* ZMQ_PUSH, ZMQ_PULL, ZMQ_PUB, ... */
	const char *endpoint; /* "tcp://0.0.0.0:5557", "tcp://localhost:5558" */
	int bind;             /* 1: bind, 0: connect */
	int sndhwm, rcvhwm;   /* 0: ZeroMQ's default (1000) */
	int sndbuf, rcvbuf;   /* the kernel's socket buffers, bytes; 0: the kernel's own */
	long long max_msg;    /* ZMQ_MAXMSGSIZE for receiving sockets; 0: none */
	int linger_ms;        /* -1: wait forever; default 0 */
	/* CURVE (see curve.h): NULL curve_secret for none. A socket with
	 * curve_server NULL is a CURVE server, authenticated through ZAP;
	 * otherwise a client of the server with that public key. 32 bytes each. */
	const unsigned char *curve_secret, *curve_public, *curve_server;
	/* When set, *monitor receives a monitor of the socket (see
	 * zsock_monitor_open below, named monitor_name), set up before the bind
	 * or connect: a connection made at once would otherwise report its
	 * events before anyone listened, and they would be lost. NULL there if
	 * the monitor could not be set up (the socket is still returned). */
	void **monitor;
	const char *monitor_name;
};

/* The kernel's socket buffer for each worker's chunks connection, on the
 * producer's side and the worker's (64 KiB: a few dozen chunks), so that
 * little waits for any one worker. */
#define ZSOCK_CHUNKS_SOCKBUF 65536

/* Open and bind/connect a socket. Returns the socket or NULL with a message
 * in err ("cannot bind tcp://0.0.0.0:5557: Address in use"). */
void *zsock_open(void *ctx, const struct zsock_opts *o, struct buf *err);
/* The endpoint a bound socket ended up on (resolves wildcard ports), in out. */
int zsock_last_endpoint(void *sock, char *out, size_t cap);

struct zwatch;
typedef void (*zwatch_cb)(struct zwatch *w);

struct zwatch {
	uv_poll_t poll;
	uv_idle_t kick;
	uv_timer_t hold;
	unsigned hold_ms; /* 0: not held */
	int held;         /* the poll is stopped until the hold timer fires */
	void *sock;
	zwatch_cb cb;
	void *data; /* for the owner */
	int closing;
};

/* Start watching sock on loop; cb runs whenever the socket may be ready. */
int zwatch_start(struct zwatch *w, uv_loop_t *loop, void *sock, zwatch_cb cb, void *data);
/* Hold a receiving socket for ms milliseconds after each wake-up (see
 * above; 0: never). For sockets whose callback receives: the hold ends
 * early for nothing but zwatch_kick(). */
void zwatch_hold(struct zwatch *w, unsigned ms);
/* Run the callback again soon (after a send/receive done outside it). */
void zwatch_kick(struct zwatch *w);
/* Stop and close the handles (uv_close); the socket itself is the owner's. */
void zwatch_close(struct zwatch *w);

/*
 * Connection monitoring, so that a peer that cannot be reached is reported
 * instead of retried in silence. zsock_monitor_open() returns a PAIR socket
 * that receives the connect, retry and disconnect events of sock (poll it
 * for ZMQ_POLLIN); zsock_monitor_read() reads one event.
 */
enum zsock_event {
	ZSOCK_EV_OTHER = 0,
	ZSOCK_EV_CONNECTED,
	ZSOCK_EV_RETRYING,
	ZSOCK_EV_DISCONNECTED,
	ZSOCK_EV_HANDSHAKEN,       /* ZMTP handshake done: the peer takes part */
	ZSOCK_EV_AUTH_FAILED,      /* the server refused our CURVE key */
	ZSOCK_EV_HANDSHAKE_FAILED, /* any other handshake failure */
};
void *zsock_monitor_open(void *ctx, void *sock, const char *name, struct buf *err);
/* Read one pending event (non-blocking): 0 and *ev set, or -EAGAIN. Every
 * connection that fails its handshake gives one ZSOCK_EV_*_FAILED event and
 * then one ZSOCK_EV_DISCONNECTED. */
int zsock_monitor_read(void *mon, enum zsock_event *ev);

/* ZMQ_EVENTS of sock (ZMQ_POLLIN | ZMQ_POLLOUT bits), 0 on error. */
int zsock_events(void *sock);

#endif
