/* curve: key parsing, key files, allow lists and the settings' checks. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "check.h"
#include "curve.h"

#include <uv.h>

static char tmp_dir[64];

/* The folder is flat: its files, then itself. */
static void tmpdir_remove(void)
{
	DIR *d = opendir(tmp_dir);
	struct dirent *e;
	char path[400];
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(tmp_dir);
}

/* A temporary folder for key files, made once per process and removed at
 * exit. */
static const char *tmpdir(void)
{
	if (!tmp_dir[0]) {
		snprintf(tmp_dir, sizeof tmp_dir, "/tmp/nd-curve-XXXXXX");
		if (!mkdtemp(tmp_dir))
			return "/tmp";
		atexit(tmpdir_remove);
	}
	return tmp_dir;
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", tmpdir(), name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void a_z85_key_decodes_to_its_bytes(void)
{
	char pub[41], sec[41];
	CHECK_INT(zmq_curve_keypair(pub, sec), 0);
	uint8_t raw[32], out[32];
	CHECK(zmq_z85_decode(raw, pub) != NULL);
	struct buf err = BUF_INIT;
	CHECK_INT(curve_key_decode(pub, 40, out, &err), 0);
	CHECK(memcmp(raw, out, 32) == 0);
	/* Blanks around the key (a line of a file) are allowed. */
	char padded[64];
	snprintf(padded, sizeof padded, "  %s\r\n", pub);
	CHECK_INT(curve_key_decode(padded, strlen(padded), out, &err), 0);
	CHECK(memcmp(raw, out, 32) == 0);
	buf_free(&err);
}

static void malformed_keys_are_refused_saying_why(void)
{
	struct buf err = BUF_INIT;
	uint8_t out[32];
	CHECK_INT(curve_key_decode("abc", 3, out, &err), -EINVAL);
	CHECK(strstr(err.p, "40 Z85 characters, not 3"));
	buf_reset(&err);
	/* 40 characters, one of them (a quote) outside the Z85 alphabet. */
	const char *bad = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\"";
	CHECK_INT(curve_key_decode(bad, 40, out, &err), -EINVAL);
	CHECK(strstr(err.p, "character 40 of the key is not Z85"));
	buf_free(&err);
}

static void a_key_setting_takes_the_key_or_a_file(void)
{
	char pub[41], sec[41];
	CHECK_INT(zmq_curve_keypair(pub, sec), 0);
	uint8_t want[32], got[32];
	zmq_z85_decode(want, sec);
	struct buf err = BUF_INIT;
	CHECK_INT(curve_key_load(sec, "--curve-secret-key", got, &err), 0);
	CHECK(memcmp(want, got, 32) == 0);
	char text[200];
	snprintf(text, sizeof text, "# a comment\n\n%s\n", sec);
	const char *path = write_tmp("k.key", text);
	memset(got, 0, 32);
	CHECK_INT(curve_key_load(path, "--curve-secret-key", got, &err), 0);
	CHECK(memcmp(want, got, 32) == 0);
	buf_free(&err);
}

static void a_key_file_whose_path_looks_like_a_key_is_read(void)
{
	/* A 40-character path made only of Z85 characters: the file wins. */
	char pub[41], sec[41], dir[80], path[64];
	CHECK_INT(zmq_curve_keypair(pub, sec), 0);
	snprintf(dir, sizeof dir, "%s/", tmpdir());
	size_t n = strlen(dir);
	CHECK(n < 40);
	memset(path, 'k', sizeof path);
	memcpy(path, dir, n);
	path[40] = 0;
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fprintf(f, "%s\n", sec);
	fclose(f);
	uint8_t want[32], got[32];
	zmq_z85_decode(want, sec);
	struct buf err = BUF_INIT;
	CHECK_INT(curve_key_load(path, "--curve-secret-key", got, &err), 0);
	CHECK(memcmp(want, got, 32) == 0);
	buf_free(&err);
}

static void a_missing_or_bad_key_file_is_named(void)
{
	struct buf err = BUF_INIT;
	uint8_t out[32];
	CHECK_INT(curve_key_load("/nonexistent/w.key", "--curve-sink-key", out, &err), -ENOENT);
	CHECK(strstr(err.p, "--curve-sink-key: cannot read key file /nonexistent/w.key"));
	buf_reset(&err);
	const char *path = write_tmp("bad.key", "# only a comment\nnot-a-key\n");
	CHECK(curve_key_load(path, "--curve-sink-key", out, &err) == -EINVAL);
	CHECK(strstr(err.p, "line 2: a key is 40 Z85 characters, not 9"));
	buf_reset(&err);
	path = write_tmp("empty.key", "# nothing\n");
	CHECK(curve_key_load(path, "--curve-sink-key", out, &err) == -EINVAL);
	CHECK(strstr(err.p, "holds no key"));
	buf_free(&err);
}

static void keygen_writes_a_matching_private_pair(void)
{
	char prefix[256], path[300], pub[41];
	snprintf(prefix, sizeof prefix, "%s/pair", tmpdir());
	struct buf err = BUF_INIT;
	CHECK_INT(curve_keypair_write(prefix, 1, pub, &err), 0);
	uint8_t sec[32], derived[32], pubk[32], filed[32];
	snprintf(path, sizeof path, "%s.key", prefix);
	CHECK_INT(curve_key_load(path, "s", sec, &err), 0);
	struct stat st;
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(curve_public_of(sec, derived), 0);
	CHECK_INT(curve_key_decode(pub, 40, pubk, &err), 0);
	CHECK(memcmp(derived, pubk, 32) == 0);
	snprintf(path, sizeof path, "%s.pub", prefix);
	CHECK_INT(curve_key_load(path, "p", filed, &err), 0);
	CHECK(memcmp(filed, pubk, 32) == 0);
	/* Without force an existing pair is kept. */
	CHECK_INT(curve_keypair_write(prefix, 0, pub, &err), -EEXIST);
	CHECK(strstr(err.p, "--force"));
	buf_free(&err);
}

static void an_allow_list_holds_its_keys_and_only_those(void)
{
	char p1[41], s1[41], p2[41], s2[41], p3[41], s3[41];
	zmq_curve_keypair(p1, s1);
	zmq_curve_keypair(p2, s2);
	zmq_curve_keypair(p3, s3);
	char text[400];
	snprintf(text, sizeof text, "# workers\n%s worker-1\n\n  %s\tworker-2\n", p1, p2);
	const char *path = write_tmp("allow", text);
	struct curve_allow *a = NULL;
	struct buf err = BUF_INIT;
	CHECK_INT(curve_allow_load(path, "--curve-allow", &a, &err), 0);
	CHECK_INT(curve_allow_count(a), 2);
	uint8_t k[32];
	zmq_z85_decode(k, p1);
	CHECK(curve_allow_has(a, k));
	zmq_z85_decode(k, p2);
	CHECK(curve_allow_has(a, k));
	zmq_z85_decode(k, p3);
	CHECK(!curve_allow_has(a, k));
	curve_allow_free(a);
	snprintf(text, sizeof text, "%s\n%.39s\n", p1, p2);
	path = write_tmp("allow-bad", text);
	CHECK(curve_allow_load(path, "--curve-allow", &a, &err) == -EINVAL);
	CHECK(strstr(err.p, "--curve-allow:") && strstr(err.p, "line 2: a key is 40"));
	CHECK(a == NULL);
	buf_reset(&err);
	path = write_tmp("allow-empty", "# nobody\n");
	CHECK(curve_allow_load(path, "--curve-allow", &a, &err) == -EINVAL);
	CHECK(strstr(err.p, "holds no public keys"));
	buf_free(&err);
}

static void settings_missing_their_partners_are_refused(void)
{
	char pub[41], sec[41];
	zmq_curve_keypair(pub, sec);
	struct curve_conf c;
	struct buf err = BUF_INIT;
	/* Nothing set: CURVE off, no error. */
	struct curve_settings none = {NULL, "", NULL, NULL};
	CHECK_INT(curve_conf_load(&c, CURVE_ROLE_CLIENT, &none, &err), 0);
	CHECK_INT(c.on, 0);
	struct curve_settings server = {sec, NULL, NULL, NULL};
	CHECK_INT(curve_conf_load(&c, CURVE_ROLE_SERVER, &server, &err), -EINVAL);
	CHECK(strstr(err.p, "--curve-secret-key needs --curve-allow FILE"));
	buf_reset(&err);
	struct curve_settings client = {sec, NULL, pub, NULL};
	CHECK_INT(curve_conf_load(&c, CURVE_ROLE_CLIENT, &client, &err), -EINVAL);
	CHECK(strstr(err.p, "needs --curve-sink-key"));
	buf_reset(&err);
	struct curve_settings nosecret = {NULL, NULL, pub, pub};
	CHECK_INT(curve_conf_load(&c, CURVE_ROLE_CLIENT, &nosecret, &err), -EINVAL);
	CHECK(strstr(err.p, "--curve-producer-key is set but --curve-secret-key is not"));
	buf_reset(&err);
	struct curve_settings full = {sec, NULL, pub, pub};
	CHECK_INT(curve_conf_load(&c, CURVE_ROLE_CLIENT, &full, &err), 0);
	CHECK_INT(c.on, 1);
	uint8_t want[32];
	zmq_z85_decode(want, pub);
	CHECK(memcmp(c.producer, want, 32) == 0);
	curve_conf_free(&c);
	buf_free(&err);
}

/* Send one ZAP request (frames given) through a REQ socket to the handler
 * on inproc://zeromq.zap.01, run the loop until the reply is in, and copy
 * the status code (frame 3) and user id (frame 5). */
static int zap_ask(void *ctx, uv_loop_t *loop, const char *const *frames, const size_t *lens, int n,
                   char *status, char *user)
{
	void *req = zmq_socket(ctx, ZMQ_REQ);
	int linger = 0;
	zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_connect(req, "inproc://zeromq.zap.01") != 0)
		return -1;
	for (int i = 0; i < n; i++)
		zmq_send(req, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0);
	int got = 0;
	for (int spins = 0; spins < 2000 && !got; spins++) {
		uv_run(loop, UV_RUN_NOWAIT);
		zmq_pollitem_t it = {req, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 1) == 1)
			got = 1;
	}
	int nf = 0;
	while (got) {
		char buf[64] = {0};
		int l = zmq_recv(req, buf, sizeof buf - 1, 0);
		if (l < 0)
			break;
		buf[l < 63 ? l : 63] = 0;
		if (nf == 2)
			strcpy(status, buf);
		if (nf == 4)
			strcpy(user, buf);
		nf++;
		int more = 0;
		size_t ml = sizeof more;
		zmq_getsockopt(req, ZMQ_RCVMORE, &more, &ml);
		if (!more)
			break;
	}
	zmq_close(req);
	return got ? nf : -1;
}

static void the_zap_handler_admits_only_allowed_curve_keys(void)
{
	char p1[41], s1[41], p2[41], s2[41];
	zmq_curve_keypair(p1, s1);
	zmq_curve_keypair(p2, s2);
	char text[100];
	snprintf(text, sizeof text, "%s\n", p1);
	struct curve_allow *a = NULL;
	struct buf err = BUF_INIT;
	CHECK_INT(curve_allow_parse(text, "t", "--curve-allow", &a, &err), 0);
	void *ctx = zmq_ctx_new();
	uv_loop_t loop;
	uv_loop_init(&loop);
	struct curve_zap *z = curve_zap_start(ctx, &loop, a, &err);
	CHECK(z != NULL);
	uint8_t k1[32], k2[32];
	zmq_z85_decode(k1, p1);
	zmq_z85_decode(k2, p2);
	const char *good[] = {"1.0", "7", "newsdigest", "127.0.0.1", "", "CURVE", (char *)k1};
	const size_t lens[] = {3, 1, 10, 9, 0, 5, 32};
	char status[64] = "", user[64] = "";
	CHECK_INT(zap_ask(ctx, &loop, good, lens, 7, status, user), 6);
	CHECK_STR(status, "200");
	CHECK_STR(user, p1);
	const char *stranger[] = {"1.0", "8", "newsdigest", "127.0.0.1", "", "CURVE", (char *)k2};
	CHECK_INT(zap_ask(ctx, &loop, stranger, lens, 7, status, user), 6);
	CHECK_STR(status, "400");
	/* No CURVE (a NULL-mechanism client), a wrong version, too few frames. */
	const char *null_mech[] = {"1.0", "9", "newsdigest", "127.0.0.1", "", "NULL", ""};
	const size_t null_lens[] = {3, 1, 10, 9, 0, 4, 0};
	CHECK_INT(zap_ask(ctx, &loop, null_mech, null_lens, 7, status, user), 6);
	CHECK_STR(status, "400");
	const char *old[] = {"0.9", "10", "newsdigest", "127.0.0.1", "", "CURVE", (char *)k1};
	const size_t old_lens[] = {3, 2, 10, 9, 0, 5, 32};
	CHECK_INT(zap_ask(ctx, &loop, old, old_lens, 7, status, user), 6);
	CHECK_STR(status, "400");
	CHECK_INT(zap_ask(ctx, &loop, good, lens, 3, status, user), 6);
	CHECK_STR(status, "400");
	unsigned long accepted, refused;
	curve_zap_counts(z, &accepted, &refused);
	CHECK_INT(accepted, 1);
	CHECK_INT(refused, 2);
	curve_zap_stop(z);
	uv_run(&loop, UV_RUN_DEFAULT);
	curve_zap_free(z);
	uv_loop_close(&loop);
	zmq_ctx_term(ctx);
	curve_allow_free(a);
	buf_free(&err);
}

static const struct check_case cases[] = {
    CASE(a_z85_key_decodes_to_its_bytes, "a Z85 key decodes to its 32 bytes"),
    CASE(malformed_keys_are_refused_saying_why, "malformed keys are refused saying why"),
    CASE(a_key_setting_takes_the_key_or_a_file, "a key setting takes the key itself or a file"),
    CASE(a_key_file_whose_path_looks_like_a_key_is_read,
         "a key file whose path looks like a key is read"),
    CASE(a_missing_or_bad_key_file_is_named, "a missing or bad key file is named with its line"),
    CASE(keygen_writes_a_matching_private_pair,
         "keygen writes a matching pair with a private secret file"),
    CASE(an_allow_list_holds_its_keys_and_only_those,
         "an allow list holds its keys and only those"),
    CASE(the_zap_handler_admits_only_allowed_curve_keys,
         "the ZAP handler admits only allowed CURVE keys"),
    CASE(settings_missing_their_partners_are_refused,
         "settings missing their partners are refused"),
};
CHECK_MAIN(cases)
