/*
 * curve: CURVE encryption and authentication for the pipeline's ZeroMQ
 * links.
 *
 * Keys are Curve25519 keys written in Z85: 40 characters for 32 bytes. A
 * key setting holds either the key itself or the path of a file holding it
 * (the first line that is neither blank nor a '#' comment); curve-keygen
 * writes such files. The binding programs (producer, sink) are CURVE
 * servers on every socket they bind; the connecting side (workers, and the
 * sink towards the producer's acknowledgement socket) are CURVE clients that
 * must know the server's public key.
 *
 * A server accepts only the client keys of its allow list (one public key a
 * line; '#' starts a comment, anything after the key on a line is a note).
 * ZeroMQ asks for that decision through ZAP (RFC 27): a REP socket bound on
 * inproc://zeromq.zap.01 in the same context. struct curve_zap is that
 * handler, watched on the program's libuv loop like any other socket, so a
 * handshake never blocks the loop and the loop never blocks a handshake for
 * long. The handler must be started before the server sockets are bound:
 * without it libzmq would accept every client.
 *
 * Without any CURVE setting nothing changes: sockets speak ZMTP's NULL
 * mechanism, as before.
 */
#ifndef ND_CURVE_H
#define ND_CURVE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "buf.h"
#include "zsock.h"

#define CURVE_KEY_BYTES 32
#define CURVE_Z85_LEN 40

/* 1 if the libzmq in use was built with CURVE (zmq_has("curve")). */
int curve_available(void);

/* Decode a 40-character Z85 key of n bytes (surrounding blanks allowed) into
 * out. 0, or -EINVAL with the reason in err. */
int curve_key_decode(const char *text, size_t n, uint8_t out[CURVE_KEY_BYTES], struct buf *err);

/* A key setting: the key itself, or a file holding it. `setting` names the
 * flag for messages ("--curve-secret-key"). 0, or a negative errno-style code
 * with a message in err naming the setting and the file. */
int curve_key_load(const char *value, const char *setting, uint8_t out[CURVE_KEY_BYTES],
                   struct buf *err);

/* The public key of a secret key. 0 or -EINVAL. */
int curve_public_of(const uint8_t secret[CURVE_KEY_BYTES], uint8_t pub[CURVE_KEY_BYTES]);

/* Write a new key pair: PREFIX.key (the secret key, mode 0600) and
 * PREFIX.pub (the public key). Existing files are kept unless force. The
 * public key in Z85 is copied to pub_z85 (41 bytes). */
int curve_keypair_write(const char *prefix, int force, char pub_z85[CURVE_Z85_LEN + 1],
                        struct buf *err);

/* The allow list: public keys of the clients a server accepts. */
struct curve_allow;
int curve_allow_load(const char *path, const char *setting, struct curve_allow **out,
                     struct buf *err);
/* The same from NUL-terminated text; origin names it in messages. */
int curve_allow_parse(const char *text, const char *origin, const char *setting,
                      struct curve_allow **out, struct buf *err);
int curve_allow_has(const struct curve_allow *a, const uint8_t pub[CURVE_KEY_BYTES]);
size_t curve_allow_count(const struct curve_allow *a);
void curve_allow_free(struct curve_allow *a);

/*
 * A program's CURVE settings, loaded and checked together. `on` is 0 when no
 * CURVE setting is given. The values are the raw settings (NULL or "" for
 * unset); `role` says which ones this program needs:
 *   CURVE_ROLE_SERVER: secret key and allow list (the producer),
 *   CURVE_ROLE_SINK: secret key, allow list and the producer's public key,
 *   CURVE_ROLE_CLIENT: secret key and the producer's and sink's public keys.
 */
enum curve_role { CURVE_ROLE_SERVER, CURVE_ROLE_SINK, CURVE_ROLE_CLIENT };
struct curve_conf {
	int on;
	uint8_t secret[CURVE_KEY_BYTES], public_[CURVE_KEY_BYTES];
	uint8_t producer[CURVE_KEY_BYTES], sink[CURVE_KEY_BYTES];
	struct curve_allow *allow;
};
struct curve_settings {
	const char *secret, *allow, *producer, *sink;
};
int curve_conf_load(struct curve_conf *c, enum curve_role role, const struct curve_settings *s,
                    struct buf *err);
void curve_conf_free(struct curve_conf *c);

/* Fill the CURVE fields of socket options: as a server (server_key NULL) or
 * as a client of the server with that public key. Nothing when !c->on. */
void curve_zsock_opts(const struct curve_conf *c, const uint8_t *server_key, struct zsock_opts *o);

/* The ZAP handler on a libuv loop. */
struct curve_zap;
struct curve_zap *curve_zap_start(void *ctx, uv_loop_t *loop, const struct curve_allow *allow,
                                  struct buf *err);
/* Clients accepted and refused so far. */
void curve_zap_counts(const struct curve_zap *z, unsigned long *accepted, unsigned long *refused);
/* Stop watching (uv_close); the socket and memory go with curve_zap_free()
 * once the loop has run out. Both are safe on NULL. */
void curve_zap_stop(struct curve_zap *z);
void curve_zap_free(struct curve_zap *z);

/* Table rows for the settings (see conf.h). */
#define CONF_OPT_CURVE_SECRET(dst, what)                                                           \
	{                                                                                          \
		"curve-secret-key", "DIGEST_CURVE_SECRET_KEY", CONF_STR, NULL,                     \
		    "CURVE secret key of this program (40-char Z85, or a file holding it; see "    \
		    "curve-keygen); " what,                                                        \
		    (dst), 0, 0, NULL                                                              \
	}
#define CONF_OPT_CURVE_ALLOW(dst)                                                                  \
	{                                                                                          \
		"curve-allow", "DIGEST_CURVE_ALLOW", CONF_STR, NULL,                               \
		    "file of client public keys (one a line) allowed to connect; needed with "     \
		    "--curve-secret-key",                                                          \
		    (dst), 0, 0, NULL                                                              \
	}
#define CONF_OPT_CURVE_PRODUCER(dst)                                                               \
	{                                                                                          \
		"curve-producer-key", "DIGEST_CURVE_PRODUCER_KEY", CONF_STR, NULL,                 \
		    "the producer's CURVE public key (40-char Z85, or a file holding it)", (dst),  \
		    0, 0, NULL                                                                     \
	}
#define CONF_OPT_CURVE_SINK(dst)                                                                   \
	{                                                                                          \
		"curve-sink-key", "DIGEST_CURVE_SINK_KEY", CONF_STR, NULL,                         \
		    "the sink's CURVE public key (40-char Z85, or a file holding it)", (dst), 0,   \
		    0, NULL                                                                        \
	}

#endif
