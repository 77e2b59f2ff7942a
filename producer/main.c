/*
 * producer: reads articles, splits them into sentence-aligned chunks and
 * streams the chunks to the workers; keeps every article until the sink
 * acknowledges it.
 *
 * Two threads. The reader thread does the blocking work: walking files and
 * folders, reading stdin, parsing JSON Lines, normalising text and chunking;
 * it hands finished articles over through a small bounded queue and blocks
 * when the queue is full. The loop thread owns everything else on one libuv
 * loop: the PUSH socket of chunks, the PULL socket of acknowledgements, the
 * in-flight table, timers and signals. It takes an article from the queue
 * only while fewer than --window articles are in flight, so a slow pipeline
 * stops the reading instead of filling memory.
 *
 * An article leaves the in-flight table only on its acknowledgement (ok or
 * failed), or after --max-attempts sends without one. An attempt's deadline
 * starts when its last chunk has been handed to ZeroMQ; at the deadline the
 * whole article is sent again with attempt + 1, the deadline doubling each
 * time. The sink stores each article once, so resends are harmless.
 *
 * In batch mode (files or stdin given) the producer exits once every article
 * is acknowledged: 0 if all digests are ok, 1 if any failed (each failure is
 * listed with its reason), 2 for bad usage.
 *
 * SIGTERM or SIGINT drains: no more input is taken, and the loop runs on
 * until nothing is in flight or --drain-timeout is over; what is left stays
 * in the journal, the inbox or the input files for the next start.
 *
 * With --curve-secret-key both sockets are CURVE servers; the ZAP handler
 * (curve.h) admits the keys of --curve-allow. The monitor of the chunk
 * socket tells connections that failed their handshake (refused keys) from
 * workers that went away, so that only the latter shorten deadlines.
 *
 * Wake-ups are what a busy producer spends most on, so they are rationed:
 * the ack socket is held for --batch-wait-ms after each wake-up (acks are
 * taken, and the window refilled, in batches); the reader wakes the loop
 * only when the loop waits for input, and is woken itself when its queue is
 * half empty. An article that fits in one chunk is sent without being
 * segmented.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "article.h"
#include "chunk.h"
#include "conf.h"
#include "curve.h"
#include "hmap.h"
#include "http.h"
#include "journal.h"
#include "log.h"
#include "wire.h"
#include "zsock.h"

#define QUEUE_CAP 32
/* Chunks queued for one worker on this side, at most (the kernel's buffer
 * is ZSOCK_CHUNKS_SOCKBUF). */
#define CHUNKS_SNDHWM 16
#define MAX_FAILURES_LISTED 50

struct settings {
	const char *chunks, *acks, *source, *progress, *inbox, *journal, *http, *log_level,
	    *log_format, *curve_secret, *curve_allow;
	long chunk_bytes, window, max_article, ack_timeout, max_attempts, max_msg, dead_grace,
	    http_max_body, max_chunks, drain_timeout, batch_wait;
};

/* A file taken from the inbox. It moves to done/ (or failed/, if any of its
 * articles failed) once every article read from it is settled; until then
 * it stays in the inbox, so a restarted producer reads it again. pending
 * counts unsettled articles, plus one while the file is still being read.
 * Guarded by producer.mu (the reader and the loop both settle). */
struct inbox_file {
	char *name;
	unsigned pending;
	int failed;
};

/* An article in flight. */
struct flight {
	struct article *a;
	struct inbox_file *file; /* NULL unless it came from the inbox */
	struct chunk_list chunks;
	uint32_t attempt;  /* sends so far (on the wire as Chunk.attempt) */
	uint32_t expired;  /* full deadlines that ran out: what --max-attempts bounds */
	int cut;           /* the deadline was cut short by a worker's disconnection */
	int notice;        /* the failure notice has been sent */
	uint32_t unsent;   /* chunks of this attempt still in the send queue */
	int done;          /* acknowledged or given up; freed when unsent == 0 */
	uint64_t deadline; /* loop ms; 0 while chunks are unsent */
	struct flight *prev, *next;
};

struct send_item {
	struct flight *f;
	uint32_t seq;
};

struct producer {
	struct settings set;
	uv_loop_t *loop;
	void *ctx, *push, *pull, *mon;
	struct zwatch wpush, wpull, wmon;
	struct curve_conf curve;
	struct curve_zap *zap;
	/* Connections whose handshake failed and whose disconnection is still
	 * to come: those never held chunks (see on_monitor). */
	unsigned long failed_handshakes;
	uv_async_t wake;
	uv_timer_t tick;
	uv_signal_t sigterm, sigint;
	uv_timer_t drain; /* bounds the wait for acknowledgements after a signal */
	int draining;     /* a signal came: no new input, waiting for acks */
	unsigned long ok_at_signal, failed_at_signal;
	int progress;

	/* Reader -> loop queue. */
	pthread_mutex_t mu;
	pthread_cond_t not_full;
	struct flight *q[QUEUE_CAP];
	size_t qhead, qn;
	int reader_done, stopping;
	/* The loop last found the queue empty with room in the window, so the
	 * reader's next article must wake it. Otherwise the loop takes more
	 * when acknowledgements make room, and a wake-up per article read
	 * (the loop finding the window full) would be wasted. */
	int loop_waits;
	char **inputs;
	int ninputs;
	struct hmap inbox_taken;  /* names of inbox files being processed */
	struct journal *journal;  /* NULL without --journal; used under mu */
	struct http_server *http; /* ingest, or NULL */
	struct seg_doc http_seg;  /* the loop's chunking scratch, for ingest */
	unsigned long http_requests;

	/* Loop state. */
	struct hmap inflight;
	struct flight *list; /* all in flight, for the deadline sweep */
	size_t ninflight;
	struct send_item *sendq;
	size_t sq_head, sq_n, sq_cap;
	struct buf frame, text, err;
	unsigned long read, ok, failed, resends, duplicates, acks_unknown, bad_frames;
	struct buf failures;
	size_t nfailures_listed;
	uint64_t started_ms;
	uint64_t rng;
	int exit_code;
};

static void flight_free(struct flight *f)
{
	if (!f)
		return;
	article_free(f->a);
	chunk_list_free(&f->chunks);
	free(f);
}

/* ---- reader thread ---------------------------------------------------- */

struct reader {
	struct producer *p;
	struct seg_doc seg;
	struct buf data;
	struct inbox_file *cur; /* the inbox file being read, or NULL */
	int replaying;          /* emitting the journal's pending articles */
};

/* Record that an article left the books. */
static void journal_settle(struct producer *p, const char *id)
{
	if (!p->journal)
		return;
	pthread_mutex_lock(&p->mu);
	if (journal_done(p->journal, id))
		log_error("cannot write to the journal: %s", strerror(errno));
	pthread_mutex_unlock(&p->mu);
}

/* Settle one article (or the reading hold) of an inbox file; the last one
 * moves the file out of the inbox. Call with producer.mu held. */
static void inbox_settle_locked(struct producer *p, struct inbox_file *f, int failed)
{
	if (failed)
		f->failed = 1;
	if (--f->pending)
		return;
	char from[4096], to[4200];
	snprintf(from, sizeof from, "%s/%s", p->set.inbox, f->name);
	snprintf(to, sizeof to, "%s/%s/%s", p->set.inbox, f->failed ? "failed" : "done", f->name);
	if (rename(from, to) != 0)
		log_error("cannot move %s to %s: %s", from, to, strerror(errno));
	else
		log_info("%s: all articles settled, moved to %s/", f->name,
		         f->failed ? "failed" : "done");
	hmap_del(&p->inbox_taken, f->name);
	free(f->name);
	free(f);
}

static void inbox_settle(struct producer *p, struct inbox_file *f, int failed)
{
	if (!f)
		return;
	pthread_mutex_lock(&p->mu);
	inbox_settle_locked(p, f, failed);
	pthread_mutex_unlock(&p->mu);
}

/* Hand one article to the loop; blocks while the queue is full. Returns -1
 * when the producer is stopping. */
/* An article that would need more than --max-chunks chunks is sent as a
 * rejected one instead, so it ends as a failed digest naming the limit. */
static void enforce_chunk_limit(struct producer *p, struct flight *f)
{
	if (f->chunks.n <= (size_t)p->set.max_chunks)
		return;
	char why[200];
	snprintf(why, sizeof why, "article needs %zu chunks, over --max-chunks %ld", f->chunks.n,
	         p->set.max_chunks);
	struct article *rej = article_rejected(f->a->id, NULL, 0, f->a->source, f->a->origin, why);
	if (!rej)
		return;
	char *title = strdup(f->a->title); /* keep the title: it helps whoever reads the failure */
	if (title) {
		free(rej->title);
		rej->title = title;
	}
	log_warn("%s: %s (it will get a failed digest)", f->a->origin, why);
	article_free(f->a);
	f->a = rej;
	f->chunks.n = 1;
	f->chunks.v[0] = (struct chunk_span){0, 0};
}

static int reader_emit(struct reader *r, struct article *a)
{
	struct producer *p = r->p;
	if (!a) {
		log_error("out of memory reading input");
		return -1;
	}
	struct flight *f = calloc(1, sizeof *f);
	if (!f ||
	    chunk_split(a->text.p, a->text.len, (size_t)p->set.chunk_bytes, &r->seg, &f->chunks)) {
		log_error("out of memory chunking %s", a->origin);
		article_free(a);
		flight_free(f);
		return -1;
	}
	f->a = a;
	f->file = r->cur;
	if (a->invalid_utf8)
		log_warn("%s: %zu invalid UTF-8 sequences replaced by U+FFFD", a->origin,
		         a->invalid_utf8);
	enforce_chunk_limit(p, f); /* may replace f->a: do not use a after this */
	a = f->a;
	pthread_mutex_lock(&p->mu);
	while (p->qn == QUEUE_CAP && !p->stopping)
		pthread_cond_wait(&p->not_full, &p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		flight_free(f);
		return -1;
	}
	/* Journaled before the loop can send it, so that nothing the
	 * sink might acknowledge is missing from the journal. */
	if (p->journal && !r->replaying && journal_add(p->journal, a))
		log_error("cannot write %s to the journal: %s", a->origin, strerror(errno));
	p->q[(p->qhead + p->qn++) % QUEUE_CAP] = f;
	if (f->file)
		f->file->pending++;
	int wake = p->loop_waits;
	p->loop_waits = 0;
	pthread_mutex_unlock(&p->mu);
	if (wake)
		uv_async_send(&p->wake);
	return 0;
}

/* JSON Lines come through a buffer of our own, read(2) by read(2): a
 * line is found with memchr and copied in one piece, where a getc per byte
 * was a tenth of the producer's CPU. read(2) returns what a pipe holds, so
 * a line written to stdin is taken at once. */
#define LINES_BUF 65536

struct lines {
	int fd;
	char *buf;
	size_t pos, len;
	int eof, err; /* err: the errno of a failed read */
};

/* Read one line of at most `limit` bytes into out. Returns 1 for a line, 0
 * at end of input (or a read error, in L->err); *too_long is set (and the
 * rest of the line skipped, its first `limit` bytes kept) when the line is
 * longer than limit. */
static int read_line(struct lines *L, struct buf *out, size_t limit, int *too_long)
{
	buf_reset(out);
	*too_long = 0;
	int any = 0;
	for (;;) {
		if (L->pos == L->len) {
			if (L->eof)
				break;
			ssize_t got = read(L->fd, L->buf, LINES_BUF);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				L->eof = 1;
				L->err = got < 0 ? errno : 0;
				break;
			}
			L->pos = 0;
			L->len = (size_t)got;
		}
		any = 1;
		const char *start = L->buf + L->pos;
		size_t avail = L->len - L->pos;
		const char *nl = memchr(start, '\n', avail);
		size_t take = nl ? (size_t)(nl - start) : avail;
		L->pos += take + (nl != NULL);
		if (!*too_long) {
			size_t room = limit - out->len;
			if (take > room) {
				*too_long = 1;
				take = room;
			}
			if (buf_append(out, start, take))
				*too_long = 1; /* out of memory: rejected like a line too long */
		}
		if (nl)
			break;
	}
	if (out->p)
		out->p[out->len] = 0;
	return any;
}

static int read_jsonl(struct reader *r, int fd, const char *name)
{
	struct producer *p = r->p;
	struct lines L = {fd, malloc(LINES_BUF), 0, 0, 0, 0};
	if (!L.buf) {
		log_error("%s: out of memory", name);
		return -1;
	}
	char origin[4200];
	size_t lineno = 0;
	int too_long;
	/* A JSON line may escape its text, so allow some room over the limit. */
	size_t limit = (size_t)p->set.max_article * 2 + 65536;
	int rc = 0;
	while (read_line(&L, &r->data, limit, &too_long)) {
		lineno++;
		snprintf(origin, sizeof origin, "%s:%zu", name, lineno);
		size_t n = r->data.len;
		while (n && (r->data.p[n - 1] == '\r' || r->data.p[n - 1] == ' '))
			n--;
		if (n == 0 && !too_long)
			continue; /* blank lines are allowed */
		struct article *a;
		if (too_long) {
			char why[160];
			snprintf(why, sizeof why, "line longer than %zu bytes", limit);
			a = article_rejected(NULL, r->data.p, n,
			                     p->set.source ? p->set.source : name, origin, why);
		} else {
			a = article_from_json(r->data.p, n, p->set.source ? p->set.source : name,
			                      origin);
			if (a && !a->error && a->text.len > (size_t)p->set.max_article) {
				char why[160];
				snprintf(why, sizeof why,
				         "article is %zu bytes, over --max-article-bytes %ld",
				         a->text.len, p->set.max_article);
				struct article *rej =
				    article_rejected(a->id, NULL, 0, a->source, origin, why);
				article_free(a);
				a = rej;
			}
		}
		if (a && a->error)
			log_warn("%s: %s (it will get a failed digest)", origin, a->error);
		if (reader_emit(r, a)) {
			rc = -1;
			break;
		}
	}
	if (L.err)
		log_error("%s: read error: %s", name, strerror(L.err));
	free(L.buf);
	return rc;
}

static int read_text_file(struct reader *r, const char *path)
{
	struct producer *p = r->p;
	const char *source = p->set.source ? p->set.source : path;
	FILE *in = fopen(path, "rb");
	if (!in) {
		return reader_emit(
		    r, article_rejected(NULL, path, strlen(path), source, path, strerror(errno)));
	}
	struct stat st;
	char why[200];
	struct article *a = NULL;
	if (fstat(fileno(in), &st) == 0 && st.st_size > p->set.max_article + 4096) {
		snprintf(why, sizeof why, "file is %lld bytes, over --max-article-bytes %ld",
		         (long long)st.st_size, p->set.max_article);
		a = article_rejected(NULL, path, strlen(path), source, path, why);
	} else {
		buf_reset(&r->data);
		char tmp[65536];
		size_t n;
		while ((n = fread(tmp, 1, sizeof tmp, in)) > 0)
			buf_append(&r->data, tmp, n);
		if (ferror(in)) {
			snprintf(why, sizeof why, "read error: %s", strerror(errno));
			a = article_rejected(NULL, path, strlen(path), source, path, why);
		} else if (memchr(r->data.p ? r->data.p : "", 0, r->data.len)) {
			a = article_rejected(NULL, r->data.p, r->data.len, source, path,
			                     "binary data (NUL bytes), not text");
		} else {
			a = article_from_text(r->data.p ? r->data.p : "", r->data.len, source,
			                      path);
			if (a && a->text.len > (size_t)p->set.max_article) {
				snprintf(why, sizeof why,
				         "article is %zu bytes, over --max-article-bytes %ld",
				         a->text.len, p->set.max_article);
				struct article *rej =
				    article_rejected(a->id, NULL, 0, source, path, why);
				article_free(a);
				a = rej;
			}
		}
	}
	fclose(in);
	if (a && a->error)
		log_warn("%s: %s (it will get a failed digest)", path, a->error);
	return reader_emit(r, a);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int read_path(struct reader *r, const char *path);

static int read_dir(struct reader *r, const char *path)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort), rc = 0;
	if (n < 0) {
		log_error("cannot list %s: %s", path, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (rc == 0 && name[0] != '.') {
			char child[4096];
			struct stat st;
			snprintf(child, sizeof child, "%s/%s", path, name);
			/* In folders only article files count; a README or an
			 * image beside them is not an article. */
			if (stat(child, &st) == 0 &&
			    (S_ISDIR(st.st_mode) || has_suffix(name, ".txt") ||
			     has_suffix(name, ".jsonl")))
				rc = read_path(r, child);
			else
				log_debug("%s: skipped (not .txt or .jsonl)", child);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int read_path(struct reader *r, const char *path)
{
	if (strcmp(path, "-") == 0)
		return read_jsonl(r, STDIN_FILENO, "stdin");
	struct stat st;
	if (stat(path, &st) != 0) {
		log_error("cannot read %s: %s", path, strerror(errno));
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return read_dir(r, path);
	if (has_suffix(path, ".jsonl")) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_error("cannot open %s: %s", path, strerror(errno));
			return 0;
		}
		int rc = read_jsonl(r, fd, path);
		close(fd);
		return rc;
	}
	return read_text_file(r, path);
}

static int is_stopping(struct producer *p)
{
	pthread_mutex_lock(&p->mu);
	int stop = p->stopping;
	pthread_mutex_unlock(&p->mu);
	return stop;
}

/* Take every article file in the inbox not already being processed. Writers
 * should create files under a name starting with '.' (ignored) and rename
 * them when complete, so a half-written file is never read. */
static int inbox_scan(struct reader *r)
{
	struct producer *p = r->p;
	struct dirent **names;
	int n = scandir(p->set.inbox, &names, NULL, alphasort), rc = 0;
	if (n < 0) {
		log_error("cannot list the inbox %s: %s", p->set.inbox, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", p->set.inbox, name);
		int wanted = rc == 0 && name[0] != '.' && stat(path, &st) == 0 &&
		             S_ISREG(st.st_mode) &&
		             (has_suffix(name, ".txt") || has_suffix(name, ".jsonl"));
		pthread_mutex_lock(&p->mu);
		wanted = wanted && !hmap_get(&p->inbox_taken, name);
		struct inbox_file *f = wanted ? calloc(1, sizeof *f) : NULL;
		if (f && (f->name = strdup(name)) && !hmap_put(&p->inbox_taken, f->name, f)) {
			f->pending = 1; /* the reading hold */
		} else if (f) {
			free(f->name);
			free(f);
			f = NULL;
		}
		pthread_mutex_unlock(&p->mu);
		if (f) {
			r->cur = f;
			rc = read_path(r, path);
			r->cur = NULL;
			inbox_settle(p, f, 0);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static void *reader_main(void *arg)
{
	struct producer *p = arg;
	struct reader r = {p, {0}, BUF_INIT, NULL, 0};
	seg_doc_init(&r.seg);
	if (p->journal) {
		/* First what an earlier run took in and never saw settled. */
		struct article **pending = NULL;
		int n = journal_take_pending(p->journal, &pending), i = 0;
		if (n > 0)
			log_info("journal: resending %d articles not acknowledged before", n);
		r.replaying = 1;
		for (; i < n; i++)
			if (reader_emit(&r, pending[i]))
				break;
		for (i++; i < n; i++)
			article_free(pending[i]);
		r.replaying = 0;
		free(pending);
	}
	for (int i = 0; i < p->ninputs; i++)
		if (read_path(&r, p->inputs[i]))
			break;
	/* The inbox is watched until the producer is stopped. */
	while (p->set.inbox && !is_stopping(p)) {
		if (inbox_scan(&r))
			break;
		struct timespec ts = {0, 250 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	seg_doc_free(&r.seg);
	buf_free(&r.data);
	pthread_mutex_lock(&p->mu);
	p->reader_done = 1;
	pthread_mutex_unlock(&p->mu);
	uv_async_send(&p->wake);
	return NULL;
}

/* ---- loop thread ------------------------------------------------------ */

static int sendq_push(struct producer *p, struct flight *f, uint32_t seq)
{
	if (p->sq_n == p->sq_cap) {
		size_t cap = p->sq_cap ? p->sq_cap * 2 : 256;
		struct send_item *v = malloc(cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < p->sq_n; i++)
			v[i] = p->sendq[(p->sq_head + i) % p->sq_cap];
		free(p->sendq);
		p->sendq = v;
		p->sq_cap = cap;
		p->sq_head = 0;
	}
	p->sendq[(p->sq_head + p->sq_n++) % p->sq_cap] = (struct send_item){f, seq};
	return 0;
}

/* Queue every chunk of f's current attempt. */
static void flight_send(struct producer *p, struct flight *f)
{
	f->deadline = 0;
	for (uint32_t i = 0; i < f->chunks.n; i++)
		if (sendq_push(p, f, i) == 0)
			f->unsent++;
	zwatch_kick(&p->wpush);
}

static void flight_unlink(struct producer *p, struct flight *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		p->list = f->next;
	if (f->next)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
	hmap_del(&p->inflight, f->a->id);
	p->ninflight--;
	f->done = 1;
	if (f->unsent == 0)
		flight_free(f);
}

static void record_failure(struct producer *p, const struct flight *f, const char *why)
{
	p->failed++;
	if (p->nfailures_listed++ < MAX_FAILURES_LISTED)
		buf_printf(&p->failures, "  article %s (%s): %s\n", f->a->id, f->a->origin, why);
}

static void maybe_finish(struct producer *p);

/* Put one article in flight (or fold it into an identical one already in
 * flight). Call with mu held. */
static void admit_one_locked(struct producer *p, struct flight *f)
{
	p->read++;
	if (hmap_get(&p->inflight, f->a->id)) {
		/* The same content twice: one digest covers both. */
		p->duplicates++;
		log_info("%s: same article as one in flight (%s), not sent twice", f->a->origin,
		         f->a->id);
		p->ok++; /* the first one's digest serves both */
		inbox_settle_locked(p, f->file, 0);
		flight_free(f);
		return;
	}
	if (hmap_put(&p->inflight, f->a->id, f)) {
		log_error("out of memory admitting %s", f->a->origin);
		flight_free(f);
		return;
	}
	f->attempt = 1;
	f->next = p->list;
	if (p->list)
		p->list->prev = f;
	p->list = f;
	p->ninflight++;
	flight_send(p, f);
}

/* Move articles from the reader's queue into flight while the window has room. */
static void admit(struct producer *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->qn && !p->stopping && p->ninflight < (size_t)p->set.window) {
		struct flight *f = p->q[p->qhead];
		p->qhead = (p->qhead + 1) % QUEUE_CAP;
		p->qn--;
		/* The reader is woken when the queue is half empty, not at
		 * each article taken: it then reads a run of them in one go. */
		if (p->qn <= QUEUE_CAP / 2)
			pthread_cond_signal(&p->not_full);
		admit_one_locked(p, f);
	}
	p->loop_waits = p->qn == 0;
	pthread_mutex_unlock(&p->mu);
	maybe_finish(p);
}

static void on_wake(uv_async_t *h)
{
	admit(h->data);
}

/* A pseudo-random number in [0, max] (xorshift; quality is not the point). */
static uint64_t jitter(struct producer *p, uint64_t max)
{
	uint64_t x = p->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p->rng = x;
	return max ? x % (max + 1) : 0;
}

static int send_chunk(struct producer *p, struct flight *f, uint32_t seq)
{
	const struct chunk_span *sp = &f->chunks.v[seq];
	const char *text = f->a->text.p ? f->a->text.p + sp->start : NULL;
	if (sp->start + sp->len != f->a->text.len) {
		/* Not the last chunk: a NUL-terminated copy for the encoder. The
		 * last one (the whole text of a one-chunk article) ends where the
		 * article's text does, so it is encoded in place. */
		buf_reset(&p->text);
		if (buf_append(&p->text, text, sp->len))
			return -ENOMEM;
		text = p->text.p;
	}
	Nd__Chunk c = ND__CHUNK__INIT;
	c.schema = WIRE_SCHEMA;
	c.article_id = f->a->id;
	c.seq = seq;
	c.total = (uint32_t)f->chunks.n;
	c.attempt = f->attempt;
	c.source = f->a->source;
	c.title = f->a->title;
	c.text = (char *)(text ? text : "");
	c.offset = sp->start;
	c.sent_at_us = wire_now_us();
	c.error = f->a->error ? f->a->error : "";
	if (wire_encode(&c.base, &p->frame))
		return -ENOMEM;
	return zmq_send(p->push, p->frame.p, p->frame.len, ZMQ_DONTWAIT) < 0 ? -errno : 0;
}

static void on_push_ready(struct zwatch *w)
{
	struct producer *p = w->data;
	/* One look at the socket's events (a system call) per wake-up, not
	 * per chunk, so that nothing is encoded for a socket without room;
	 * then chunks go until ZeroMQ says EAGAIN. */
	if (!p->sq_n || !(zsock_events(p->push) & ZMQ_POLLOUT))
		return;
	while (p->sq_n) {
		struct send_item it = p->sendq[p->sq_head];
		if (!it.f->done && send_chunk(p, it.f, it.seq) < 0)
			break; /* EAGAIN: wait for the next edge */
		p->sq_head = (p->sq_head + 1) % p->sq_cap;
		p->sq_n--;
		if (--it.f->unsent == 0) {
			if (it.f->done) {
				flight_free(it.f);
			} else {
				/* The deadline doubles with each full deadline that ran out, plus
				 * up to a quarter at random, so that articles that timed out
				 * together are not resent together. */
				uint64_t t = (uint64_t)p->set.ack_timeout
				             << (it.f->expired < 6 ? it.f->expired : 6);
				it.f->deadline = uv_now(p->loop) + t + jitter(p, t / 4);
			}
		}
	}
}

static void handle_ack(struct producer *p, const void *data, size_t n)
{
	Nd__Ack *a = NULL;
	int rc = wire_decode_ack(data, n, &a);
	if (rc) {
		p->bad_frames++;
		log_warn("dropped a %zu-byte acknowledgement frame: %s", n, wire_strerror(rc));
		return;
	}
	struct flight *f = hmap_get(&p->inflight, a->article_id);
	if (!f) {
		p->acks_unknown++; /* a second ack for a resent article */
	} else {
		int ok = a->status == ND__STATUS__STATUS_OK;
		if (ok)
			p->ok++;
		else
			record_failure(p, f, *a->error ? a->error : "failed digest");
		inbox_settle(p, f->file, !ok);
		journal_settle(p, f->a->id);
		flight_unlink(p, f);
	}
	wire_free(&a->base);
}

static void on_acks(struct zwatch *w)
{
	struct producer *p = w->data;
	zmq_msg_t msg;
	zmq_msg_init(&msg);
	int got = 0;
	/* Received until EAGAIN: no system call while acks are queued. */
	for (;;) {
		if (zmq_msg_recv(&msg, p->pull, ZMQ_DONTWAIT) < 0)
			break;
		handle_ack(p, zmq_msg_data(&msg), zmq_msg_size(&msg));
		got = 1;
	}
	zmq_msg_close(&msg);
	if (got)
		admit(p);
}

/* A worker went away. What was queued for it inside ZeroMQ is lost, and we
 * cannot tell which articles those were, so every article fully sent and
 * not yet acknowledged gets a short deadline instead of the full one: the
 * ones the dead worker held are resent within the grace, and the others are
 * usually acknowledged before it runs out (a duplicate is harmless). */
static void on_monitor(struct zwatch *w)
{
	struct producer *p = w->data;
	enum zsock_event ev;
	while (zsock_monitor_read(p->mon, &ev) == 0) {
		/* A client refused at the handshake (a wrong CURVE key, a
		 * stranger) disconnects too, but never took part: only the
		 * disconnection of a worker past its handshake counts. */
		if (ev == ZSOCK_EV_AUTH_FAILED || ev == ZSOCK_EV_HANDSHAKE_FAILED)
			p->failed_handshakes++;
		if (ev != ZSOCK_EV_DISCONNECTED)
			continue;
		if (p->failed_handshakes) {
			p->failed_handshakes--;
			continue;
		}
		uint64_t soon = uv_now(p->loop) + (uint64_t)p->set.dead_grace;
		size_t n = 0;
		for (struct flight *f = p->list; f; f = f->next)
			if (f->deadline && f->deadline > soon) {
				f->deadline = soon;
				f->cut = 1;
				n++;
			}
		log_info("a worker disconnected: %zu unacknowledged articles get %ld ms before "
		         "they are resent",
		         n, p->set.dead_grace);
	}
}

static void print_progress(struct producer *p, int final)
{
	if (!p->progress)
		return;
	fprintf(stderr, "\r\033[Kproducer: %lu/%lu%s articles done, %lu failed, %zu in flight%s",
	        p->ok + p->failed, p->read, p->reader_done ? "" : "+", p->failed, p->ninflight,
	        final ? "\n" : "");
}

static void stop_loop(struct producer *p);

static void on_tick(uv_timer_t *t)
{
	struct producer *p = t->data;
	uint64_t now = uv_now(p->loop);
	for (struct flight *f = p->list, *next; f; f = next) {
		next = f->next;
		if (!f->deadline || now < f->deadline)
			continue;
		/* Only full deadlines count against --max-attempts: a resend
		 * because a worker disconnected says nothing about the
		 * article, and frequent worker deaths must not fail it. */
		if (!f->cut)
			f->expired++;
		f->cut = 0;
		uint32_t max = (uint32_t)p->set.max_attempts;
		if (f->expired >= max && !f->a->error && !f->notice) {
			/* Out of attempts: send one last, tiny notice carrying the
			 * reason, so that the sink stores a failed digest saying why
			 * rather than the article vanishing. */
			char why[160];
			snprintf(why, sizeof why, "no acknowledgement after %u attempts",
			         f->attempt);
			log_warn("article %s (%s): %s; sending a failure notice", f->a->id,
			         f->a->origin, why);
			f->a->error = strdup(why);
			if (f->a->error) {
				f->notice = 1;
				f->chunks.n = 1;
				f->chunks.v[0] = (struct chunk_span){0, 0};
				f->attempt++;
				flight_send(p, f);
				continue;
			}
		}
		if (f->expired >= max + (uint32_t)f->notice) {
			/* Even the notice (or a rejected article) went unanswered:
			 * the sink is unreachable. Report it here. */
			const char *why = f->a->error ? f->a->error : "no acknowledgement";
			log_warn("article %s (%s): %s; giving up", f->a->id, f->a->origin, why);
			record_failure(p, f, why);
			inbox_settle(p, f->file, 1);
			journal_settle(p, f->a->id);
			flight_unlink(p, f);
			continue;
		}
		f->attempt++;
		p->resends++;
		log_info("article %s (%s) not acknowledged in time: sending attempt %u", f->a->id,
		         f->a->origin, f->attempt);
		flight_send(p, f);
	}
	/* A safety net for the edge-triggered ZMQ_FD. */
	zwatch_kick(&p->wpush);
	zwatch_kick(&p->wpull);
	print_progress(p, 0);
	admit(p);
}

/* ---- HTTP ingest ----------------------------------------------------------- */

static void ingest_error(struct http_request *req, int status, const char *msg, const char *extra)
{
	struct buf b = BUF_INIT;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", msg);
	char *js = cJSON_PrintUnformatted(o);
	buf_printf(&b, "%s\n", js ? js : "{}");
	http_respond(req, status, "application/json", b.p, b.len, extra);
	free(js);
	cJSON_Delete(o);
	buf_free(&b);
}

/* POST /v1/articles: one JSON object, or JSON Lines. All or nothing: a bad
 * line refuses the whole request (400, naming the line), so a client never
 * has to work out which of its articles were taken. */
static void on_http(struct http_request *req, void *arg)
{
	struct producer *p = arg;
	char msg[512];
	p->http_requests++;
	if (strcmp(req->path, "/healthz") == 0) {
		snprintf(msg, sizeof msg, "{\"status\":\"ok\",\"in_flight\":%zu}\n", p->ninflight);
		http_respond(req, 200, "application/json", msg, strlen(msg), NULL);
		return;
	}
	if (strcmp(req->path, "/v1/articles") != 0) {
		ingest_error(req, 404, "no such endpoint (POST /v1/articles)", NULL);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		ingest_error(req, 405, "use POST", "Allow: POST\r\n");
		return;
	}
	if (!strstr(req->content_type, "json")) {
		ingest_error(
		    req, 415,
		    "send application/json (one article) or application/x-ndjson (JSON Lines)",
		    NULL);
		return;
	}
	/* One object (possibly pretty-printed), else JSON Lines. */
	struct article **arts = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	const char *body = req->body, *end = req->body + req->body_len;
	const char *parsed_end = NULL;
	cJSON *whole = cJSON_ParseWithLengthOpts(body, req->body_len, &parsed_end, 0);
	int single = cJSON_IsObject(whole);
	/* Only if nothing but white space follows the first value. */
	for (const char *q = parsed_end; single && q && q < end; q++)
		if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t')
			single = 0;
	cJSON_Delete(whole);
	int bad = 0;
	for (const char *line = body; line < end && !bad;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = single ? (size_t)(end - line)
		             : nl   ? (size_t)(nl - line)
		                    : (size_t)(end - line);
		const char *next = single ? end : line + len + 1;
		lineno++;
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len) {
			char origin[64];
			snprintf(origin, sizeof origin, "http:%lu:%zu", p->http_requests, lineno);
			struct article *a = article_from_json(
			    line, len, p->set.source ? p->set.source : "http", origin);
			if (!a || a->error || a->text.len > (size_t)p->set.max_article) {
				snprintf(msg, sizeof msg, "line %zu: %s", lineno,
				         !a         ? "out of memory"
				         : a->error ? a->error
				                    : "article over --max-article-bytes");
				article_free(a);
				bad = 1;
			} else if (n == cap) {
				cap = cap ? cap * 2 : 16;
				struct article **v = realloc(arts, cap * sizeof *v);
				if (!v) {
					article_free(a);
					snprintf(msg, sizeof msg, "out of memory");
					bad = 1;
				} else {
					arts = v;
					arts[n++] = a;
				}
			} else {
				arts[n++] = a;
			}
		}
		line = next;
	}
	if (!bad && n == 0) {
		snprintf(msg, sizeof msg, "no article in the body");
		bad = 1;
	}
	pthread_mutex_lock(&p->mu);
	int full = !bad && p->ninflight + p->qn + n > (size_t)p->set.window;
	pthread_mutex_unlock(&p->mu);
	if (bad || full) {
		for (size_t i = 0; i < n; i++)
			article_free(arts[i]);
		free(arts);
		if (full)
			ingest_error(req, 429, "the in-flight window is full; retry shortly",
			             "Retry-After: 1\r\n");
		else
			ingest_error(req, 400, msg, NULL);
		return;
	}
	struct buf out = BUF_INIT;
	buf_append_str(&out, "{\"ids\":[");
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < n; i++) {
		struct flight *f = calloc(1, sizeof *f);
		buf_printf(&out, "%s\"%s\"", i ? "," : "", arts[i]->id);
		if (!f || chunk_split(arts[i]->text.p, arts[i]->text.len,
		                      (size_t)p->set.chunk_bytes, &p->http_seg, &f->chunks)) {
			log_error("out of memory taking %s", arts[i]->origin);
			article_free(arts[i]);
			flight_free(f);
			continue;
		}
		f->a = arts[i];
		enforce_chunk_limit(p, f);
		if (p->journal && journal_add(p->journal, f->a))
			log_error("cannot write %s to the journal: %s", f->a->origin,
			          strerror(errno));
		admit_one_locked(p, f);
	}
	pthread_mutex_unlock(&p->mu);
	buf_append_str(&out, "]}\n");
	http_respond(req, 202, "application/json", out.p, out.len, NULL);
	buf_free(&out);
	free(arts);
}

static void close_walk(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void stop_loop(struct producer *p)
{
	zwatch_close(&p->wpush);
	zwatch_close(&p->wpull);
	if (p->mon)
		zwatch_close(&p->wmon);
	curve_zap_stop(p->zap);
	http_server_close(p->http);
	p->http = NULL;
	uv_walk(p->loop, close_walk, NULL);
}

static void maybe_finish(struct producer *p)
{
	int reader_done;
	/* After a signal, done once nothing is in flight: what the reader
	 * still holds was never sent and stays in the journal or the input. */
	if (p->draining) {
		if (p->ninflight == 0 && !p->wpush.closing)
			stop_loop(p);
		return;
	}
	pthread_mutex_lock(&p->mu);
	reader_done = p->reader_done && p->qn == 0;
	pthread_mutex_unlock(&p->mu);
	/* A service (HTTP ingest) runs until it is stopped. */
	if (reader_done && p->ninflight == 0 && !p->http && !p->wpush.closing)
		stop_loop(p);
}

static void on_drain_timeout(uv_timer_t *t)
{
	struct producer *p = t->data;
	log_warn("--drain-timeout %ld ms is over: stopping with %zu articles unacknowledged",
	         p->set.drain_timeout, p->ninflight);
	stop_loop(p);
}

/* SIGTERM or SIGINT: take no more input (the reader stops, the ingest
 * closes, nothing more is admitted), wait up to --drain-timeout for the
 * acknowledgements of what is in flight (resending as usual), then exit 0.
 * What is left unacknowledged stays where a restart finds it: in the
 * journal, in the inbox, or in the input files. A second signal stops at
 * once. */
static void on_signal(uv_signal_t *h, int sig)
{
	struct producer *p = h->data;
	if (p->draining) {
		log_warn("signal %d again: stopping now with %zu articles unacknowledged", sig,
		         p->ninflight);
		stop_loop(p);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->not_full);
	pthread_mutex_unlock(&p->mu);
	p->draining = 1;
	p->ok_at_signal = p->ok;
	p->failed_at_signal = p->failed;
	p->exit_code = 0;
	http_server_close(p->http);
	p->http = NULL;
	log_info("signal %d: taking no more input; waiting up to %ld ms for %zu articles in "
	         "flight (a second signal stops at once)",
	         sig, p->set.drain_timeout, p->ninflight);
	if (p->ninflight == 0) {
		stop_loop(p);
		return;
	}
	uv_timer_start(&p->drain, on_drain_timeout, (uint64_t)p->set.drain_timeout, 0);
}

int main(int argc, char **argv)
{
	static struct producer P;
	struct producer *p = &P;
	struct settings *s = &p->set;
	const struct conf_opt opts[] = {
	    {"chunks-bind", "DIGEST_CHUNKS_BIND", CONF_STR, "tcp://*:5557",
	     "endpoint the workers pull chunks from", &s->chunks, 0, 0, NULL},
	    {"acks-bind", "DIGEST_ACKS_BIND", CONF_STR, "tcp://*:5559",
	     "endpoint the sink sends acknowledgements to", &s->acks, 0, 0, NULL},
	    {"chunk-bytes", "DIGEST_CHUNK_BYTES", CONF_INT, "8192",
	     "largest chunk; chunks end at sentence boundaries", &s->chunk_bytes, CHUNK_MIN_BYTES,
	     1 << 24, NULL},
	    {"max-chunks", "DIGEST_MAX_CHUNKS", CONF_INT, "4096",
	     "articles needing more chunks get a failed digest instead", &s->max_chunks, 1, 1000000,
	     NULL},
	    {"window", "DIGEST_WINDOW", CONF_INT, "1000",
	     "articles in flight at most; reading pauses when full", &s->window, 1, 1000000, NULL},
	    {"batch-wait-ms", "DIGEST_BATCH_WAIT_MS", CONF_INT, "2",
	     "when busy, let acknowledgements gather this long between takes (0: take each "
	     "at once)",
	     &s->batch_wait, 0, 1000, NULL},
	    {"max-article-bytes", "DIGEST_MAX_ARTICLE_BYTES", CONF_INT, "8388608",
	     "larger articles get a failed digest instead of being processed", &s->max_article,
	     1024, 1L << 30, NULL},
	    {"ack-timeout", "DIGEST_ACK_TIMEOUT", CONF_INT, "30000",
	     "milliseconds to wait for an acknowledgement before resending (doubles per "
	     "attempt)",
	     &s->ack_timeout, 10, 86400000, NULL},
	    {"dead-worker-grace", "DIGEST_DEAD_WORKER_GRACE", CONF_INT, "2000",
	     "milliseconds before unacknowledged articles are resent after a worker disconnects",
	     &s->dead_grace, 10, 86400000, NULL},
	    {"max-attempts", "DIGEST_MAX_ATTEMPTS", CONF_INT, "5",
	     "sends of an article before it is reported failed", &s->max_attempts, 1, 100, NULL},
	    {"source", "DIGEST_SOURCE", CONF_STR, NULL,
	     "source name for articles without one (default: the file name, or stdin)", &s->source,
	     0, 0, NULL},
	    {"inbox", "DIGEST_INBOX", CONF_STR, NULL,
	     "folder to watch: its .txt and .jsonl files are read, and each moves to done/ or "
	     "failed/ once all its articles are acknowledged",
	     &s->inbox, 0, 0, NULL},
	    {"journal", "DIGEST_JOURNAL", CONF_STR, NULL,
	     "file recording articles until acknowledged; a restart resends what it holds",
	     &s->journal, 0, 0, NULL},
	    {"http", "DIGEST_PRODUCER_HTTP", CONF_STR, "",
	     "HOST:PORT for POST /v1/articles (ingest for services); empty: off. With it the "
	     "producer runs until stopped",
	     &s->http, 0, 0, NULL},
	    {"http-max-body", "DIGEST_HTTP_MAX_BODY", CONF_INT, "16777216",
	     "largest POST body accepted (413 beyond)", &s->http_max_body, 1024, 1L << 30, NULL},
	    {"drain-timeout", "DIGEST_DRAIN_TIMEOUT", CONF_INT, "10000",
	     "milliseconds to wait on SIGTERM/SIGINT for the acknowledgements of articles in "
	     "flight; what is left is resent by the next start",
	     &s->drain_timeout, 0, 86400000, NULL},
	    {"progress", "DIGEST_PROGRESS", CONF_STR, "auto",
	     "progress line on stderr (auto: when stderr is a terminal)", &s->progress, 0, 0,
	     "auto|always|never"},
	    CONF_OPT_CURVE_SECRET(&s->curve_secret,
	                          "turns on CURVE for the chunk and acknowledgement sockets"),
	    CONF_OPT_CURVE_ALLOW(&s->curve_allow),
	    CONF_OPT_MAX_MSG(&s->max_msg),
	    CONF_OPTS_LOG(&s->log_level, &s->log_format),
	};
	const struct conf_spec spec = {
	    "producer",
	    "[options] FILE|FOLDER|-...",
	    "Read articles and stream them, in sentence-aligned chunks, to the workers.\n"
	    "A plain-text file is one article whose first line is the title; a .jsonl file\n"
	    "or - (stdin) holds one JSON object a line: {\"id\"?, \"title\"?, \"source\"?, "
	    "\"text\"}.\nFolders are read recursively, in name order: their .txt and .jsonl files. "
	    "Exits once every article "
	    "is\nacknowledged by the sink: 0 if all succeeded, 1 if any failed.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	if (first >= argc && !s->inbox && !s->journal && !*s->http) {
		fprintf(stderr, "producer: no input: give files, folders, - for JSON Lines on "
		                "stdin, or --inbox FOLDER (see producer --help)\n");
		return 2;
	}
	if (s->inbox) {
		struct stat st;
		char sub[4200];
		if (stat(s->inbox, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "producer: --inbox %s is not a folder\n", s->inbox);
			return 2;
		}
		for (int i = 0; i < 2; i++) {
			snprintf(sub, sizeof sub, "%s/%s", s->inbox, i ? "failed" : "done");
			if (mkdir(sub, 0755) != 0 && errno != EEXIST) {
				fprintf(stderr, "producer: cannot create %s: %s\n", sub,
				        strerror(errno));
				return 2;
			}
		}
	}
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &st) != 0) {
			fprintf(stderr, "producer: cannot read %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
	}
	log_init("producer", (enum log_level)log_level_parse(s->log_level),
	         strcmp(s->log_format, "json") == 0);
	p->progress = strcmp(s->progress, "always") == 0 ||
	              (strcmp(s->progress, "auto") == 0 && isatty(STDERR_FILENO));
	p->inputs = argv + first;
	p->ninputs = argc - first;

	if (s->journal) {
		p->journal = journal_open(s->journal, &p->err);
		if (!p->journal) {
			fprintf(stderr, "producer: %s\n", p->err.p);
			return 2;
		}
	}
	const struct curve_settings cs = {s->curve_secret, s->curve_allow, NULL, NULL};
	if (curve_conf_load(&p->curve, CURVE_ROLE_SERVER, &cs, &p->err)) {
		fprintf(stderr, "producer: %s\n", p->err.p);
		return 2;
	}
	p->ctx = zmq_ctx_new();
	p->loop = uv_default_loop();
	/* The authentication handler must be there before anything is bound. */
	if (p->curve.on && !(p->zap = curve_zap_start(p->ctx, p->loop, p->curve.allow, &p->err))) {
		log_error("%s", p->err.p);
		return 1;
	}
	/* Little is queued for any one worker (CHUNKS_SNDHWM messages here and
	 * ZSOCK_CHUNKS_SOCKBUF bytes in the kernel), so that ZeroMQ passes over a
	 * worker that is behind and a worker that connects first does not take
	 * the whole window; the rest of the window waits here, for whichever
	 * worker has room. */
	struct zsock_opts co = {.type = ZMQ_PUSH,
	                        .endpoint = s->chunks,
	                        .bind = 1,
	                        .sndhwm = CHUNKS_SNDHWM,
	                        .sndbuf = ZSOCK_CHUNKS_SOCKBUF,
	                        .rcvhwm = 0,
	                        .max_msg = 0,
	                        .linger_ms = 0};
	struct zsock_opts ao = {.type = ZMQ_PULL,
	                        .endpoint = s->acks,
	                        .bind = 1,
	                        .sndhwm = 0,
	                        .rcvhwm = 0,
	                        .max_msg = s->max_msg,
	                        .linger_ms = 0};
	curve_zsock_opts(&p->curve, NULL, &co);
	curve_zsock_opts(&p->curve, NULL, &ao);
	/* No ZMTP heartbeats on the chunks socket: with libzmq 4.3.4 a worker
	 * whose connection broke while a PING was pending aborted
	 * ("Assertion failed: !_io_error", stream_engine_base.cpp:331) in 4 of 6
	 * runs of the network-fault test. A worker that vanishes is noticed by
	 * TCP, by the monitor's disconnect event and, at the latest, by the
	 * acknowledgement deadline (--ack-timeout). */
	/* Set up before the bind, so that a worker already retrying is seen. */
	co.monitor = &p->mon;
	co.monitor_name = "chunks";
	p->push = zsock_open(p->ctx, &co, &p->err);
	p->pull = p->push ? zsock_open(p->ctx, &ao, &p->err) : NULL;
	if (!p->pull) {
		log_error("%s", p->err.p);
		return 1;
	}
	if (!p->mon)
		log_warn("cannot watch the workers' connections; worker deaths are noticed only "
		         "by --ack-timeout");
	pthread_mutex_init(&p->mu, NULL);
	p->loop_waits = 1;
	pthread_cond_init(&p->not_full, NULL);
	uv_async_init(p->loop, &p->wake, on_wake);
	p->wake.data = p;
	zwatch_start(&p->wpush, p->loop, p->push, on_push_ready, p);
	zwatch_start(&p->wpull, p->loop, p->pull, on_acks, p);
	zwatch_hold(&p->wpull, (unsigned)p->set.batch_wait);
	if (p->mon)
		zwatch_start(&p->wmon, p->loop, p->mon, on_monitor, p);
	if (*s->http) {
		char host[256];
		int port;
		if (http_parse_listen(s->http, host, sizeof host, &port)) {
			log_error("--http %s: expected HOST:PORT or :PORT", s->http);
			return 2;
		}
		seg_doc_init(&p->http_seg);
		p->http = http_server_start(p->loop, host, port, (size_t)s->http_max_body, on_http,
		                            p, &p->err);
		if (!p->http) {
			log_error("%s", p->err.p);
			return 1;
		}
		log_info("ingest on http://%s:%d/v1/articles", host, port);
	}
	uv_timer_init(p->loop, &p->tick);
	p->tick.data = p;
	uv_timer_start(&p->tick, on_tick, 200, 200);
	uv_timer_init(p->loop, &p->drain);
	p->drain.data = p;
	uv_signal_init(p->loop, &p->sigterm);
	uv_signal_init(p->loop, &p->sigint);
	p->sigterm.data = p->sigint.data = p;
	uv_signal_start(&p->sigterm, on_signal, SIGTERM);
	uv_signal_start(&p->sigint, on_signal, SIGINT);
	p->started_ms = uv_now(p->loop);
	p->rng = wire_now_us() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	log_info("chunks on %s, acknowledgements on %s%s", s->chunks, s->acks,
	         p->curve.on ? " (CURVE on)" : "");
	if (p->curve.on)
		log_info("CURVE: %zu client keys allowed", curve_allow_count(p->curve.allow));

	pthread_t reader;
	if (pthread_create(&reader, NULL, reader_main, p) != 0) {
		log_error("cannot start the reader thread");
		return 1;
	}
	uv_run(p->loop, UV_RUN_DEFAULT);
	print_progress(p, 1);

	uv_update_time(p->loop);
	double secs = (double)(uv_now(p->loop) - p->started_ms) / 1000.0;
	log_info("%lu articles: %lu ok, %lu failed, %lu resends, %lu duplicates in %.2f s "
	         "(%.1f articles/s)",
	         p->read, p->ok, p->failed, p->resends, p->duplicates, secs,
	         secs > 0 ? (double)p->read / secs : 0.0);
	if (p->draining) {
		size_t queued = p->qn;
		int from_stdin = 0;
		for (int i = 0; i < p->ninputs; i++)
			from_stdin |= strcmp(p->inputs[i], "-") == 0;
		const char *where =
		    p->journal ? "they stay in the journal for the next start"
		    : s->inbox ? "their files stay in the inbox for the next start"
		    : from_stdin || *s->http
		        ? "without --journal, what came from stdin or HTTP is not kept"
		        : "a start with the same inputs sends them again";
		log_info("stopped by a signal: %lu articles acknowledged while draining, %zu "
		         "unacknowledged and %zu read but not sent: %s",
		         (p->ok - p->ok_at_signal) + (p->failed - p->failed_at_signal),
		         p->ninflight, queued, where);
	}
	if (p->failed) {
		log_error("%lu of %lu articles failed:\n%s%s", p->failed, p->read,
		          p->failures.p ? p->failures.p : "",
		          p->nfailures_listed > MAX_FAILURES_LISTED ? "  ...\n" : "");
		/* A service's failures are in failed/ and in its log; only a
		 * batch reports them in its status. */
		if (!s->inbox && !*s->http)
			p->exit_code = 1;
	}
	if (!p->stopping)
		pthread_join(reader, NULL);
	else
		pthread_detach(reader);
	/* Free what a signal left in flight; flights already done are owned
	 * by their entries in the send queue. */
	while (p->list)
		flight_unlink(p, p->list);
	for (size_t i = 0; i < p->sq_n; i++) {
		struct flight *f = p->sendq[(p->sq_head + i) % p->sq_cap].f;
		if (--f->unsent == 0)
			flight_free(f);
	}
	free(p->sendq);
	hmap_free(&p->inflight);
	if (!p->stopping)
		hmap_free(&p->inbox_taken);
	buf_free(&p->frame);
	buf_free(&p->text);
	buf_free(&p->err);
	buf_free(&p->failures);
	zmq_close(p->push);
	zmq_close(p->pull);
	if (p->mon)
		zmq_close(p->mon);
	curve_zap_free(p->zap);
	curve_conf_free(&p->curve);
	if (!p->stopping)
		journal_close(p->journal);
	zmq_ctx_term(p->ctx);
	return p->exit_code;
}
