/*
 * sink: assembles articles from chunk results, builds and stores their
 * digests, publishes them, and acknowledges each article to the producer.
 *
 * One libuv loop. Results are keyed by (article_id, seq): a result seen
 * twice is counted once, and an article already in the store is
 * acknowledged again without being stored or published again, so the
 * producer's resends are harmless. The order of the steps for a complete
 * article is the delivery guarantee: write the JSON Lines output, commit to
 * the store, publish, and only then acknowledge; an article the producer has
 * seen acknowledged is therefore always durable and always in the output.
 *
 * A one-chunk article arrives with its digest already built by the worker
 * (ChunkResult.digest, the same summary_build() run there): the sink only
 * checks that it is that article's, then stores and publishes it. Longer
 * articles are assembled here and summarised by the sink.
 *
 * Batches. When busy, the results socket is held for --batch-wait-ms after
 * each wake-up (zwatch_hold), and what gathered is taken in one go and
 * stored in one transaction (at most TX_MAX digests): one WAL write and one
 * round of acknowledgements per batch instead of per article. The acks and
 * stream messages of a batch wait for its commit; if the commit fails none
 * is sent, and the producer resends those articles.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zmq.h>

#include "conf.h"
#include "curve.h"
#include "http.h"
#include "idf.h"
#include "assemble.h"
#include "log.h"
#include "ner.h"
#include "render.h"
#include "store.h"
#include "summary.h"
#include "terms.h"
#include "wire.h"
#include "zsock.h"

#define MAX_PENDING_ACKS 100000u
#define DRAIN_BATCH 256
/* Digests per store transaction at most. One commit per batch is what makes
 * storing cheap; the bound keeps what a crash can repeat in the --out file
 * (lines written, transaction not yet committed) to this many lines. */
#define TX_MAX 32
#define LAT_NBUCKETS 11
static const double lat_bounds[LAT_NBUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                0.5,   1,    2.5,   5,    10};

struct settings {
	const char *results, *digests, *acks, *store, *out, *out_format, *http, *idf, *log_level,
	    *log_format, *curve_secret, *curve_allow, *curve_producer;
	long max_msg, key_points, partial_ttl, batch_wait;
};

struct pending_ack {
	struct pending_ack *next;
	size_t len;
	char data[];
};

struct sink {
	struct settings set;
	uv_loop_t *loop;
	void *ctx, *pull, *pub, *ack;
	struct zwatch wpull, wack;
	struct curve_conf curve;
	struct curve_zap *zap;
	uv_signal_t sigterm, sigint;
	uv_timer_t expiry;
	struct store *store;
	FILE *out;
	int out_text;
	struct assembler *as;
	struct pending_ack *ack_head, *ack_tail;
	size_t nacks;
	/* The batch being drained (group commit): its digests are stored in
	 * one transaction; their acks and stream messages wait here until it
	 * commits, and are dropped if it does not (the producer resends). */
	int in_tx;
	struct pending_ack *batch_head, *batch_tail;
	struct buf pubq; /* per digest: 1 byte ok, 4 bytes length, payload */
	unsigned long batch_stored, batch_failed;
	unsigned long worker_digests; /* digests the workers built (one-chunk articles) */
	int warned_key_points;
	struct buf json, pb, scratch, err;
	unsigned long stored, published, duplicates, resent, bad_frames, failed, expired,
	    acks_dropped, results;
	struct http_server *http;
	struct terms terms; /* tokenizer and stemmer for every summary */
	struct idf *idf;    /* keyword weights, or NULL */
	/* Latency from the producer sending an article's first chunk to its
	 * digest being stored, as a Prometheus histogram. */
	unsigned long lat_buckets[LAT_NBUCKETS];
	double lat_sum;
};

static void queue_ack(struct sink *k, const char *id, int ok, uint32_t attempt, const char *error)
{
	Nd__Ack a = ND__ACK__INIT;
	a.schema = WIRE_SCHEMA;
	a.article_id = (char *)id;
	a.status = ok ? ND__STATUS__STATUS_OK : ND__STATUS__STATUS_FAILED;
	a.attempt = attempt;
	a.error = (char *)(error ? error : "");
	if (wire_encode(&a.base, &k->scratch))
		return;
	if (k->nacks >= MAX_PENDING_ACKS) {
		/* The producer is away for long: drop the oldest; it will resend
		 * that article and get it acknowledged again from the store. */
		struct pending_ack *old = k->ack_head;
		k->ack_head = old->next;
		if (!k->ack_head)
			k->ack_tail = NULL;
		free(old);
		k->nacks--;
		k->acks_dropped++;
	}
	struct pending_ack *pa = malloc(sizeof *pa + k->scratch.len);
	if (!pa)
		return;
	pa->next = NULL;
	pa->len = k->scratch.len;
	memcpy(pa->data, k->scratch.p, k->scratch.len);
	if (k->in_tx) {
		/* Nothing is acknowledged before the batch is durable. */
		if (k->batch_tail)
			k->batch_tail->next = pa;
		else
			k->batch_head = pa;
		k->batch_tail = pa;
		return;
	}
	if (k->ack_tail)
		k->ack_tail->next = pa;
	else
		k->ack_head = pa;
	k->ack_tail = pa;
	k->nacks++;
	zwatch_kick(&k->wack);
}

static void on_ack_ready(struct zwatch *w)
{
	struct sink *k = w->data;
	/* Sent until ZeroMQ says EAGAIN, without a look at the socket's
	 * events before each (a system call each); after an EAGAIN the
	 * socket's descriptor signals when there is room again. */
	while (k->ack_head) {
		struct pending_ack *pa = k->ack_head;
		if (zmq_send(k->ack, pa->data, pa->len, ZMQ_DONTWAIT) < 0)
			break;
		k->ack_head = pa->next;
		if (!k->ack_head)
			k->ack_tail = NULL;
		free(pa);
		k->nacks--;
	}
}

/* Keep a stored digest's stream message until its batch commits. */
static void publish_later(struct sink *k, int ok)
{
	uint32_t len = (uint32_t)k->pb.len;
	unsigned char head[5] = {(unsigned char)ok, (unsigned char)len, (unsigned char)(len >> 8),
	                         (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
	if (buf_append(&k->pubq, head, sizeof head) || buf_append(&k->pubq, k->pb.p, k->pb.len))
		log_warn("out of memory: a digest will not be published");
}

static void publish_batch(struct sink *k)
{
	size_t at = 0;
	while (at + 5 <= k->pubq.len) {
		const unsigned char *h = (const unsigned char *)k->pubq.p + at;
		size_t len =
		    (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
		const char *topic = h[0] ? "digest.ok" : "digest.failed";
		if (zmq_send(k->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
		    zmq_send(k->pub, h + 5, len, ZMQ_DONTWAIT) < 0)
			log_warn("a digest was not published: %s", zmq_strerror(errno));
		else
			k->published++;
		at += 5 + len;
	}
	buf_reset(&k->pubq);
}

static void batch_begin(struct sink *k)
{
	if (k->in_tx)
		return;
	buf_reset(&k->err);
	if (store_begin(k->store, &k->err)) {
		/* Each digest then commits on its own, as without batches. */
		log_warn("%s", k->err.p);
		return;
	}
	k->in_tx = 1;
}

/* Commit the batch, then acknowledge and publish what it stored. If the
 * commit fails nothing of the batch is acknowledged: the producer resends
 * those articles, and the sink stores them then. */
static void batch_end(struct sink *k)
{
	if (!k->in_tx)
		return;
	k->in_tx = 0;
	buf_reset(&k->err);
	int rc = store_commit(k->store, &k->err);
	if (rc) {
		log_error("%s; %lu digests of the batch will be resent", k->err.p, k->batch_stored);
		store_rollback(k->store);
		k->stored -= k->batch_stored;
		k->failed -= k->batch_failed;
		while (k->batch_head) {
			struct pending_ack *pa = k->batch_head;
			k->batch_head = pa->next;
			free(pa);
		}
		buf_reset(&k->pubq);
	} else {
		publish_batch(k);
		if (k->batch_head) {
			if (k->ack_tail)
				k->ack_tail->next = k->batch_head;
			else
				k->ack_head = k->batch_head;
			k->ack_tail = k->batch_tail;
			for (struct pending_ack *pa = k->batch_head; pa; pa = pa->next)
				k->nacks++;
			k->batch_head = NULL;
			zwatch_kick(&k->wack);
		}
	}
	k->batch_tail = NULL;
	k->batch_stored = k->batch_failed = 0;
}

static void write_output(struct sink *k, const Nd__Digest *d)
{
	if (!k->out)
		return;
	if (k->out_text) {
		buf_reset(&k->scratch);
		render_text(d, &k->scratch);
		fwrite(k->scratch.p, 1, k->scratch.len, k->out);
	} else {
		fwrite(k->json.p, 1, k->json.len, k->out);
		fputc('\n', k->out);
	}
	if (fflush(k->out) != 0)
		log_error("cannot write digest output: %s", strerror(errno));
}

/* Output, store, publish and acknowledge one digest. The output file is
 * written before the commit: a crash between the two leaves the line in the
 * file and the article unacknowledged, so the resend writes it once more
 * (the file is at-least-once; consumers key on article_id). The other order
 * would lose the line. The store is exactly-once either way. */
static void deliver(struct sink *k, const Nd__Digest *d, uint32_t attempt, int looked_up)
{
	int ok = d->status == ND__STATUS__STATUS_OK, inserted = 0, was_ok = 0;
	/* A one-chunk article was looked up in the store on arrival, just
	 * before (looked_up, and not there): not again. */
	int has = looked_up ? 0 : store_has(k->store, d->article_id, &was_ok);
	if (has == 1) {
		k->resent++;
		queue_ack(k, d->article_id, was_ok, attempt, NULL);
		return;
	}
	buf_reset(&k->json);
	if (render_json(d, &k->json) || wire_encode(&d->base, &k->pb)) {
		log_error("out of memory rendering digest %s", d->article_id);
		return;
	}
	write_output(k, d);
	batch_begin(k);
	buf_reset(&k->err);
	if (store_put(k->store, d->article_id, ok, d->created_at_us, k->json.p, k->json.len,
	              k->pb.p, k->pb.len, &inserted, &k->err)) {
		/* Not acknowledged: the producer resends it later. */
		log_error("%s", k->err.p);
		return;
	}
	if (inserted) {
		k->stored++;
		k->batch_stored += k->in_tx;
		if (!ok) {
			k->failed++;
			k->batch_failed += k->in_tx;
			log_warn("article %s failed: %s", d->article_id, d->error);
		}
		publish_later(k, ok);
		if (!k->in_tx)
			publish_batch(k); /* no batch could begin: at once */
		log_debug("stored digest %s (%u chunks)", d->article_id,
		          d->stats ? d->stats->chunks : 0);
	} else {
		k->resent++;
	}
	queue_ack(k, d->article_id, ok, attempt, ok ? NULL : d->error);
	if (k->batch_stored >= TX_MAX)
		batch_end(k);
}

static void finish_article(struct sink *k, struct assembled *a, int looked_up)
{
	struct summary *s = NULL;
	struct summary_opts so = {(int)k->set.key_points, ND_VERSION, wire_now_us(), &k->terms,
	                          k->idf};
	const Nd__Digest *built = a->total == 1 ? a->parts[0]->digest : NULL;
	int rc = 0;
	if (built) {
		/* The worker ran the article step (a one-chunk article). */
		k->worker_digests++;
		if (a->parts[0]->key_points != (uint32_t)k->set.key_points &&
		    !k->warned_key_points) {
			log_warn(
			    "worker %s builds digests with --key-points %u, this sink has %ld: "
			    "set DIGEST_KEY_POINTS alike for both",
			    a->parts[0]->worker, a->parts[0]->key_points, k->set.key_points);
			k->warned_key_points = 1;
		}
	} else {
		rc = summary_build(&s, (const Nd__ChunkResult *const *)a->parts, a->total, &so);
	}
	if (rc) {
		char why[128];
		snprintf(why, sizeof why, "the sink could not assemble the article (%s)",
		         rc == -ENOMEM ? "out of memory" : "inconsistent chunk results");
		const Nd__ChunkResult *r0 = a->parts[0];
		rc = summary_failed(&s, a->article_id, r0->source, r0->title, why, &so);
	}
	if (!rc) {
		uint64_t sent = a->parts[0]->sent_at_us, now = wire_now_us();
		if (sent && now > sent) {
			double secs = (double)(now - sent) / 1e6;
			k->lat_sum += secs;
			for (int i = 0; i < LAT_NBUCKETS; i++)
				if (secs <= lat_bounds[i])
					k->lat_buckets[i]++;
		}
		deliver(k, built ? built : summary_digest(s), a->attempt, looked_up);
	} else
		log_error("out of memory building digest %s", a->article_id);
	summary_free(s);
}

static void handle_result(struct sink *k, const void *data, size_t n)
{
	Nd__ChunkResult *r = NULL;
	k->results++;
	int rc = wire_decode_result(data, n, &r);
	if (rc) {
		k->bad_frames++;
		log_warn("dropped a %zu-byte result frame: %s", n, wire_strerror(rc));
		return;
	}
	int looked_up = 0; /* in the store and not there, just now */
	if (*r->article_id && !assembler_has(k->as, r->article_id)) {
		int ok = 0;
		int has = store_has(k->store, r->article_id, &ok);
		looked_up = has == 0;
		if (has == 1) {
			/* Already stored: a resend. Acknowledge again, once per
			 * resent article (on its first chunk). */
			if (r->seq == 0)
				queue_ack(k, r->article_id, ok, r->attempt, NULL);
			k->duplicates++;
			wire_free(&r->base);
			return;
		}
	}
	if (r->digest && (r->total != 1 || r->seq != 0 || !r->digest->article_id ||
	                  strcmp(r->digest->article_id, r->article_id) != 0)) {
		k->bad_frames++;
		log_warn("dropped a result whose digest is not its article's (article \"%.64s\", "
		         "seq %u of %u)",
		         r->article_id, r->seq, r->total);
		wire_free(&r->base);
		return;
	}
	struct assembled *a = NULL;
	char id[96];
	snprintf(id, sizeof id, "%.64s", r->article_id);
	uint32_t seq = r->seq, total = r->total;
	switch (assembler_add(k->as, r, uv_now(k->loop), &a)) {
	case ASSEMBLE_COMPLETE:
		finish_article(k, a, looked_up);
		assembled_free(a);
		break;
	case ASSEMBLE_DUPLICATE:
	case ASSEMBLE_STALE:
		k->duplicates++;
		break;
	case ASSEMBLE_INVALID:
		k->bad_frames++;
		log_warn("dropped an inconsistent result (article \"%s\", seq %u of %u)", id, seq,
		         total);
		break;
	case ASSEMBLE_NOMEM:
		log_error("out of memory assembling %s", id);
		break;
	case ASSEMBLE_PENDING:
		break;
	}
}

static void on_results(struct zwatch *w)
{
	struct sink *k = w->data;
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	/* Received until EAGAIN: a receive from a non-empty queue makes no
	 * system call, where a look at the socket's events before each did. */
	for (int i = 0; i < DRAIN_BATCH; i++) {
		if (zmq_msg_recv(&msg, k->pull, ZMQ_DONTWAIT) < 0)
			goto out;
		handle_result(k, zmq_msg_data(&msg), zmq_msg_size(&msg));
	}
	/* More may be waiting: let timers and acks run, then come back. */
	zwatch_kick(w);
out:
	batch_end(k);
	zmq_msg_close(&msg);
}

static void log_expired(const struct assembled *a, void *arg)
{
	const struct sink *k = arg;
	log_warn("dropping partial article %s: %u of %u chunks after %ld s (the producer "
	         "resends it)",
	         a->article_id, a->have, a->total, k->set.partial_ttl);
}

static void on_expiry(uv_timer_t *t)
{
	struct sink *k = t->data;
	k->expired += assembler_expire(k->as, uv_now(k->loop), (uint64_t)k->set.partial_ttl * 1000u,
	                               log_expired, k);
}

/* ---- HTTP query API ------------------------------------------------------ */

static void json_error(struct http_request *req, int status, const char *msg)
{
	char body[600];
	int n = snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", msg);
	http_respond(req, status, "application/json", body, (size_t)n, NULL);
}

struct page {
	struct buf *out;
	long long last;
	int n;
};

static void page_row(long long seq, const char *json, size_t len, void *arg)
{
	struct page *pg = arg;
	if (pg->n++)
		buf_append_char(pg->out, ',');
	buf_append(pg->out, json, len);
	pg->last = seq;
}

static int parse_ll(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void metrics(struct sink *k, struct buf *b)
{
	long long count = store_count(k->store);
	buf_printf(
	    b,
	    "# HELP digest_results_total Chunk results received from workers.\n"
	    "# TYPE digest_results_total counter\n"
	    "digest_results_total %lu\n"
	    "# HELP digest_articles_total Articles stored, by status.\n"
	    "# TYPE digest_articles_total counter\n"
	    "digest_articles_total{status=\"ok\"} %lu\n"
	    "digest_articles_total{status=\"failed\"} %lu\n"
	    "# HELP digest_resends_total Resent articles acknowledged again from the store.\n"
	    "# TYPE digest_resends_total counter\n"
	    "digest_resends_total %lu\n"
	    "# HELP digest_duplicate_results_total Chunk results seen before, dropped.\n"
	    "# TYPE digest_duplicate_results_total counter\n"
	    "digest_duplicate_results_total %lu\n"
	    "# HELP digest_bad_frames_total Frames that failed to decode or were inconsistent.\n"
	    "# TYPE digest_bad_frames_total counter\n"
	    "digest_bad_frames_total %lu\n"
	    "# HELP digest_partials_expired_total Incomplete articles dropped after the TTL.\n"
	    "# TYPE digest_partials_expired_total counter\n"
	    "digest_partials_expired_total %lu\n"
	    "# HELP digest_published_total Digests published on the PUB stream.\n"
	    "# TYPE digest_published_total counter\n"
	    "digest_published_total %lu\n"
	    "# HELP digest_worker_built_total Digests built by a worker (one-chunk articles), "
	    "stored as they came.\n"
	    "# TYPE digest_worker_built_total counter\n"
	    "digest_worker_built_total %lu\n"
	    "# HELP digest_partial_articles Articles being assembled.\n"
	    "# TYPE digest_partial_articles gauge\n"
	    "digest_partial_articles %zu\n"
	    "# HELP digest_pending_acks Acknowledgements waiting to be sent.\n"
	    "# TYPE digest_pending_acks gauge\n"
	    "digest_pending_acks %zu\n"
	    "# HELP digest_stored_digests Digests in the store.\n"
	    "# TYPE digest_stored_digests gauge\n"
	    "digest_stored_digests %lld\n"
	    "# HELP digest_latency_seconds From an article's first chunk sent to its digest "
	    "stored.\n"
	    "# TYPE digest_latency_seconds histogram\n",
	    k->results, k->stored - k->failed, k->failed, k->resent, k->duplicates, k->bad_frames,
	    k->expired, k->published, k->worker_digests, assembler_pending(k->as), k->nacks, count);
	for (int i = 0; i < LAT_NBUCKETS; i++)
		buf_printf(b, "digest_latency_seconds_bucket{le=\"%g\"} %lu\n", lat_bounds[i],
		           k->lat_buckets[i]);
	buf_printf(b,
	           "digest_latency_seconds_bucket{le=\"+Inf\"} %lu\n"
	           "digest_latency_seconds_sum %.6f\n"
	           "digest_latency_seconds_count %lu\n",
	           k->stored, k->lat_sum, k->stored);
	unsigned long bg = 0, in = 0;
	store_checkpoints(k->store, &bg, &in);
	buf_printf(b,
	           "# HELP digest_store_checkpoints_total Copies of the store's write-ahead log "
	           "into the database: by the store's own thread, or inside a commit because "
	           "the log reached its limit.\n"
	           "# TYPE digest_store_checkpoints_total counter\n"
	           "digest_store_checkpoints_total{by=\"thread\"} %lu\n"
	           "digest_store_checkpoints_total{by=\"commit\"} %lu\n",
	           bg, in);
}

static void on_http(struct http_request *req, void *arg)
{
	struct sink *k = arg;
	static const char prefix[] = "/v1/digests/";
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		http_respond(req, 405, "application/json", "{\"error\":\"only GET\"}\n", 19,
		             "Allow: GET, HEAD\r\n");
		return;
	}
	struct buf *b = &k->scratch;
	buf_reset(b);
	if (strcmp(req->path, "/healthz") == 0) {
		long long n = store_count(k->store);
		if (n < 0) {
			json_error(req, 503, "store unreadable");
			return;
		}
		buf_printf(b, "{\"status\":\"ok\",\"digests\":%lld,\"partial_articles\":%zu}\n", n,
		           assembler_pending(k->as));
		http_respond(req, 200, "application/json", b->p, b->len, NULL);
	} else if (strcmp(req->path, "/metrics") == 0) {
		metrics(k, b);
		http_respond(req, 200, "text/plain; version=0.0.4", b->p, b->len, NULL);
	} else if (strcmp(req->path, "/v1/digests") == 0) {
		char v[64];
		long long after = 0, limit = 100;
		if (http_query_get(req->query, "after", v, sizeof v) &&
		    parse_ll(v, 0, (long long)1 << 62, &after)) {
			json_error(req, 400, "after must be a whole number >= 0");
			return;
		}
		if (http_query_get(req->query, "limit", v, sizeof v) &&
		    parse_ll(v, 1, 1000, &limit)) {
			json_error(req, 400, "limit must be a whole number from 1 to 1000");
			return;
		}
		struct page pg = {b, after, 0};
		buf_append_str(b, "{\"digests\":[");
		if (store_page(k->store, after, (int)limit, page_row, &pg) < 0) {
			json_error(req, 503, "store unreadable");
			return;
		}
		buf_printf(b, "],\"next\":%lld}\n", pg.last);
		http_respond(req, 200, "application/json", b->p, b->len, NULL);
	} else if (strncmp(req->path, prefix, sizeof prefix - 1) == 0) {
		const char *id = req->path + sizeof prefix - 1;
		if (!*id || strchr(id, '/')) {
			json_error(req, 400, "give one article id: /v1/digests/{id}");
			return;
		}
		int rc = store_get_json(k->store, id, b);
		if (rc == 1) {
			buf_append_char(b, '\n');
			http_respond(req, 200, "application/json", b->p, b->len, NULL);
		} else if (rc == 0) {
			json_error(req, 404, "no digest for that article id");
		} else {
			json_error(req, 503, "store unreadable");
		}
	} else {
		json_error(req, 404, "no such endpoint (try /v1/digests, /healthz, /metrics)");
	}
}

static void close_walk(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void on_signal(uv_signal_t *h, int sig)
{
	struct sink *k = h->data;
	log_info("signal %d: stopping", sig);
	zwatch_close(&k->wpull);
	zwatch_close(&k->wack);
	curve_zap_stop(k->zap);
	http_server_close(k->http);
	k->http = NULL;
	uv_walk(k->loop, close_walk, NULL);
}

int main(int argc, char **argv)
{
	static struct sink k;
	struct settings *s = &k.set;
	const struct conf_opt opts[] = {
	    {"results-bind", "DIGEST_RESULTS_BIND", CONF_STR, "tcp://*:5558",
	     "endpoint the workers push results to", &s->results, 0, 0, NULL},
	    {"digests-bind", "DIGEST_DIGESTS_BIND", CONF_STR, "tcp://*:5560",
	     "PUB endpoint of the digest stream (topics digest.ok, digest.failed)", &s->digests, 0,
	     0, NULL},
	    {"acks-connect", "DIGEST_ACKS_CONNECT", CONF_STR, "tcp://localhost:5559",
	     "producer's acknowledgement endpoint", &s->acks, 0, 0, NULL},
	    {"store", "DIGEST_STORE", CONF_STR, "digests.db", "SQLite file of stored digests",
	     &s->store, 0, 0, NULL},
	    {"out", "DIGEST_OUT", CONF_STR, "",
	     "also append each new digest to this file (- for stdout)", &s->out, 0, 0, NULL},
	    {"out-format", "DIGEST_OUT_FORMAT", CONF_STR, "json",
	     "form of --out: JSON Lines or a readable view", &s->out_format, 0, 0, "json|text"},
	    {"http", "DIGEST_HTTP", CONF_STR, ":8080",
	     "HOST:PORT of the HTTP query API (/v1/digests, /healthz, /metrics); empty: off",
	     &s->http, 0, 0, NULL},
	    {"idf", "DIGEST_IDF", CONF_STR, "",
	     "background word weights for keywords (default: the installed models/" IDF_MODEL_FILE
	     "; keywords by frequency alone when absent)",
	     &s->idf, 0, 0, NULL},
	    {"key-points", "DIGEST_KEY_POINTS", CONF_INT, "0",
	     "key points per digest (0: chosen by the article's length)", &s->key_points, 0, 100,
	     NULL},
	    {"batch-wait-ms", "DIGEST_BATCH_WAIT_MS", CONF_INT, "2",
	     "when busy, let results gather this long between takes, then store them in one "
	     "transaction (0: take each at once)",
	     &s->batch_wait, 0, 1000, NULL},
	    {"partial-ttl", "DIGEST_PARTIAL_TTL", CONF_INT, "300",
	     "seconds an incomplete article is kept before it is dropped", &s->partial_ttl, 1,
	     86400 * 7, NULL},
	    CONF_OPT_CURVE_SECRET(&s->curve_secret,
	                          "turns on CURVE for the result and digest sockets (server) "
	                          "and the acknowledgements (client)"),
	    CONF_OPT_CURVE_ALLOW(&s->curve_allow),
	    CONF_OPT_CURVE_PRODUCER(&s->curve_producer),
	    CONF_OPT_MAX_MSG(&s->max_msg),
	    CONF_OPTS_LOG(&s->log_level, &s->log_format),
	};
	const struct conf_spec spec = {
	    "sink",
	    "[options]",
	    "Assemble chunk results from the workers into per-article digests, store them,\n"
	    "publish them and acknowledge each article to the producer.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	if (first < argc) {
		fprintf(stderr, "sink: unexpected argument %s (the sink takes no files)\n",
		        argv[first]);
		return 2;
	}
	log_init("sink", (enum log_level)log_level_parse(s->log_level),
	         strcmp(s->log_format, "json") == 0);
	k.out_text = strcmp(s->out_format, "text") == 0;

	if (terms_init(&k.terms)) {
		log_error("cannot create the stemmer: out of memory");
		return 1;
	}
	if (idf_load_setting(s->idf, &k.idf))
		return 1;
	const struct curve_settings cs = {s->curve_secret, s->curve_allow, s->curve_producer, NULL};
	if (curve_conf_load(&k.curve, CURVE_ROLE_SINK, &cs, &k.err)) {
		fprintf(stderr, "sink: %s\n", k.err.p);
		return 2;
	}
	k.as = assembler_new();
	k.store = k.as ? store_open(s->store, &k.err) : NULL;
	if (!k.store) {
		log_error("%s", k.err.p);
		return 1;
	}
	if (*s->out) {
		k.out = strcmp(s->out, "-") == 0 ? stdout : fopen(s->out, "a");
		if (!k.out) {
			log_error("cannot open output %s: %s", s->out, strerror(errno));
			return 1;
		}
	}
	k.ctx = zmq_ctx_new();
	k.loop = uv_default_loop();
	/* The authentication handler must be there before anything is bound. */
	if (k.curve.on && !(k.zap = curve_zap_start(k.ctx, k.loop, k.curve.allow, &k.err))) {
		log_error("%s", k.err.p);
		return 1;
	}
	struct zsock_opts ro = {.type = ZMQ_PULL,
	                        .endpoint = s->results,
	                        .bind = 1,
	                        .sndhwm = 0,
	                        .rcvhwm = 0,
	                        .max_msg = s->max_msg,
	                        .linger_ms = 0};
	struct zsock_opts po = {.type = ZMQ_PUB,
	                        .endpoint = s->digests,
	                        .bind = 1,
	                        .sndhwm = 0,
	                        .rcvhwm = 0,
	                        .max_msg = 0,
	                        .linger_ms = 0};
	struct zsock_opts ao = {.type = ZMQ_PUSH,
	                        .endpoint = s->acks,
	                        .bind = 0,
	                        .sndhwm = 0,
	                        .rcvhwm = 0,
	                        .max_msg = 0,
	                        .linger_ms = 2000};
	curve_zsock_opts(&k.curve, NULL, &ro);
	curve_zsock_opts(&k.curve, NULL, &po);
	curve_zsock_opts(&k.curve, k.curve.producer, &ao);
	k.pull = zsock_open(k.ctx, &ro, &k.err);
	k.pub = k.pull ? zsock_open(k.ctx, &po, &k.err) : NULL;
	k.ack = k.pub ? zsock_open(k.ctx, &ao, &k.err) : NULL;
	if (!k.ack) {
		log_error("%s", k.err.p);
		return 1;
	}

	zwatch_start(&k.wpull, k.loop, k.pull, on_results, &k);
	zwatch_hold(&k.wpull, (unsigned)s->batch_wait);
	zwatch_start(&k.wack, k.loop, k.ack, on_ack_ready, &k);
	uv_signal_init(k.loop, &k.sigterm);
	uv_signal_init(k.loop, &k.sigint);
	k.sigterm.data = k.sigint.data = &k;
	uv_signal_start(&k.sigterm, on_signal, SIGTERM);
	uv_signal_start(&k.sigint, on_signal, SIGINT);
	uv_timer_init(k.loop, &k.expiry);
	k.expiry.data = &k;
	uv_timer_start(&k.expiry, on_expiry, 5000, 5000);
	if (*s->http) {
		char host[256];
		int port;
		if (http_parse_listen(s->http, host, sizeof host, &port)) {
			log_error("--http %s: expected HOST:PORT or :PORT", s->http);
			return 2;
		}
		k.http = http_server_start(k.loop, host, port, 4096, on_http, &k, &k.err);
		if (!k.http) {
			log_error("%s", k.err.p);
			return 1;
		}
	}

	log_info("results on %s, digests on %s, acks to %s, HTTP on %s, store %s (%lld "
	         "digests)%s",
	         s->results, s->digests, s->acks, *s->http ? s->http : "(off)", s->store,
	         store_count(k.store), k.curve.on ? ", CURVE on" : "");
	uv_run(k.loop, UV_RUN_DEFAULT);

	/* Give queued acknowledgements a last chance (the socket lingers). */
	for (struct pending_ack *pa = k.ack_head; pa; pa = pa->next)
		zmq_send(k.ack, pa->data, pa->len, ZMQ_DONTWAIT);
	log_info("stopped: %lu digests stored (%lu failed), %lu resends acknowledged again, %lu "
	         "duplicate results, %lu bad frames, %lu partial articles expired, %zu left "
	         "incomplete",
	         k.stored, k.failed, k.resent, k.duplicates, k.bad_frames, k.expired,
	         assembler_pending(k.as));
	assembler_free(k.as);
	while (k.ack_head) {
		struct pending_ack *pa = k.ack_head;
		k.ack_head = pa->next;
		free(pa);
	}
	zmq_close(k.pull);
	zmq_close(k.pub);
	zmq_close(k.ack);
	curve_zap_free(k.zap);
	curve_conf_free(&k.curve);
	zmq_ctx_term(k.ctx);
	uv_loop_close(k.loop);
	store_close(k.store);
	idf_free(k.idf);
	terms_free(&k.terms);
	if (k.out && k.out != stdout)
		fclose(k.out);
	buf_free(&k.json);
	buf_free(&k.pb);
	buf_free(&k.scratch);
	buf_free(&k.err);
	buf_free(&k.pubq);
	return 0;
}
