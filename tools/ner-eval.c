/*
 * ner-eval: score the entity tagger on a CoNLL-format file.
 *
 *     ner-eval [--model MODEL] [--check RECORD] FILE
 *
 * Tags every sentence of FILE (tokens in the first column, gold IOB tags in
 * the last) and prints precision, recall and F1 per type and overall with
 * conlleval's semantics: an entity counts as correct only when both its
 * span and its type match. The printed table is the record kept in
 * bench/ner-dev.txt; with --check RECORD the run fails (status 1) when the
 * overall F1 falls more than half a point below the record's, or when any
 * type's F1 is below 80.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ner.h"
#include "tagger.h"

/* No type may score below this with --check. */
#define MIN_TYPE_F1 80.0

static const char *const class_names[TAGGER_NCLASSES] = {"overall", "PER", "ORG", "LOC", "MISC"};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ner-eval [--model MODEL] [--check RECORD] FILE\n"
	        "  --model MODEL   the tagger model (default %s)\n"
	        "  --check RECORD  fail when overall F1 is more than 0.5 below the\n"
	        "                  'overall' line of RECORD (an earlier run's output),\n"
	        "                  or any type's is below 80\n",
	        ner_default_model());
}

/* The overall F1 of a recorded table; -1 when there is none. */
static double recorded_f1(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	double best = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		double p, r, f1;
		unsigned long g, pr, c;
		if (sscanf(line, "overall %lu %lu %lu %lf %lf %lf", &g, &pr, &c, &p, &r, &f1) == 6)
			best = f1;
	}
	fclose(f);
	return best;
}

int main(int argc, char **argv)
{
	const char *model = ner_default_model(), *check = NULL, *file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--model") && v) {
			model = v;
			i++;
		} else if (!strcmp(a, "--check") && v) {
			check = v;
			i++;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ner-eval: unknown option or missing value: '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (!file) {
			file = a;
		} else {
			fprintf(stderr, "ner-eval: one file only ('%s')\n", a);
			return 2;
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	struct tagger *t;
	int rc = tagger_load(model, ner_rules_lexicon(), &t);
	if (rc) {
		fprintf(stderr, "ner-eval: model %s: %s\n", model, tagger_strerror(rc));
		return 1;
	}
	struct tagger_corpus c;
	if ((rc = tagger_corpus_read(file, 0, &c))) {
		fprintf(stderr, "ner-eval: %s: %s\n", file, tagger_strerror(rc));
		tagger_free(t);
		return 1;
	}
	uint8_t *pred = malloc(c.ntoks ? c.ntoks : 1);
	if (!pred) {
		fprintf(stderr, "ner-eval: out of memory\n");
		return 1;
	}
	struct tagger_score s = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t k = 0; k < c.nsents && !rc; k++) {
		size_t b = c.sent_begin[k], n = c.sent_begin[k + 1] - b;
		rc = tagger_tag(t, c.toks + b, n, pred + b);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (size_t k = 0; k < c.nsents && !rc; k++) {
		size_t b = c.sent_begin[k], n = c.sent_begin[k + 1] - b;
		tagger_score_add(&s, c.tags + b, pred + b, n);
	}
	if (rc) {
		fprintf(stderr, "ner-eval: %s\n", tagger_strerror(rc));
		return 1;
	}
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# ner-eval %s: %zu sentences, %zu tokens, model %s (%s)\n", file, c.nsents, c.ntoks,
	       model, tagger_version(t));
	printf("# type gold predicted correct precision recall F1\n");
	double overall = 0, worst = 100;
	int worst_cls = 1;
	for (int k = 1; k <= TAGGER_NCLASSES; k++) {
		int cls = k % TAGGER_NCLASSES; /* the types first, overall last */
		double p, r, f;
		tagger_score_prf(&s, cls, &p, &r, &f);
		printf("%-7s %5zu %5zu %5zu %6.2f %6.2f %6.2f\n", class_names[cls], s.gold[cls],
		       s.pred[cls], s.correct[cls], p, r, f);
		if (!cls)
			overall = f;
		else if (f < worst) {
			worst = f;
			worst_cls = cls;
		}
	}
	fprintf(stderr, "ner-eval: tagged %zu tokens in %.3f s (%.0f tokens/s)\n", c.ntoks, secs,
	        secs > 0 ? (double)c.ntoks / secs : 0.0);
	int status = 0;
	if (check) {
		double rec = recorded_f1(check);
		if (rec < 0) {
			fprintf(stderr, "ner-eval: %s has no 'overall' line to check against\n",
			        check);
			status = 1;
		} else if (worst < MIN_TYPE_F1) {
			fprintf(stderr,
			        "ner-eval: %s F1 %.2f is below the floor of %.0f for any type\n",
			        class_names[worst_cls], worst, MIN_TYPE_F1);
			status = 1;
		} else if (overall < rec - 0.5) {
			fprintf(stderr,
			        "ner-eval: overall F1 %.2f is more than 0.5 below the recorded "
			        "%.2f (%s)\n",
			        overall, rec, check);
			status = 1;
		} else {
			fprintf(stderr, "ner-eval: overall F1 %.2f holds the recorded %.2f\n",
			        overall, rec);
		}
	}
	free(pred);
	tagger_corpus_free(&c);
	tagger_free(t);
	return status;
}
