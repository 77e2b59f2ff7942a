/*
 * nlp-bench: throughput of the NLP core on one core, stage by stage.
 *
 * Loads articles (a JSON Lines file with a "text" field per line, default
 * ../shared/data/news-summ/bbc-dev.jsonl, or plain-text files), then times,
 * over the same texts and in this process:
 *   - normalisation (text_normalize on the raw text), in MB/s;
 *   - segmentation (tokenizer and sentence splitter, one pass), tokens/s;
 *   - entity extraction alone on documents segmented beforehand, tokens/s;
 *   - the sink's step: entities merged, key points and keywords chosen from
 *     the worker results of an article (summary_build), articles/s;
 *   - the worker's NLP (work_chunk: segmentation, sentence kinds,
 *     entities, terms, scores, encoding), tokens/s and articles/s;
 *   - the whole worker step as the worker runs it: the NLP plus the article
 *     step (summary_build) that a worker runs on a one-chunk article, as
 *     every article here is, tokens/s and articles/s;
 *   - the sink's own work per digest (see sink_delivery), and the insert
 *     into a store that already holds 100,000 digests (store_at_scale), in
 *     CPU microseconds and bytes written per digest;
 * each as the median of --rounds runs with the slowest and fastest run's
 * rate beside it (the machine is shared: the spread shows how much). It also
 * prints the encoded sizes of a chunk and of its result per article (the
 * bytes on the wire), and the machine it ran on. --quick runs one short
 * round: CI uses it so the benchmark cannot rot; it asserts nothing about
 * speed.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "idf.h"
#include "ner.h"
#include "render.h"
#include "seg.h"
#include "store.h"
#include "summary.h"
#include "terms.h"
#include "text.h"
#include "wire.h"
#include "work.h"

struct corpus {
	struct buf *texts; /* normalised, as workers receive them */
	struct buf *raw;   /* as read, for the normalisation stage */
	size_t n, cap, bytes, raw_bytes;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the whole process, every thread. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* 25.1 M, 786.8 k, 5748 */
static void human(double v, char *dst, size_t cap)
{
	if (v >= 1e6)
		snprintf(dst, cap, "%.2f M", v / 1e6);
	else if (v >= 1e4)
		snprintf(dst, cap, "%.1f k", v / 1e3);
	else
		snprintf(dst, cap, "%.0f", v);
}

/* One table row: amount of work per run, and run times (median, slowest,
 * fastest) into a rate. */
static void row(const char *name, double work, double med, double slow, double fast,
                const char *unit)
{
	char m[32], lo[32], hi[32];
	human(work / med, m, sizeof m);
	human(work / slow, lo, sizeof lo);
	human(work / fast, hi, sizeof hi);
	printf("%-44s %10s %-11s %s - %s\n", name, m, unit, lo, hi);
}

/* The machine, as the figures depend on it. */
static void print_machine(void)
{
	char model[256] = "unknown CPU", line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(model, sizeof model, "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	printf("machine: %ld cores online, %s\n", sysconf(_SC_NPROCESSORS_ONLN), model);
}

static int corpus_add(struct corpus *c, const char *text, size_t n)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct buf *t = realloc(c->texts, cap * sizeof *t);
		if (t)
			c->texts = t;
		struct buf *r = realloc(c->raw, cap * sizeof *r);
		if (r)
			c->raw = r;
		if (!t || !r)
			return -1;
		c->cap = cap;
	}
	struct buf *b = &c->texts[c->n], *r = &c->raw[c->n];
	*b = (struct buf)BUF_INIT;
	*r = (struct buf)BUF_INIT;
	if (text_normalize(b, text, n, NULL) || !b->p || buf_append(r, text, n))
		return -1;
	c->bytes += b->len;
	c->raw_bytes += n;
	c->n++;
	return 0;
}

static int load(struct corpus *c, const char *path, size_t limit)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr,
		        "nlp-bench: cannot open %s (give a JSON Lines file with a \"text\" "
		        "field, or plain-text files)\n",
		        path);
		return -1;
	}
	struct buf all = BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&all, tmp, n);
	fclose(f);
	size_t len = strlen(path);
	int rc = 0;
	if (len > 6 && strcmp(path + len - 6, ".jsonl") == 0) {
		char *line = all.p;
		while (line && *line && c->n < limit) {
			char *nl = strchr(line, '\n');
			cJSON *o =
			    cJSON_ParseWithLength(line, nl ? (size_t)(nl - line) : strlen(line));
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "text");
			if (cJSON_IsString(t))
				rc |= corpus_add(c, t->valuestring, strlen(t->valuestring));
			cJSON_Delete(o);
			line = nl ? nl + 1 : NULL;
		}
	} else if (all.p) {
		rc = corpus_add(c, all.p, all.len);
	}
	buf_free(&all);
	return rc;
}

/* What the sink does with each digest a worker built, step by step:
 * decode the worker's result, look the article up in the store, render the
 * JSON, encode the digest for the stream, and insert it (SINK_BATCH digests
 * a transaction, as the sink's group commit does under load), into a real
 * SQLite file in a fresh temporary folder each round (SINK_PASSES times
 * each, under other ids, for a few checkpoints a round). Microseconds per
 * digest: wall time for the first four, CPU time of the whole process for
 * the insert, so that the store's checkpoint thread counts; the part of the
 * pipeline's CPU that adding workers cannot share. */
enum { SINK_BATCH = 8, SINK_PASSES = 4 };

/* Bytes this process has written (its wchar: every write and pwrite). */
static long written_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "wchar:", 6))
			v = atol(line + 6);
	if (f)
		fclose(f);
	return v;
}

/* Put `count` digests under random 16-hex ids (as articles' ids are to
 * the index), `batch` a transaction, cycling through the n rendered ones. */
static int put_random(struct store *st, unsigned long long *x, const struct buf *json,
                      const struct buf *pb, size_t n, long count, long batch, struct buf *err)
{
	char id[40];
	int inserted;
	for (long k = 0; k < count; k++) {
		*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
		snprintf(id, sizeof id, "%016llx", *x);
		if (k % batch == 0)
			store_begin(st, NULL);
		if (store_put(st, id, 1, 0, json[k % n].p, json[k % n].len, pb[k % n].p,
		              pb[k % n].len, &inserted, err))
			return -1;
		if (k % batch == batch - 1 || k + 1 == count)
			store_commit(st, NULL);
	}
	return 0;
}

/* The insert into a store that already holds `prefill` digests: SQLite's
 * index on article_id then spreads every transaction's ids over that many
 * pages, which a fresh store hides. CPU of the whole process (the checkpoint
 * thread counts) and bytes written, per digest, SINK_BATCH a transaction. */
static int store_at_scale(const char *dir, const struct buf *json, const struct buf *pb, size_t n,
                          long rounds, long prefill)
{
	enum { PER_ROUND = 2000 };
	char path[80];
	struct buf err = BUF_INIT;
	double *cpu = calloc((size_t)rounds, sizeof *cpu);
	double *kb = calloc((size_t)rounds, sizeof *kb);
	int rc = -1;
	snprintf(path, sizeof path, "%s/scale.db", dir);
	struct store *st = n && cpu && kb ? store_open(path, &err) : NULL;
	if (!st)
		goto done;
	unsigned long long x = 88172645463325252ull;
	if (put_random(st, &x, json, pb, n, prefill, 1000, &err))
		goto done;
	for (long round = 0; round < rounds; round++) {
		double c0 = cpu_s();
		long w0 = written_bytes();
		if (put_random(st, &x, json, pb, n, PER_ROUND, SINK_BATCH, &err))
			goto done;
		cpu[round] = (cpu_s() - c0) * 1e6 / PER_ROUND;
		kb[round] = (double)(written_bytes() - w0) / 1024.0 / PER_ROUND;
	}
	qsort(cpu, (size_t)rounds, sizeof *cpu, cmp_double);
	qsort(kb, (size_t)rounds, sizeof *kb, cmp_double);
	char what[64];
	snprintf(what, sizeof what, "insert into a store of %ld digests (CPU)", prefill);
	printf("  %-42s %10.1f %-11s %.1f - %.1f\n", what, cpu[rounds / 2], "us/digest", cpu[0],
	       cpu[rounds - 1]);
	printf("  %-42s %10.1f %-11s %.1f - %.1f\n", "  written to the store's files",
	       kb[rounds / 2], "KB/digest", kb[0], kb[rounds - 1]);
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "nlp-bench: the store at scale: %s\n", err.len ? err.p : "failed");
	store_close(st);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char f[96];
		snprintf(f, sizeof f, "%s%s", path, suffix[i]);
		unlink(f);
	}
	free(cpu);
	free(kb);
	buf_free(&err);
	return rc;
}

static int sink_delivery(const struct buf *framed, size_t n, long rounds, long prefill)
{
	enum { DECODE, LOOKUP, JSON, ENCODE, STORE, NSTEPS };
	static const char *names[NSTEPS] = {
	    "decode the worker's result", "look the article up in the store", "render the JSON",
	    "encode the digest for the stream", "insert, 8 a commit, and checkpoint (CPU)"};
	double *t = calloc((size_t)rounds * NSTEPS, sizeof *t);
	Nd__ChunkResult **r = calloc(n ? n : 1, sizeof *r);
	struct buf *json = calloc(n ? n : 1, sizeof *json), err = BUF_INIT;
	struct buf *pb = calloc(n ? n : 1, sizeof *pb);
	char dir[] = "/tmp/nlp-bench-XXXXXX", path[64], id[32];
	int rc = -1;
	if (!t || !r || !json || !pb || !mkdtemp(dir))
		goto done;
	for (long round = 0; round < rounds; round++) {
		snprintf(path, sizeof path, "%s/digests-%ld.db", dir, round);
		struct store *st = store_open(path, &err);
		if (!st) {
			fprintf(stderr, "nlp-bench: %s\n", err.p);
			goto done;
		}
		double *tr = t + round * NSTEPS, t0 = now_s();
		for (size_t i = 0; i < n; i++)
			if (wire_decode_result(framed[i].p, framed[i].len, &r[i]) || !r[i]->digest)
				goto done;
		tr[DECODE] = now_s() - t0;
		t0 = now_s();
		int found = 0, ok;
		for (size_t i = 0; i < n; i++) {
			snprintf(id, sizeof id, "a%zu", i);
			found += store_has(st, id, &ok) == 1;
		}
		tr[LOOKUP] = now_s() - t0;
		t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			buf_reset(&json[i]); /* render_json appends */
			render_json(r[i]->digest, &json[i]);
		}
		tr[JSON] = now_s() - t0;
		t0 = now_s();
		for (size_t i = 0; i < n; i++)
			wire_encode(&r[i]->digest->base, &pb[i]);
		tr[ENCODE] = now_s() - t0;
		double c0 = cpu_s();
		/* Each digest SINK_PASSES times under other ids: a few MiB of
		 * log a round, so that checkpoints happen as in a long run. */
		for (size_t k = 0; k < n * SINK_PASSES; k++) {
			size_t i = k % n;
			int inserted = 0;
			if (k % SINK_BATCH == 0)
				store_begin(st, NULL);
			snprintf(id, sizeof id, "a%zu", k);
			if (store_put(st, id, 1, 0, json[i].p, json[i].len, pb[i].p, pb[i].len,
			              &inserted, &err) ||
			    !inserted) {
				fprintf(stderr, "nlp-bench: %s\n", err.p);
				goto done;
			}
			if (k % SINK_BATCH == SINK_BATCH - 1 || k + 1 == n * SINK_PASSES)
				store_commit(st, NULL);
		}
		/* Closing joins the store's checkpoint thread and copies the
		 * rest of the log: every digest's share of the checkpoints. */
		store_close(st);
		tr[STORE] = (cpu_s() - c0) / SINK_PASSES;
		unlink(path);
		char side[80];
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
		for (size_t i = 0; i < n; i++) {
			wire_free(&r[i]->base);
			r[i] = NULL;
		}
		if (found)
			goto done;
	}
	printf("%-44s %10s %-11s %s\n", "sink, per digest (one core)", "median", "us/digest",
	       "fastest - slowest");
	double total[3] = {0, 0, 0};
	double *col = calloc((size_t)rounds, sizeof *col);
	if (!col)
		goto done;
	for (int step = 0; step < NSTEPS; step++) {
		for (long round = 0; round < rounds; round++)
			col[round] = t[round * NSTEPS + step];
		qsort(col, (size_t)rounds, sizeof *col, cmp_double);
		double med = col[rounds / 2] * 1e6 / (double)n, fast = col[0] * 1e6 / (double)n,
		       slow = col[rounds - 1] * 1e6 / (double)n;
		total[0] += med, total[1] += fast, total[2] += slow;
		printf("  %-42s %10.1f %-11s %.1f - %.1f\n", names[step], med, "us/digest", fast,
		       slow);
	}
	free(col);
	printf("  %-42s %10.1f %-11s %.1f - %.1f\n", "all of these", total[0], "us/digest",
	       total[1], total[2]);
	if (store_at_scale(dir, json, pb, n, rounds, prefill))
		goto done;
	rc = 0;
done:
	if (rc)
		fprintf(stderr, "nlp-bench: the sink stage failed\n");
	for (size_t i = 0; i < n; i++) {
		if (r && r[i])
			wire_free(&r[i]->base);
		if (json)
			buf_free(&json[i]);
		if (pb)
			buf_free(&pb[i]);
	}
	rmdir(dir);
	free(t);
	free(r);
	free(json);
	free(pb);
	buf_free(&err);
	return rc;
}

int main(int argc, char **argv)
{
	const char *data, *model;
	long rounds;
	int quick = 0, step_only = 0;
	const struct conf_opt opts[] = {
	    {"data", "DIGEST_BENCH_DATA", CONF_STR, "../shared/data/news-summ/bbc-dev.jsonl",
	     "JSON Lines file of articles to time on (plain-text files may follow as arguments)",
	     &data, 0, 0, NULL},
	    {"model", "DIGEST_MODEL", CONF_STR, "",
	     "entity model file, or 'rules' (default: the installed models/ner.model)", &model, 0,
	     0, NULL},
	    {"rounds", "DIGEST_BENCH_ROUNDS", CONF_INT, "5",
	     "timed runs per stage; the median is shown with the spread", &rounds, 1, 1000, NULL},
	    {"step-only", "DIGEST_BENCH_STEP_ONLY", CONF_BOOL, "0",
	     "time only the worker step as run (the pipeline benchmark's baseline, taken "
	     "between its runs)",
	     &step_only, 0, 0, NULL},
	    {"quick", "DIGEST_BENCH_QUICK", CONF_BOOL, "0",
	     "one short round on a few articles (for CI: proves the benchmark runs)", &quick, 0, 0,
	     NULL},
	};
	const struct conf_spec spec = {
	    "nlp-bench",
	    "[options] [FILE...]",
	    "Tokens per second of each stage of the NLP core, on one core.",
	    opts,
	    sizeof opts / sizeof opts[0],
	    NULL};
	struct buf err = BUF_INIT;
	int first;
	int rc = conf_parse_main(&spec, argc, argv, &first);
	if (rc >= 0)
		return rc;
	struct corpus c = {0};
	size_t limit = quick ? 20 : (size_t)-1;
	if (first < argc) {
		for (int i = first; i < argc; i++)
			if (load(&c, argv[i], limit))
				return 1;
	} else if (load(&c, data, limit)) {
		return 1;
	}
	if (quick)
		rounds = 1;

	struct ner_extractor *ner = NULL;
	char why[4200];
	if (ner_open(model, &ner, why, sizeof why)) {
		fprintf(stderr, "nlp-bench: %s\n", why);
		return 1;
	}
	struct seg_doc doc;
	seg_doc_init(&doc);
	struct ner_mentions m = {0};
	struct work w;
	work_init(&w, ner, "bench");
	struct buf out = BUF_INIT;

	size_t tokens = 0;
	for (size_t i = 0; i < c.n; i++) {
		seg_split(&doc, c.texts[i].p, c.texts[i].len);
		tokens += doc.ntoks;
	}
	printf("corpus: %zu articles, %zu bytes, %zu tokens (%s)\n", c.n, c.bytes, tokens,
	       first < argc ? "files" : data);
	print_machine();
	printf("each figure: the median of %ld timed runs, with the slowest and fastest\n", rounds);
	printf("%-44s %10s %-11s %s\n", "stage (one core)", "median", "unit", "slowest - fastest");

	/* Inputs of the later stages, made once: segmented documents, and the
	 * worker's results decoded as the sink receives them. */
	struct seg_doc *docs = calloc(c.n ? c.n : 1, sizeof *docs);
	Nd__ChunkResult **results = calloc(c.n ? c.n : 1, sizeof *results);
	double chunk_bytes = 0, result_bytes = 0;
	if (!docs || !results)
		return 1;
	for (size_t i = 0; i < c.n; i++) {
		seg_doc_init(&docs[i]);
		if (seg_split(&docs[i], c.texts[i].p, c.texts[i].len))
			return 1;
		Nd__Chunk ch = ND__CHUNK__INIT;
		ch.schema = WIRE_SCHEMA;
		ch.article_id = "0123456789abcdef0";
		ch.total = 1;
		ch.text = c.texts[i].p;
		if (wire_encode(&ch.base, &out))
			return 1;
		chunk_bytes += (double)out.len;
		if (work_chunk(&w, &ch, &out) || wire_decode_result(out.p, out.len, &results[i]))
			return 1;
		result_bytes += (double)out.len;
	}
	struct terms terms;
	if (terms_init(&terms))
		return 1;
	/* The sink's keyword weights, as the sink loads them. */
	char idf_path[4200];
	struct idf *idf = NULL;
	if (idf_load(nd_model_path(IDF_MODEL_FILE, idf_path, sizeof idf_path), &idf))
		fprintf(stderr,
		        "nlp-bench: no keyword weights at %s; the sink stage runs without\n",
		        idf_path);

	/* Results as one-chunk articles go out: with the digest in them. */
	double digest_result_bytes = 0;
	struct buf *framed = calloc(c.n ? c.n : 1, sizeof *framed);
	if (!framed)
		return 1;
	work_set_article_step(&w, 0, idf);
	for (size_t i = 0; i < c.n; i++) {
		Nd__Chunk ch = ND__CHUNK__INIT;
		ch.schema = WIRE_SCHEMA;
		ch.article_id = "0123456789abcdef0";
		ch.total = 1;
		ch.text = c.texts[i].p;
		if (work_chunk(&w, &ch, &out) || buf_append(&framed[i], out.p, out.len))
			return 1;
		digest_result_bytes += (double)out.len;
	}

	enum { NORM, SEG, NER, KP, STEP, FULL, NSTAGES };
	const char *names[NSTAGES] = {"normalisation (UTF-8 repair, NFC, spaces)",
	                              "segmentation (tokens + sentences)",
	                              "entities alone (tagger + rules)",
	                              "key points + entities (sink, per article)",
	                              "worker NLP (seg+kinds+ner+terms+score+enc)",
	                              "worker step as run (NLP + article step)"};
	double *times = calloc((size_t)rounds, sizeof *times);
	double step_tps = 0;
	struct buf norm = BUF_INIT;
	if (!times)
		return 1;
	for (int stage = step_only ? FULL : 0; stage < NSTAGES; stage++) {
		if (stage == STEP)
			w.article_step = false;
		else if (stage == FULL)
			work_set_article_step(&w, 0, idf);
		for (long r = 0; r < rounds; r++) {
			double t0 = now_s();
			for (size_t i = 0; i < c.n; i++) {
				const struct buf *t = &c.texts[i];
				if (stage == NORM) {
					text_normalize(&norm, c.raw[i].p, c.raw[i].len, NULL);
				} else if (stage == SEG) {
					seg_split(&doc, t->p, t->len);
				} else if (stage == NER) {
					ner_extract(ner, &docs[i], &m);
				} else if (stage == KP) {
					struct summary *sm = NULL;
					struct summary_opts so = {0, "bench", 0, &terms, idf};
					const Nd__ChunkResult *parts[1] = {results[i]};
					summary_build(&sm, parts, 1, &so);
					summary_free(sm);
				} else {
					Nd__Chunk ch = ND__CHUNK__INIT;
					ch.schema = WIRE_SCHEMA;
					ch.article_id = "bench";
					ch.total = 1;
					ch.text = t->p;
					work_chunk(&w, &ch, &out);
				}
			}
			times[r] = now_s() - t0;
		}
		qsort(times, (size_t)rounds, sizeof *times, cmp_double);
		double med = times[rounds / 2], lo = times[rounds - 1], hi = times[0];
		if (stage == NORM)
			row(names[stage], (double)c.raw_bytes / 1e6, med, lo, hi, "MB/s");
		else if (stage == KP)
			row(names[stage], (double)c.n, med, lo, hi, "articles/s");
		else
			row(names[stage], (double)tokens, med, lo, hi, "tokens/s");
		if (stage == STEP || stage == FULL)
			row("", (double)c.n, med, lo, hi, "articles/s");
		if (stage == FULL)
			step_tps = (double)tokens / med;
	}
	printf("worker step tokens/s: %.0f (target 400000: %s)\n", step_tps,
	       step_tps >= 400000 ? "PASS" : "MISS");
	if (!step_only && sink_delivery(framed, c.n, rounds, quick ? 200 : 100000))
		return 1;
	printf("bytes on the wire per article: chunks %.0f, result %.0f with the digest built "
	       "by the worker (%.0f with sentences and mentions for the sink; payloads; the ack "
	       "is about 30)\n",
	       c.n ? chunk_bytes / (double)c.n : 0.0, c.n ? digest_result_bytes / (double)c.n : 0.0,
	       c.n ? result_bytes / (double)c.n : 0.0);
	for (size_t i = 0; i < c.n; i++) {
		seg_doc_free(&docs[i]);
		wire_free(&results[i]->base);
	}
	for (size_t i = 0; i < c.n; i++)
		buf_free(&framed[i]);
	free(framed);
	free(docs);
	free(results);
	free(times);
	buf_free(&norm);
	terms_free(&terms);
	idf_free(idf);
	printf("entity model: %s\n", ner_name(ner));

	work_free(&w);
	buf_free(&out);
	ner_mentions_free(&m);
	seg_doc_free(&doc);
	ner_close(ner);
	for (size_t i = 0; i < c.n; i++) {
		buf_free(&c.texts[i]);
		buf_free(&c.raw[i]);
	}
	free(c.texts);
	free(c.raw);
	buf_free(&err);
	return 0;
}
