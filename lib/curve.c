/* curve: see curve.h. */
#include "curve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
/* Distinct refused keys logged; beyond that refusals are only counted, so
 * that a misconfigured client retrying every few hundred milliseconds
 * cannot flood the log. */
#define ZAP_LOGGED_MAX 32

int curve_available(void)
{
	return zmq_has("curve");
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_z85(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr(".-:+=^!/*?&<>()[]{}@%$#", c));
}

int curve_key_decode(const char *text, size_t n, uint8_t out[CURVE_KEY_BYTES], struct buf *err)
{
	while (n && is_blank(*text)) {
		text++;
		n--;
	}
	while (n && is_blank(text[n - 1]))
		n--;
	if (n != CURVE_Z85_LEN) {
		buf_printf(err, "a key is %d Z85 characters, not %zu", CURVE_Z85_LEN, n);
		return -EINVAL;
	}
	char z[CURVE_Z85_LEN + 1];
	for (size_t i = 0; i < n; i++) {
		if (!is_z85(text[i])) {
			buf_printf(err, "character %zu of the key is not Z85", i + 1);
			return -EINVAL;
		}
		z[i] = text[i];
	}
	z[n] = 0;
	if (!zmq_z85_decode(out, z)) {
		buf_printf(err, "the key is not valid Z85");
		return -EINVAL;
	}
	return 0;
}

/* The first line of text that is neither blank nor a comment: *line and
 * *len, and its 1-based number; 0 if there is none. A comment starts with
 * '#': a Z85 character, but never the first of a key (a key's first
 * character encodes at most 2^32 / 85^4 < 83, and '#' is the 85th). */
static int next_line(const char **p, const char **line, size_t *len, int *lineno)
{
	while (**p) {
		const char *s = *p, *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		*p = e ? e + 1 : s + n;
		(*lineno)++;
		while (n && is_blank(*s)) {
			s++;
			n--;
		}
		if (n == 0 || *s == '#')
			continue;
		*line = s;
		*len = n;
		return 1;
	}
	return 0;
}

/* Read a small text file whole; NUL-terminated, in *out. */
static int read_small(const char *path, const char *setting, struct buf *out, struct buf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		buf_printf(err, "%s: cannot read key file %s: %s", setting, path, strerror(errno));
		return -errno;
	}
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (out->len + n > (1u << 20)) {
			buf_printf(err, "%s: %s is over 1 MiB: not a key file", setting, path);
			fclose(f);
			return -EFBIG;
		}
		buf_append(out, tmp, n);
	}
	fclose(f);
	buf_append_char(out, 0);
	return 0;
}

int curve_key_load(const char *value, const char *setting, uint8_t out[CURVE_KEY_BYTES],
                   struct buf *err)
{
	struct buf why = BUF_INIT;
	/* A file of that name wins (a path can be 40 Z85 characters long);
	 * otherwise a value that is a key is taken as one. */
	struct stat st;
	if (stat(value, &st) != 0 && strlen(value) == CURVE_Z85_LEN &&
	    curve_key_decode(value, CURVE_Z85_LEN, out, &why) == 0) {
		buf_free(&why);
		return 0;
	}
	buf_reset(&why);
	struct buf text = BUF_INIT;
	int rc = read_small(value, setting, &text, err);
	if (rc == 0) {
		const char *p = text.p, *line;
		size_t len;
		int lineno = 0;
		if (!next_line(&p, &line, &len, &lineno)) {
			buf_printf(err, "%s: %s holds no key", setting, value);
			rc = -EINVAL;
		} else if (curve_key_decode(line, len, out, &why)) {
			buf_printf(err, "%s: %s line %d: %s", setting, value, lineno, why.p);
			rc = -EINVAL;
		}
	} else if (rc == -ENOENT && strlen(value) == CURVE_Z85_LEN) {
		buf_reset(err);
		buf_printf(err, "%s: \"%s\" is neither a valid Z85 key nor a file", setting, value);
	}
	buf_free(&text);
	buf_free(&why);
	return rc;
}

int curve_public_of(const uint8_t secret[CURVE_KEY_BYTES], uint8_t pub[CURVE_KEY_BYTES])
{
	char zs[CURVE_Z85_LEN + 1], zp[CURVE_Z85_LEN + 1];
	if (!zmq_z85_encode(zs, secret, CURVE_KEY_BYTES) || zmq_curve_public(zp, zs) != 0 ||
	    !zmq_z85_decode(pub, zp))
		return -EINVAL;
	return 0;
}

static int write_file(const char *path, const char *text, mode_t mode, int force, struct buf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), mode);
	if (fd < 0) {
		buf_printf(err, "cannot create %s: %s%s", path, strerror(errno),
		           errno == EEXIST ? " (use --force to replace it)" : "");
		return -errno;
	}
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	if (w < 0 || (size_t)w != n || fchmod(fd, mode) != 0 || close(fd) != 0) {
		buf_printf(err, "cannot write %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int curve_keypair_write(const char *prefix, int force, char pub_z85[CURVE_Z85_LEN + 1],
                        struct buf *err)
{
	char pub[CURVE_Z85_LEN + 1], sec[CURVE_Z85_LEN + 1];
	if (zmq_curve_keypair(pub, sec) != 0) {
		buf_printf(err, "cannot make a key pair: %s", zmq_strerror(errno));
		return -ENOTSUP;
	}
	struct buf path = BUF_INIT, text = BUF_INIT;
	buf_printf(&text,
	           "# newsdigest CURVE secret key: keep it private (--curve-secret-key)\n"
	           "# public key: %s\n%s\n",
	           pub, sec);
	buf_printf(&path, "%s.key", prefix);
	int rc = write_file(path.p, text.p, 0600, force, err);
	if (rc == 0) {
		buf_reset(&text);
		buf_reset(&path);
		buf_printf(&text,
		           "# newsdigest CURVE public key: give it to the peers (--curve-allow, "
		           "--curve-producer-key, --curve-sink-key)\n%s\n",
		           pub);
		buf_printf(&path, "%s.pub", prefix);
		rc = write_file(path.p, text.p, 0644, force, err);
	}
	memset(sec, 0, sizeof sec);
	memset(text.p, 0, text.len);
	buf_free(&text);
	buf_free(&path);
	memcpy(pub_z85, pub, sizeof pub);
	return rc;
}

struct curve_allow {
	uint8_t (*keys)[CURVE_KEY_BYTES];
	size_t n;
};

int curve_allow_parse(const char *text, const char *origin, const char *setting,
                      struct curve_allow **out, struct buf *err)
{
	struct buf why = BUF_INIT;
	*out = NULL;
	int rc = 0;
	struct curve_allow *a = calloc(1, sizeof *a);
	size_t cap = 0;
	const char *p = text, *line;
	size_t len;
	int lineno = 0;
	while (a && rc == 0 && next_line(&p, &line, &len, &lineno)) {
		/* The key is the first word; the rest of the line is a note. */
		size_t klen = 0;
		while (klen < len && !is_blank(line[klen]))
			klen++;
		if (a->n == cap) {
			cap = cap ? cap * 2 : 16;
			void *k = realloc(a->keys, cap * sizeof *a->keys);
			if (!k) {
				rc = -ENOMEM;
				buf_printf(err, "out of memory");
				break;
			}
			a->keys = k;
		}
		buf_reset(&why);
		if (curve_key_decode(line, klen, a->keys[a->n], &why)) {
			buf_printf(err, "%s: %s line %d: %s", setting, origin, lineno, why.p);
			rc = -EINVAL;
			break;
		}
		a->n++;
	}
	if (!a) {
		buf_printf(err, "out of memory");
		rc = -ENOMEM;
	} else if (rc == 0 && a->n == 0) {
		buf_printf(err, "%s: %s holds no public keys: no client could connect", setting,
		           origin);
		rc = -EINVAL;
	}
	buf_free(&why);
	if (rc) {
		curve_allow_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

int curve_allow_load(const char *path, const char *setting, struct curve_allow **out,
                     struct buf *err)
{
	struct buf text = BUF_INIT;
	*out = NULL;
	int rc = read_small(path, setting, &text, err);
	if (rc == 0)
		rc = curve_allow_parse(text.p, path, setting, out, err);
	buf_free(&text);
	return rc;
}

int curve_allow_has(const struct curve_allow *a, const uint8_t pub[CURVE_KEY_BYTES])
{
	for (size_t i = 0; a && i < a->n; i++)
		if (memcmp(a->keys[i], pub, CURVE_KEY_BYTES) == 0)
			return 1;
	return 0;
}

size_t curve_allow_count(const struct curve_allow *a)
{
	return a ? a->n : 0;
}

void curve_allow_free(struct curve_allow *a)
{
	if (!a)
		return;
	free(a->keys);
	free(a);
}

static int set(const char *v)
{
	return v && *v;
}

int curve_conf_load(struct curve_conf *c, enum curve_role role, const struct curve_settings *s,
                    struct buf *err)
{
	memset(c, 0, sizeof *c);
	int server = role != CURVE_ROLE_CLIENT;
	if (!set(s->secret) && !set(s->allow) && !set(s->producer) && !set(s->sink))
		return 0;
	if (!curve_available()) {
		buf_printf(err,
		           "CURVE settings are given but this libzmq (%d.%d.%d) was built "
		           "without CURVE (zmq_has(\"curve\") is false)",
		           ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH);
		return -ENOTSUP;
	}
	if (!set(s->secret)) {
		buf_printf(err,
		           "--%s is set but --curve-secret-key is not: CURVE needs this "
		           "program's own key pair (make one with curve-keygen)",
		           set(s->allow)      ? "curve-allow"
		           : set(s->producer) ? "curve-producer-key"
		                              : "curve-sink-key");
		return -EINVAL;
	}
	int rc = curve_key_load(s->secret, "--curve-secret-key", c->secret, err);
	if (rc)
		return rc;
	struct stat st;
	if (stat(s->secret, &st) == 0 && (st.st_mode & 077))
		log_warn("--curve-secret-key: %s can be read by other users (mode %03o): "
		         "chmod 600 it",
		         s->secret, (unsigned)(st.st_mode & 0777));
	if (curve_public_of(c->secret, c->public_)) {
		buf_printf(err, "--curve-secret-key: cannot derive the public key");
		return -EINVAL;
	}
	if (server && !set(s->allow)) {
		buf_printf(err,
		           "--curve-secret-key needs --curve-allow FILE: the public keys of "
		           "the clients allowed to connect (%s)",
		           role == CURVE_ROLE_SERVER ? "the workers and the sink"
		                                     : "the workers and the digest subscribers");
		return -EINVAL;
	}
	if (server && (rc = curve_allow_load(s->allow, "--curve-allow", &c->allow, err)))
		return rc;
	if (role != CURVE_ROLE_SERVER) {
		if (!set(s->producer)) {
			buf_printf(err, "--curve-secret-key needs --curve-producer-key: the "
			                "producer's public key");
			rc = -EINVAL;
		} else {
			rc = curve_key_load(s->producer, "--curve-producer-key", c->producer, err);
		}
	} else if (set(s->producer)) {
		buf_printf(err, "--curve-producer-key is not a setting of this program");
		rc = -EINVAL;
	}
	if (rc == 0 && role == CURVE_ROLE_CLIENT) {
		if (!set(s->sink)) {
			buf_printf(err, "--curve-secret-key needs --curve-sink-key: the sink's "
			                "public key");
			rc = -EINVAL;
		} else {
			rc = curve_key_load(s->sink, "--curve-sink-key", c->sink, err);
		}
	}
	if (rc) {
		curve_conf_free(c);
		return rc;
	}
	c->on = 1;
	return 0;
}

void curve_conf_free(struct curve_conf *c)
{
	curve_allow_free(c->allow);
	c->allow = NULL;
	memset(c->secret, 0, sizeof c->secret);
	c->on = 0;
}

void curve_zsock_opts(const struct curve_conf *c, const uint8_t *server_key, struct zsock_opts *o)
{
	if (!c->on)
		return;
	o->curve_secret = c->secret;
	o->curve_public = c->public_;
	o->curve_server = server_key;
}

/* ---- ZAP handler ---------------------------------------------------------- */

struct curve_zap {
	void *sock;
	struct zwatch w;
	const struct curve_allow *allow;
	unsigned long accepted, refused;
	uint8_t logged[ZAP_LOGGED_MAX][CURVE_KEY_BYTES];
	size_t nlogged;
};

/* Receive one frame of a request into out (truncated to cap); its length,
 * or -1. *more says whether more frames follow. */
static int zap_frame(void *s, char *out, size_t cap, int *more)
{
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		return -1;
	}
	size_t n = zmq_msg_size(&m);
	memcpy(out, zmq_msg_data(&m), n < cap ? n : cap);
	*more = zmq_msg_more(&m);
	zmq_msg_close(&m);
	return (int)(n < (size_t)1 << 30 ? n : (size_t)1 << 30);
}

static void zap_reply(void *s, const char *id, size_t idlen, const char *code, const char *text,
                      const char *user)
{
	zmq_send(s, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(s, id, idlen, ZMQ_SNDMORE);
	zmq_send(s, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(s, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(s, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(s, "", 0, 0);
}

/* One request (RFC 27): version, request id, domain, address, identity,
 * mechanism, credentials (for CURVE: the client's 32-byte public key). */
static void zap_handle(struct curve_zap *z)
{
	char f[7][256];
	int len[7] = {0}, more = 1, n = 0;
	while (more) {
		char sink[256];
		int l = zap_frame(z->sock, n < 7 ? f[n] : sink, 255, &more);
		if (l < 0)
			return; /* no request: nothing to answer */
		if (n < 7)
			len[n] = l;
		n++;
	}
	size_t idlen = n > 1 && len[1] < 256 ? (size_t)len[1] : 0;
	const char *addr = "?";
	if (n > 3 && len[3] < 256) {
		f[3][len[3]] = 0;
		addr = f[3];
	}
	if (n < 7 || len[0] != 3 || memcmp(f[0], "1.0", 3) != 0) {
		zap_reply(z->sock, f[1], idlen, "400", "malformed ZAP request", "");
		return;
	}
	int curve = len[5] == 5 && memcmp(f[5], "CURVE", 5) == 0;
	if (!curve || len[6] != CURVE_KEY_BYTES) {
		z->refused++;
		zap_reply(z->sock, f[1], idlen, "400", "CURVE required", "");
		return;
	}
	const uint8_t *key = (const uint8_t *)f[6];
	char zk[CURVE_Z85_LEN + 1];
	zmq_z85_encode(zk, key, CURVE_KEY_BYTES);
	if (curve_allow_has(z->allow, key)) {
		z->accepted++;
		zap_reply(z->sock, f[1], idlen, "200", "OK", zk);
		return;
	}
	z->refused++;
	zap_reply(z->sock, f[1], idlen, "400", "key not on the allow list", "");
	for (size_t i = 0; i < z->nlogged; i++)
		if (memcmp(z->logged[i], key, CURVE_KEY_BYTES) == 0)
			return;
	if (z->nlogged < ZAP_LOGGED_MAX)
		memcpy(z->logged[z->nlogged++], key, CURVE_KEY_BYTES);
	log_warn("refused a CURVE client from %s: public key %s is not on the allow list "
	         "(--curve-allow)",
	         addr, zk);
}

static void on_zap(struct zwatch *w)
{
	struct curve_zap *z = w->data;
	while (zsock_events(z->sock) & ZMQ_POLLIN)
		zap_handle(z);
}

struct curve_zap *curve_zap_start(void *ctx, uv_loop_t *loop, const struct curve_allow *allow,
                                  struct buf *err)
{
	struct curve_zap *z = calloc(1, sizeof *z);
	if (!z) {
		buf_printf(err, "out of memory");
		return NULL;
	}
	z->allow = allow;
	z->sock = zmq_socket(ctx, ZMQ_REP);
	int linger = 0;
	if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) != 0) {
		buf_printf(err, "cannot start the CURVE authentication handler on %s: %s",
		           ZAP_ENDPOINT, zmq_strerror(errno));
		if (z->sock)
			zmq_close(z->sock);
		free(z);
		return NULL;
	}
	int rc = zwatch_start(&z->w, loop, z->sock, on_zap, z);
	if (rc) {
		buf_printf(err, "cannot watch the CURVE authentication handler: %s",
		           uv_strerror(rc));
		zmq_close(z->sock);
		free(z);
		return NULL;
	}
	return z;
}

void curve_zap_counts(const struct curve_zap *z, unsigned long *accepted, unsigned long *refused)
{
	*accepted = z ? z->accepted : 0;
	*refused = z ? z->refused : 0;
}

void curve_zap_stop(struct curve_zap *z)
{
	if (z)
		zwatch_close(&z->w);
}

void curve_zap_free(struct curve_zap *z)
{
	if (!z)
		return;
	zmq_close(z->sock);
	free(z);
}
