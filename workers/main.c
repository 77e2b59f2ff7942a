/*
 * worker: pulls chunks from the producer, runs the NLP core on each and
 * pushes the result to the sink.
 *
 * Stateless and disposable: it only connects, so any number can run, on any
 * machine, and one that dies loses nothing the producer will not resend.
 * A plain blocking loop (zmq_poll with a timeout, so signals are noticed).
 * On SIGTERM or SIGINT it finishes the chunk in hand, sends its result and
 * exits 0.
 *
 * A chunk that is a whole article also gets its digest built here (the
 * article step, lib/work.h), unless --article-step off. While more chunks
 * wait in its queue the worker holds its results (up to RESULT_BATCH) and
 * sends them together, so ZeroMQ's I/O thread wakes once for several.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "conf.h"
#include "curve.h"
#include "idf.h"
#include "log.h"
#include "ner.h"
#include "tagger.h"
#include "wire.h"
#include "work.h"
#include "zsock.h"

/* How long a peer may stay unreachable before the worker says so. */
#define UNREACHABLE_WARN_MS 3000
/* How often a busy worker still reads its peers' connection events. */
#define MONITOR_EVERY_MS 100
/* How long an idle worker waits for a chunk before it reads its peers'
 * events (and notices a signal to stop) again. */
#define MONITOR_WAIT_MS 250
/* Results held while more chunks wait, at most. */
#define RESULT_BATCH 8

static volatile sig_atomic_t stop_requested;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Send the held results, in order; returns how many could not be sent.
 * Blocks while the sink is away (PUSH has no peer): a result is worth
 * waiting for; a signal to stop interrupts it. */
static unsigned long send_results(void *push, struct buf *pend, size_t *npend)
{
	unsigned long lost = 0;
	for (size_t i = 0; i < *npend; i++) {
		while (zmq_send(push, pend[i].p, pend[i].len, 0) < 0) {
			if (errno != EINTR || stop_requested) {
				log_warn("a result was not sent: %s", zmq_strerror(errno));
				lost++;
				break;
			}
		}
	}
	*npend = 0;
	return lost;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct settings {
	const char *chunks, *results, *id, *model, *idf, *article_step, *log_level, *log_format,
	    *curve_secret, *curve_producer, *curve_sink;
	long max_msg, prefetch, key_points;
};

int main(int argc, char **argv)
{
	struct settings s;
	const struct conf_opt opts[] = {
	    {"chunks-connect", "DIGEST_CHUNKS_CONNECT", CONF_STR, "tcp://localhost:5557",
	     "producer's chunk endpoint to pull from", &s.chunks, 0, 0, NULL},
	    {"results-connect", "DIGEST_RESULTS_CONNECT", CONF_STR, "tcp://localhost:5558",
	     "sink's result endpoint to push to", &s.results, 0, 0, NULL},
	    {"id", "DIGEST_WORKER_ID", CONF_STR, "", "name in results and logs (default host:pid)",
	     &s.id, 0, 0, NULL},
	    {"model", "DIGEST_MODEL", CONF_STR, "",
	     "entity model file, or 'rules' for the rule-based extractor (default: the "
	     "installed models/" TAGGER_MODEL_FILE ")",
	     &s.model, 0, 0, NULL},
	    {"article-step", "DIGEST_ARTICLE_STEP", CONF_STR, "on",
	     "build the digest of a one-chunk article here, not in the sink (the same "
	     "result; off: the sink builds every digest)",
	     &s.article_step, 0, 0, "on|off"},
	    {"idf", "DIGEST_IDF", CONF_STR, "",
	     "background word weights for keywords, as the sink's --idf (default: the "
	     "installed models/" IDF_MODEL_FILE ")",
	     &s.idf, 0, 0, NULL},
	    {"key-points", "DIGEST_KEY_POINTS", CONF_INT, "0",
	     "key points per digest, as the sink's --key-points (0: chosen by the article's "
	     "length)",
	     &s.key_points, 0, 100, NULL},
	    {"prefetch", "DIGEST_WORKER_PREFETCH", CONF_INT, "8",
	     "chunks queued for this worker at most (lower: fairer, less lost if it dies)",
	     &s.prefetch, 1, 100000, NULL},
	    CONF_OPT_CURVE_SECRET(&s.curve_secret,
	                          "turns on CURVE towards the producer and the sink"),
	    CONF_OPT_CURVE_PRODUCER(&s.curve_producer),
	    CONF_OPT_CURVE_SINK(&s.curve_sink),
	    CONF_OPT_MAX_MSG(&s.max_msg),
	    CONF_OPTS_LOG(&s.log_level, &s.log_format),
	};
	const struct conf_spec spec = {
	    "worker",
	    "[options]",
	    "Pull article chunks from the producer, extract entities and score sentences,\n"
	    "and push the results to the sink. Start as many as you have cores.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	struct buf err = BUF_INIT;
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	if (first < argc) {
		fprintf(stderr, "worker: unexpected argument %s (the worker takes no files)\n",
		        argv[first]);
		return 2;
	}
	log_init("worker", (enum log_level)log_level_parse(s.log_level),
	         strcmp(s.log_format, "json") == 0);
	struct idf *idf = NULL;
	int article_step = strcmp(s.article_step, "on") == 0;
	if (article_step && idf_load_setting(s.idf, &idf))
		return 1;
	struct curve_conf curve;
	const struct curve_settings cs = {s.curve_secret, NULL, s.curve_producer, s.curve_sink};
	if (curve_conf_load(&curve, CURVE_ROLE_CLIENT, &cs, &err)) {
		fprintf(stderr, "worker: %s\n", err.p);
		buf_free(&err);
		idf_free(idf);
		return 2;
	}

	char name[300];
	if (*s.id) {
		snprintf(name, sizeof name, "%s", s.id);
	} else {
		char host[256] = "localhost";
		gethostname(host, sizeof host - 1);
		snprintf(name, sizeof name, "%s:%ld", host, (long)getpid());
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct ner_extractor *ner = NULL;
	char why[PATH_MAX + 128];
	if (ner_open(s.model, &ner, why, sizeof why)) {
		log_error("%s (set another with --model or DIGEST_MODEL, or --model rules)", why);
		idf_free(idf);
		return 1;
	}
	void *ctx = zmq_ctx_new();
	struct zsock_opts po = {.type = ZMQ_PULL,
	                        .endpoint = s.chunks,
	                        .bind = 0,
	                        .sndhwm = 0,
	                        .rcvhwm = (int)s.prefetch,
	                        /* Bounded like the producer's side, so that
	                         * what waits for this worker is about
	                         * --prefetch chunks plus a few dozen. */
	                        .rcvbuf = ZSOCK_CHUNKS_SOCKBUF,
	                        .max_msg = s.max_msg,
	                        .linger_ms = 0};
	struct zsock_opts ro = {.type = ZMQ_PUSH,
	                        .endpoint = s.results,
	                        .bind = 0,
	                        .sndhwm = 0,
	                        .rcvhwm = 0,
	                        .max_msg = 0,
	                        .linger_ms = 5000};
	curve_zsock_opts(&curve, curve.producer, &po);
	curve_zsock_opts(&curve, curve.sink, &ro);
	/* Report peers that cannot be reached, and their comings and goings
	 * (the monitors are set up before the connects: see zsock.h). */
	void *mon[2] = {NULL, NULL};
	po.monitor = &mon[0];
	po.monitor_name = "chunks";
	ro.monitor = &mon[1];
	ro.monitor_name = "results";
	void *pull = zsock_open(ctx, &po, &err);
	void *push = pull ? zsock_open(ctx, &ro, &err) : NULL;
	if (!pull || !push) {
		log_error("%s", err.p);
		if (pull)
			zmq_close(pull);
		if (mon[0])
			zmq_close(mon[0]);
		zmq_ctx_term(ctx);
		ner_close(ner);
		idf_free(idf);
		buf_free(&err);
		return 1;
	}
	log_info("%s pulling from %s, pushing to %s (model %s%s%s)", name, s.chunks, s.results,
	         ner_name(ner), article_step ? ", one-chunk articles' digests built here" : "",
	         curve.on ? ", CURVE on" : "");

	for (int i = 0; i < 2; i++)
		if (!mon[i])
			log_warn("cannot watch the connection to %s: it is not reported",
			         i ? "the sink" : "the producer");
	const char *peer[2] = {"the producer", "the sink"};
	const char *peer_ep[2] = {s.chunks, s.results};
	int connected[2] = {0, 0}, warned[2] = {0, 0}, ever[2] = {0, 0}, refused[2] = {0, 0};
	uint64_t since[2] = {0, 0}; /* since when the peer has been unreachable */

	struct work w;
	work_init(&w, ner, name);
	if (article_step)
		work_set_article_step(&w, (int)s.key_points, idf);
	struct buf out = BUF_INIT, pend[RESULT_BATCH] = {BUF_INIT};
	size_t npend = 0;
	unsigned long chunks = 0, dropped = 0, failed = 0;
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	uint64_t looked = 0; /* when the peers' events were last read */
	while (!stop_requested) {
		/* While chunks are queued here (the prefetch), take the next one
		 * without asking ZeroMQ for the socket's events first: a receive
		 * from a non-empty queue makes no system call, where each look at
		 * the events made one. The peers' events are still read every
		 * MONITOR_EVERY_MS. */
		if (now_ms() - looked < MONITOR_EVERY_MS &&
		    zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT) >= 0)
			goto got_chunk;
		/* Nothing queued, or time to look at the peers: what is held
		 * goes out before any wait. */
		if (npend)
			failed += send_results(push, pend, &npend);
		/* Peers come and go (the programs start in any order, and
		 * ZeroMQ reconnects by itself), so only a peer unreachable for
		 * UNREACHABLE_WARN_MS is worth a warning. */
		uint64_t now = now_ms();
		looked = now;
		for (int i = 0; i < 2; i++) {
			enum zsock_event ev;
			while (mon[i] && zsock_monitor_read(mon[i], &ev) == 0) {
				if (ev == ZSOCK_EV_CONNECTED) {
					log_info("connected to %s at %s", peer[i], peer_ep[i]);
					connected[i] = ever[i] = 1;
					warned[i] = 0;
					since[i] = 0;
				} else if (ev == ZSOCK_EV_HANDSHAKEN) {
					refused[i] = 0;
				} else if ((ev == ZSOCK_EV_AUTH_FAILED ||
				            ev == ZSOCK_EV_HANDSHAKE_FAILED) &&
				           !refused[i]) {
					/* Said once until a handshake succeeds: the
					 * peer is retried every few hundred ms. */
					log_warn("%s at %s %s; retrying", peer[i], peer_ep[i],
					         ev == ZSOCK_EV_AUTH_FAILED
					             ? "refused this worker's CURVE key (is its "
					               "public key on the allow list?)"
					             : "failed the handshake (do both sides "
					               "agree on CURVE and its keys?)");
					refused[i] = 1;
				} else if (ev == ZSOCK_EV_RETRYING && !since[i]) {
					since[i] = now;
				} else if (ev == ZSOCK_EV_DISCONNECTED && connected[i]) {
					log_info("%s at %s went away; reconnecting", peer[i],
					         peer_ep[i]);
					connected[i] = 0;
					since[i] = now;
				}
			}
			if (!connected[i] && since[i] && !warned[i] &&
			    now - since[i] >= UNREACHABLE_WARN_MS) {
				log_warn("cannot reach %s at %s for %d s%s; still retrying",
				         peer[i], peer_ep[i], UNREACHABLE_WARN_MS / 1000,
				         ever[i] ? "" : " (is it running, is the address right?)");
				warned[i] = 1;
			}
		}
		if (zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT) >= 0)
			goto got_chunk;
		/* Only the chunks wake this wait: the peers' events are read when
		 * it ends, at the latest after MONITOR_WAIT_MS. */
		zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};
		int n = zmq_poll(&item, 1, MONITOR_WAIT_MS);
		if (n <= 0 || !(item.revents & ZMQ_POLLIN))
			continue; /* timeout or EINTR: look at stop_requested */
		if (zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT) < 0)
			continue;
	got_chunk:;
		Nd__Chunk *c = NULL;
		int wrc = wire_decode_chunk(zmq_msg_data(&msg), zmq_msg_size(&msg), &c);
		if (wrc) {
			dropped++;
			log_warn("dropped a %zu-byte frame: %s", zmq_msg_size(&msg),
			         wire_strerror(wrc));
			continue;
		}
		if (work_chunk(&w, c, &out)) {
			log_error("out of memory encoding the result of %s/%u", c->article_id,
			          c->seq);
			wire_free(&c->base);
			failed++;
			continue;
		}
		log_debug("chunk %s/%u: %zu tokens", c->article_id, c->seq, w.tokens);
		wire_free(&c->base);
		chunks++;
		/* While more chunks wait here, results are held (up to
		 * RESULT_BATCH) and sent together: ZeroMQ's I/O thread then wakes
		 * once for the lot, where it woke once per result. */
		struct buf t = pend[npend];
		pend[npend++] = out;
		out = t;
		if (npend == RESULT_BATCH)
			failed += send_results(push, pend, &npend);
	}
	failed += send_results(push, pend, &npend);
	for (size_t i = 0; i < RESULT_BATCH; i++)
		buf_free(&pend[i]);
	zmq_msg_close(&msg);
	log_info("stopping: %lu chunks processed, %lu bad frames dropped, %lu results lost", chunks,
	         dropped, failed);
	work_free(&w);
	idf_free(idf);
	for (int i = 0; i < 2; i++)
		if (mon[i])
			zmq_close(mon[i]);
	buf_free(&out);
	buf_free(&err);
	zmq_close(pull);
	zmq_close(push);
	zmq_ctx_term(ctx);
	ner_close(ner);
	curve_conf_free(&curve);
	return 0;
}
