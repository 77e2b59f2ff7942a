/*
 * kp-eval: score the pipeline's key points against reference extracts.
 *
 * Input: JSON Lines, one article a line, {"id", "title", "text",
 * "summary": [reference sentences]}, where text is the title, a blank line
 * and the body (the format of ../shared/data/news-summ/bbc-dev.jsonl).
 *
 * Each article goes through exactly the pipeline's path, in-process: the
 * text is normalised (text.h) as the producer does, its leading title line
 * is dropped (the title travels in its own field), the body is processed as
 * one chunk by the worker's own step (work_chunk(), the real encoded
 * ChunkResult, decoded again with wire.h) and the sink's summary_build()
 * picks --k key points. The LEAD-k baseline is the first k sentences of the
 * same decoded result that are not headings and have a word.
 *
 * Printed for both, averaged over the articles: precision at k (the share
 * of chosen sentences that are reference sentences, compared after white
 * space is collapsed on both sides) and ROUGE-1, -2, -L F1 (rouge.h) of the
 * chosen sentences joined by spaces against the reference sentences joined
 * by spaces, as percentages. The output is the regression record kept in
 * bench/kp-dev.txt; --check RECORD compares this run with such a record
 * and fails when a figure of the method falls more than half a point
 * (0.005 for precision) below it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "idf.h"
#include "ner.h"
#include "rouge.h"
#include "summary.h"
#include "terms.h"
#include "text.h"
#include "wire.h"
#include "work.h"

#define NFIG 4 /* P@k, R-1, R-2, R-L */

struct totals {
	double fig[NFIG];
};

struct eval {
	int k;
	bool dump;
	struct work work;
	struct terms terms;
	struct idf *idf;
	struct buf norm, body, title, frame, cand, ref, tmp;
	char **refs; /* the article's reference sentences, white space collapsed */
	size_t nrefs, cap_refs;
	struct totals method, lead;
	size_t articles, skipped;
};

/* Collapse runs of white space to one space and trim both ends. */
static int squeeze(struct buf *out, const char *s)
{
	buf_reset(out);
	bool space = false;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			space = out->len > 0;
			continue;
		}
		if (space && buf_append_char(out, ' '))
			return -ENOMEM;
		space = false;
		if (buf_append_char(out, *s))
			return -ENOMEM;
	}
	return buf_append(out, "", 0);
}

static void free_refs(struct eval *e)
{
	for (size_t i = 0; i < e->nrefs; i++)
		free(e->refs[i]);
	e->nrefs = 0;
}

static int add_ref(struct eval *e, const char *s)
{
	if (text_normalize(&e->tmp, s, strlen(s), NULL))
		return -ENOMEM;
	if (squeeze(&e->body, e->tmp.p ? e->tmp.p : ""))
		return -ENOMEM;
	if (e->nrefs == e->cap_refs) {
		size_t cap = e->cap_refs ? e->cap_refs * 2 : 32;
		char **r = realloc(e->refs, cap * sizeof *r);
		if (!r)
			return -ENOMEM;
		e->refs = r;
		e->cap_refs = cap;
	}
	e->refs[e->nrefs] = strdup(e->body.p);
	if (!e->refs[e->nrefs])
		return -ENOMEM;
	e->nrefs++;
	if (e->ref.len && buf_append_char(&e->ref, ' '))
		return -ENOMEM;
	return buf_append_str(&e->ref, e->refs[e->nrefs - 1]);
}

static bool is_ref(struct eval *e, const char *sentence)
{
	if (squeeze(&e->tmp, sentence))
		return false;
	for (size_t i = 0; i < e->nrefs; i++)
		if (!strcmp(e->refs[i], e->tmp.p))
			return true;
	return false;
}

/* Score the chosen sentences texts[0..n) into t. */
static int score_choice(struct eval *e, const char *const *texts, size_t n, struct totals *t,
                        const char *label, const char *id)
{
	buf_reset(&e->cand);
	size_t hits = 0;
	for (size_t i = 0; i < n; i++) {
		if ((i && buf_append_char(&e->cand, ' ')) || buf_append_str(&e->cand, texts[i]))
			return -ENOMEM;
		bool hit = is_ref(e, texts[i]);
		hits += hit;
		if (e->dump)
			printf("%s\t%s\t%c\t%s\n", id, label, hit ? '+' : '-', texts[i]);
	}
	struct rouge_scores rs;
	if (rouge_score(e->cand.p ? e->cand.p : "", e->cand.len, e->ref.p, e->ref.len, &rs))
		return -ENOMEM;
	t->fig[0] += n ? (double)hits / (double)n : 0;
	t->fig[1] += rs.r1.f;
	t->fig[2] += rs.r2.f;
	t->fig[3] += rs.rl.f;
	return 0;
}

static int eval_article(struct eval *e, const cJSON *o, size_t line)
{
	const cJSON *jid = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON *jtitle = cJSON_GetObjectItemCaseSensitive(o, "title");
	const cJSON *jtext = cJSON_GetObjectItemCaseSensitive(o, "text");
	const cJSON *jsum = cJSON_GetObjectItemCaseSensitive(o, "summary");
	if (!cJSON_IsString(jtext) || !cJSON_IsArray(jsum)) {
		fprintf(stderr, "kp-eval: line %zu: no \"text\" string or \"summary\" array\n",
		        line);
		e->skipped++;
		return 0;
	}
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "line-%zu", line);
	const char *id = cJSON_IsString(jid) ? jid->valuestring : idbuf;
	const char *title = cJSON_IsString(jtitle) ? jtitle->valuestring : "";

	if (text_normalize(&e->norm, jtext->valuestring, strlen(jtext->valuestring), NULL) ||
	    text_normalize(&e->title, title, strlen(title), NULL))
		return -ENOMEM;
	/* The text opens with the title line; the body starts after it and the
	 * blank line that follows. */
	const char *body = e->norm.p ? e->norm.p : "";
	const char *nl = strchr(body, '\n');
	body = nl ? nl + 1 : body + strlen(body);
	while (*body == '\n')
		body++;

	free_refs(e);
	buf_reset(&e->ref);
	const cJSON *r;
	cJSON_ArrayForEach(r, jsum)
	{
		if (cJSON_IsString(r) && add_ref(e, r->valuestring))
			return -ENOMEM;
	}

	Nd__Chunk c = ND__CHUNK__INIT;
	c.schema = WIRE_SCHEMA;
	c.article_id = (char *)id;
	c.seq = 0;
	c.total = 1;
	c.source = "kp-eval";
	c.title = e->title.p ? e->title.p : "";
	c.text = (char *)body;
	c.error = "";
	if (work_chunk(&e->work, &c, &e->frame))
		return -ENOMEM;
	Nd__ChunkResult *res = NULL;
	int rc = wire_decode_result(e->frame.p, e->frame.len, &res);
	if (rc) {
		fprintf(stderr, "kp-eval: %s: the worker's result does not decode: %s\n", id,
		        wire_strerror(rc));
		return rc;
	}
	if (res->error && *res->error) {
		fprintf(stderr, "kp-eval: %s: skipped, the worker failed: %s\n", id, res->error);
		wire_free(&res->base);
		e->skipped++;
		return 0;
	}

	struct summary_opts opts = {e->k, "kp-eval", 0, &e->terms, e->idf};
	struct summary *s = NULL;
	const Nd__ChunkResult *parts[1] = {res};
	rc = summary_build(&s, parts, 1, &opts);
	const char **texts = rc ? NULL : calloc((size_t)e->k + res->n_sentences + 1, sizeof *texts);
	if (!texts) {
		summary_free(s);
		wire_free(&res->base);
		return rc ? rc : -ENOMEM;
	}
	const Nd__Digest *d = summary_digest(s);
	for (size_t i = 0; i < d->n_key_points; i++)
		texts[i] = d->key_points[i]->text;
	rc = score_choice(e, texts, d->n_key_points, &e->method, "method", id);

	size_t n = 0;
	for (size_t i = 0; !rc && i < res->n_sentences && n < (size_t)e->k; i++) {
		const Nd__Sentence *st = res->sentences[i];
		if (!(st->flags & ND__SENTENCE_FLAG__SENTENCE_HEADING) && st->words >= 1)
			texts[n++] = st->text;
	}
	if (!rc)
		rc = score_choice(e, texts, n, &e->lead, "lead", id);
	free(texts);
	summary_free(s);
	wire_free(&res->base);
	if (!rc)
		e->articles++;
	return rc;
}

static const char *const fig_names[NFIG] = {"P@k", "R-1", "R-2", "R-L"};

/* Figures as printed: precision as a share, ROUGE as percentages. */
static double shown(const struct totals *t, size_t n, int f)
{
	double v = n ? t->fig[f] / (double)n : 0;
	return f == 0 ? v : 100 * v;
}

static void print_report(const struct eval *e, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	printf("kp-eval %s: %zu articles (%zu skipped), k = %d\n", base, e->articles, e->skipped,
	       e->k);
	printf("%-8s %7s %7s %7s %7s\n", "", "P@k", "R-1", "R-2", "R-L");
	const struct totals *rows[2] = {&e->method, &e->lead};
	const char *names[2] = {"method", "lead"};
	for (int r = 0; r < 2; r++) {
		printf("%-8s", names[r]);
		for (int f = 0; f < NFIG; f++)
			printf(f ? " %7.2f" : " %7.3f", shown(rows[r], e->articles, f));
		printf("\n");
	}
	printf("%-8s", "delta");
	for (int f = 0; f < NFIG; f++)
		printf(f ? " %+7.2f" : " %+7.3f",
		       shown(&e->method, e->articles, f) - shown(&e->lead, e->articles, f));
	printf("\n");
}

/* Compare the method's figures with the "method" row of a record file. */
static int check_record(const struct eval *e, const char *record)
{
	FILE *f = fopen(record, "r");
	if (!f) {
		fprintf(stderr, "kp-eval: cannot open record %s: %s\n", record, strerror(errno));
		return 2;
	}
	char line[512];
	double want[NFIG];
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = sscanf(line, "method %lf %lf %lf %lf", &want[0], &want[1], &want[2],
		               &want[3]) == NFIG;
	fclose(f);
	if (!found) {
		fprintf(stderr, "kp-eval: record %s has no \"method\" row\n", record);
		return 2;
	}
	int bad = 0;
	for (int i = 0; i < NFIG; i++) {
		double got = shown(&e->method, e->articles, i);
		double slack = i == 0 ? 0.005 : 0.5;
		if (got < want[i] - slack) {
			fprintf(stderr, "kp-eval: %s fell from %.3f (recorded) to %.3f\n",
			        fig_names[i], want[i], got);
			bad = 1;
		}
	}
	return bad;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kp-eval [--k N] [--model M] [--dump] [--check RECORD] FILE.jsonl\n"
	           "  --k N            key points per article (default 3)\n"
	           "  --model M        entity model file, or 'rules' (default: the worker's)\n"
	           "  --dump           print every chosen sentence: id, method|lead, +|- "
	           "(reference or not), text\n"
	           "  --check RECORD   fail (exit 1) if a figure of the method falls more than\n"
	           "                   half a point (0.005 for P@k) below the record's\n");
}

int main(int argc, char **argv)
{
	struct eval e;
	memset(&e, 0, sizeof e);
	e.k = 3;
	const char *path = NULL, *record = NULL, *model = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--k") && i + 1 < argc) {
			char *end;
			long k = strtol(argv[++i], &end, 10);
			if (*end || k < 1 || k > 100) {
				fprintf(stderr, "kp-eval: --k wants a number from 1 to 100\n");
				return 2;
			}
			e.k = (int)k;
		} else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
			model = argv[++i];
		} else if (!strcmp(argv[i], "--dump")) {
			e.dump = true;
		} else if (!strcmp(argv[i], "--check") && i + 1 < argc) {
			record = argv[++i];
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || path) {
			usage(stderr);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	FILE *in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "kp-eval: cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct ner_extractor *ner = NULL;
	char why[4200];
	if (ner_open(model, &ner, why, sizeof why)) {
		fprintf(stderr, "kp-eval: %s (--model names another, or --model rules)\n", why);
		fclose(in);
		return 2;
	}
	work_init(&e.work, ner, "kp-eval");
	char idf_path[4200];
	if (terms_init(&e.terms) ||
	    idf_load(nd_model_path(IDF_MODEL_FILE, idf_path, sizeof idf_path), &e.idf))
		fprintf(stderr,
		        "kp-eval: no keyword weights from %s (keywords are not scored here)\n",
		        idf_path);

	int rc = 0;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	while (!rc && (len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (len <= 1)
			continue;
		cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
		if (!o) {
			fprintf(stderr, "kp-eval: line %zu: not JSON\n", lineno);
			e.skipped++;
			continue;
		}
		rc = eval_article(&e, o, lineno);
		cJSON_Delete(o);
	}
	free(line);
	fclose(in);
	if (rc)
		fprintf(stderr, "kp-eval: stopped at line %zu: %s\n", lineno,
		        rc == -ENOMEM ? "out of memory" : "error");
	else if (!e.dump)
		print_report(&e, path);
	if (!rc && record)
		rc = check_record(&e, record);

	free_refs(&e);
	free(e.refs);
	buf_free(&e.norm);
	buf_free(&e.body);
	buf_free(&e.title);
	buf_free(&e.frame);
	buf_free(&e.cand);
	buf_free(&e.ref);
	buf_free(&e.tmp);
	work_free(&e.work);
	terms_free(&e.terms);
	idf_free(e.idf);
	ner_close(ner);
	return rc ? (rc > 0 ? rc : 2) : 0;
}
