/*
 * tagger: averaged perceptron over hashed features, Viterbi decoding.
 *
 * How it works. Every token of a sentence gets NFEAT feature hashes (see
 * feats_at() for the templates); a hash picks a row of the weight table
 * (2^bits rows of TAGGER_NTAGS weights), and a token's score for a tag is
 * the sum of that tag's column over its rows. The previous tag contributes
 * through trans[prev][tag], with one extra "start" row for the first token.
 * Viterbi finds the best sequence among those the BIO constraint allows.
 * Collisions in the table are accepted: with 2^18 rows and CoNLL's few
 * hundred thousand distinct features they cost little, and they keep the
 * model a fixed, small size with no dictionary to store.
 *
 * Training is the averaged structured perceptron (Collins 2002): decode a
 * sentence with the current weights, and where the decoded tags differ from
 * the gold ones add the gold features and subtract the decoded ones. The
 * average over all steps is kept with the usual trick (u accumulates
 * step * delta; the average is w - u / steps). Sentences are visited in an
 * order shuffled by a seeded xorshift generator, so the same corpus, seed
 * and options give the same model, bit for bit.
 *
 * Weights are stored as int16 with one float scale (max |w| maps to 32767),
 * which halves the file against float and loses nothing measurable; the
 * tagger always tags from the quantised table, so a freshly trained tagger
 * and the same model read back from its file tag identically.
 *
 * Model file, little-endian:
 *     0  "NDTAGGER"             magic
 *     8  u32 version            TAGGER_FILE_VERSION
 *    12  u32 bits               table has 2^bits rows
 *    16  u32 ntags              TAGGER_NTAGS
 *    20  u32 feature set        FEATSET; a change of templates bumps it
 *    24  f32 scale              weight = int16 * scale
 *    28  u32 lexicon            checksum of the word lists (0: none)
 *    32  char name[32]          the model's name and version, NUL-padded
 *    64  f32 trans[10][9]       previous tag (9: start) by tag
 *   424  i16 w[2^bits][9]
 *        u32 ncap               capitalisation classes of known words:
 *        u32 hash[ncap]         lower-cased word hashes, ascending
 *        u8 class[ncap]         1 always lower .. 4 always capitalised
 *   end  u32 checksum of every byte before it (sum64() below)
 *
 * A model file is mapped read-only and tagged from in place (on
 * little-endian hosts): loading costs one pass to check the sum, and the
 * workers of one machine share the pages of one model.
 */
#include "tagger.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAGGER_FILE_VERSION 2
#define FEATSET 3
#define NT TAGGER_NTAGS
#define NPREV (NT + 1)
#define START NT
#define HEADER_BYTES 64
#define NAME_BYTES 32
#define TRANS_BYTES (NPREV * NT * 4)

static const char magic[8] = {'N', 'D', 'T', 'A', 'G', 'G', 'E', 'R'};

struct tagger {
	char name[NAME_BYTES + 1];
	const struct tagger_lexicon *lx; /* NULL: no lexicon features */
	/* Capitalisation classes of known words (see tagger_set_caps()):
	 * ncap lower-cased word hashes, sorted, and a class for each. */
	uint32_t *caph;
	uint8_t *capc;
	size_t ncap;
	unsigned bits;
	uint32_t mask;
	float scale;
	float trans[NPREV * NT];
	int16_t *w; /* (mask + 1) * NT; in the mapped file for a loaded model */
	void *map;  /* the mapped model file, or NULL (a model made by tagger_new) */
	size_t map_len;
	bool owned; /* w, caph and capc were allocated here (not in the map) */
	/* Per-sentence workspace, grown only for longer sentences. */
	size_t cap;
	struct tokh *th;
	uint32_t *rows;
	float *em;
	float *delta;
	uint8_t *bp;
};

/* Per-token hashes computed once per sentence. */
struct tokh {
	uint32_t word, lower, shape, sshape;
	uint32_t capclass; /* 0 other, 1 lower, 2 initial cap, 3 all caps, 4 mixed, 5 digits */
	uint32_t lex;      /* the lexicon's class bits of the word */
	uint32_t gaz;      /* inside a multi-word lexicon entry: 1 first word, 2 later, or 0;
	                      with its class bits above bit 2 */
	uint32_t cap;      /* how the word is usually written: CAP_* */
};

const char *tagger_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case TAGGER_ENOMEM:
		return "out of memory";
	case TAGGER_ENOENT:
		return "file not found";
	case TAGGER_EIO:
		return "read or write error";
	case TAGGER_EMAGIC:
		return "not a tagger model (bad magic header)";
	case TAGGER_EVERSION:
		return "tagger model of an unsupported format version or feature set";
	case TAGGER_ETRUNC:
		return "tagger model file truncated";
	case TAGGER_ECORRUPT:
		return "tagger model file corrupt (bad sizes, checksum or trailing bytes)";
	case TAGGER_EFORMAT:
		return "CoNLL line without a known IOB2 tag in its last column";
	case TAGGER_EINVAL:
		return "invalid argument";
	case TAGGER_ELEXICON:
		return "tagger model trained with other word lists than this build has (retrain "
		       "it: "
		       "tools/ner-train, or the build's ner-model target)";
	default:
		return "unknown tagger error";
	}
}

static const char *const tag_names[NT] = {"O",     "B-PER", "I-PER",  "B-ORG", "I-ORG",
                                          "B-LOC", "I-LOC", "B-MISC", "I-MISC"};

const char *tagger_tag_name(int tag)
{
	if (tag < 0 || tag >= NT)
		return NULL;
	return tag_names[tag];
}

int tagger_tag_from_name(const char *s, size_t len)
{
	for (int t = 0; t < NT; t++)
		if (strlen(tag_names[t]) == len && !memcmp(tag_names[t], s, len))
			return t;
	return -1;
}

/* ---- hashing and features ---- */

static inline uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline uint32_t fnv(const char *s, size_t n, bool lower)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (lower && ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		h = (h ^ ch) * 16777619u;
	}
	return h;
}

static inline uint32_t f1(uint32_t k, uint32_t a)
{
	return mix(a ^ (k * 0x9e3779b1u));
}

static inline uint32_t f2(uint32_t k, uint32_t a, uint32_t b)
{
	return mix(f1(k, a) + b * 0x27d4eb2du);
}

static inline uint32_t f3(uint32_t k, uint32_t a, uint32_t b, uint32_t c)
{
	return mix(f2(k, a, b) + c * 0x165667b1u);
}

static inline char shape_class(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return 'X';
	if (ch >= 'a' && ch <= 'z')
		return 'x';
	if (ch >= '0' && ch <= '9')
		return 'd';
	if (ch >= 0x80)
		return 'u';
	return (char)ch;
}

size_t tagger_shape(const char *s, size_t len, int short_form, char *dst, size_t cap)
{
	size_t o = 0, run = 0;
	char last = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len && o + 1 < cap; i++) {
		char c = shape_class((unsigned char)s[i]);
		if (c == last) {
			run++;
			if (short_form || run >= 4)
				continue;
		} else {
			run = 0;
			last = c;
		}
		dst[o++] = c;
	}
	dst[o] = 0;
	return o;
}

/* The capitalisation class of a lower-cased word hash: 0 when unknown. */
static uint32_t cap_class(const struct tagger *t, uint32_t lower)
{
	size_t lo = 0, hi = t->ncap;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->caph[mid] < lower)
			lo = mid + 1;
		else if (t->caph[mid] > lower)
			hi = mid;
		else
			return t->capc[mid];
	}
	return 0;
}

static void tok_hash(const struct tagger *tg, const struct tagger_tok *t, struct tokh *h)
{
	const struct tagger_lexicon *lx = tg->lx;
	char sh[32];
	size_t n;
	int up = 0, lo = 0, dg = 0;
	h->word = fnv(t->s, t->len, false);
	h->lex = lx ? lx->word(lx->ctx, t->s, t->len) : 0; /* TAGGER_LEX_PHRASE cleared below */
	h->gaz = 0;
	h->lower = fnv(t->s, t->len, true);
	h->cap = cap_class(tg, h->lower);
	n = tagger_shape(t->s, t->len, 0, sh, sizeof sh);
	h->shape = fnv(sh, n, false);
	n = tagger_shape(t->s, t->len, 1, sh, sizeof sh);
	h->sshape = fnv(sh, n, false);
	for (size_t i = 0; i < t->len; i++) {
		unsigned char ch = (unsigned char)t->s[i];
		up += ch >= 'A' && ch <= 'Z';
		lo += ch >= 'a' && ch <= 'z';
		dg += ch >= '0' && ch <= '9';
	}
	if (up && !lo)
		h->capclass = 3;
	else if (up && t->len && t->s[0] >= 'A' && t->s[0] <= 'Z')
		h->capclass = up == 1 ? 2 : 4;
	else if (lo && !up)
		h->capclass = 1;
	else if (dg && !up && !lo)
		h->capclass = 5;
	else
		h->capclass = up ? 4 : 0;
}

static int reserve(struct tagger *t, size_t n);
static void sentence_rows(struct tagger *t, const struct tagger_tok *toks, size_t n);

/* Hashes of the sentinels beyond the sentence's ends. */
static const struct tokh bos = {0x51ed270bu, 0x51ed270bu, 0x1b873593u, 0x1b873593u, 6, 0, 0, 5};
static const struct tokh eos = {0x2f8a4c1du, 0x2f8a4c1du, 0x6a09e667u, 0x6a09e667u, 7, 0, 0, 6};

#define NFEAT 48

/*
 * The templates. win[0..4] are tokens i-2..i+2 (sentinels beyond the
 * ends); tok is token i itself (for affixes); start tells whether i opens
 * the sentence; upper whether the sentence has no lower-case letter at all
 * (a headline, where capitals say nothing).
 */
static void feats_at(const struct tokh *const win[5], const struct tagger_tok *tok, bool start,
                     bool upper, uint32_t *r)
{
	const struct tokh *p2 = win[0], *p1 = win[1], *c = win[2], *n1 = win[3], *n2 = win[4];
	size_t k = 0;
	r[k++] = f1(0, 0);
	r[k++] = f1(1, c->word);
	r[k++] = f1(2, c->lower);
	r[k++] = f1(3, c->shape);
	r[k++] = f1(4, c->sshape);
	for (uint32_t a = 1; a <= 4; a++) {
		size_t m = a <= tok->len ? a : tok->len;
		r[k++] = f2(5, a, fnv(tok->s, m, true));
		r[k++] = f2(6, a, fnv(tok->s + tok->len - m, m, true));
	}
	r[k++] = f2(7, c->capclass, start);
	r[k++] = f2(8, c->word, start);
	r[k++] = f1(9, p1->lower);
	r[k++] = f1(10, n1->lower);
	r[k++] = f1(11, p2->lower);
	r[k++] = f1(12, n2->lower);
	r[k++] = f1(13, p1->sshape);
	r[k++] = f1(14, n1->sshape);
	r[k++] = f1(15, p2->sshape);
	r[k++] = f1(16, n2->sshape);
	r[k++] = f2(17, p1->lower, c->lower);
	r[k++] = f2(18, c->lower, n1->lower);
	r[k++] = f3(19, p1->sshape, c->sshape, n1->sshape);
	r[k++] = f2(20, p1->lower, c->sshape);
	r[k++] = f2(21, c->sshape, n1->lower);
	r[k++] = f2(22, upper, c->lower);
	r[k++] = f2(23, upper, c->capclass);
	r[k++] = f1(24, p1->word);
	r[k++] = f1(25, n1->word);
	r[k++] = f2(26, p1->shape, c->shape);
	r[k++] = f2(27, c->shape, n1->shape);
	r[k++] = f2(28, tok->len < 8 ? tok->len : 8, c->capclass);
	r[k++] = f3(29, p1->capclass, c->capclass, n1->capclass);
	r[k++] = f3(30, p2->lower, p1->lower, c->sshape);
	r[k++] = f3(31, c->sshape, n1->lower, n2->lower);
	r[k++] = f1(32, c->lex);
	r[k++] = f1(33, p1->lex);
	r[k++] = f1(34, n1->lex);
	r[k++] = f2(35, c->lex, c->capclass);
	r[k++] = f1(36, c->gaz);
	r[k++] = f2(37, p1->gaz, n1->gaz);
	r[k++] = f2(38, c->cap, c->capclass);
	r[k++] = f3(39, c->cap, c->capclass, start);
	r[k++] = f2(40, p1->cap, p1->capclass);
	r[k++] = f2(41, n1->cap, n1->capclass);
	/* k == NFEAT */
}

static bool sentence_upper(const struct tagger_tok *toks, size_t n)
{
	bool letters = false;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < toks[i].len; j++) {
			unsigned char ch = (unsigned char)toks[i].s[j];
			if (ch >= 'a' && ch <= 'z')
				return false;
			letters |= ch >= 'A' && ch <= 'Z';
		}
	return letters;
}

size_t tagger_features(struct tagger *t, const struct tagger_tok *toks, size_t n, size_t i,
                       uint32_t *rows, size_t cap)
{
	if (i >= n || reserve(t, n))
		return 0;
	sentence_rows(t, toks, n);
	size_t m = cap < NFEAT ? cap : NFEAT;
	memcpy(rows, &t->rows[i * NFEAT], m * sizeof *rows);
	return m;
}

/* ---- tagger object ---- */

int tagger_new(unsigned bits, const struct tagger_lexicon *lx, struct tagger **out)
{
	*out = NULL;
	if (bits < 10 || bits > 24)
		return TAGGER_EINVAL;
	struct tagger *t = calloc(1, sizeof *t);
	if (!t)
		return TAGGER_ENOMEM;
	t->bits = bits;
	t->lx = lx;
	t->mask = (1u << bits) - 1;
	t->scale = 1.0f;
	memcpy(t->name, "untrained", 10);
	t->owned = true;
	t->w = calloc((size_t)(t->mask + 1) * NT, sizeof *t->w);
	if (!t->w) {
		free(t);
		return TAGGER_ENOMEM;
	}
	*out = t;
	return 0;
}

void tagger_free(struct tagger *t)
{
	if (!t)
		return;
	if (t->owned) {
		free(t->w);
		free(t->caph);
		free(t->capc);
	}
	if (t->map)
		munmap(t->map, t->map_len);
	free(t->th);
	free(t->rows);
	free(t->em);
	free(t->delta);
	free(t->bp);
	free(t);
}

const char *tagger_version(const struct tagger *t)
{
	return t->name;
}

int tagger_set_version(struct tagger *t, const char *name)
{
	size_t n = strlen(name);
	if (!n || n > NAME_BYTES)
		return TAGGER_EINVAL;
	memcpy(t->name, name, n + 1);
	return 0;
}

unsigned tagger_bits(const struct tagger *t)
{
	return t->bits;
}

static int reserve(struct tagger *t, size_t n)
{
	if (n <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 64;
	while (cap < n)
		cap *= 2;
	struct tokh *th = realloc(t->th, cap * sizeof *th);
	if (th)
		t->th = th;
	uint32_t *rows = realloc(t->rows, cap * NFEAT * sizeof *rows);
	if (rows)
		t->rows = rows;
	float *em = realloc(t->em, cap * NT * sizeof *em);
	if (em)
		t->em = em;
	float *delta = realloc(t->delta, cap * NT * sizeof *delta);
	if (delta)
		t->delta = delta;
	uint8_t *bp = realloc(t->bp, cap * NT);
	if (bp)
		t->bp = bp;
	if (!th || !rows || !em || !delta || !bp)
		return TAGGER_ENOMEM;
	t->cap = cap;
	return 0;
}

/* Fill t->rows for the sentence (t->cap >= n). */
static void sentence_rows(struct tagger *t, const struct tagger_tok *toks, size_t n)
{
	bool upper = sentence_upper(toks, n);
	for (size_t i = 0; i < n; i++)
		tok_hash(t, &toks[i], &t->th[i]);
	for (size_t i = 0; t->lx && i < n;) {
		uint32_t cls = 0;
		size_t k = t->th[i].lex & TAGGER_LEX_PHRASE
		               ? t->lx->phrase(t->lx->ctx, toks + i, n - i, &cls)
		               : 0;
		if (k < 2 || k > n - i) {
			i++;
			continue;
		}
		for (size_t j = 0; j < k; j++)
			t->th[i + j].gaz = (j ? 2u : 1u) | cls << 2;
		i += k;
	}
	for (size_t i = 0; i < n; i++)
		t->th[i].lex &= ~TAGGER_LEX_PHRASE;
	for (size_t i = 0; i < n; i++) {
		const struct tokh *win[5];
		for (int d = -2; d <= 2; d++) {
			ptrdiff_t j = (ptrdiff_t)i + d;
			win[d + 2] = j < 0 ? &bos : (size_t)j >= n ? &eos : &t->th[j];
		}
		uint32_t *r = &t->rows[i * NFEAT];
		feats_at(win, &toks[i], i == 0, upper, r);
		for (size_t k = 0; k < NFEAT; k++)
			r[k] &= t->mask;
	}
}

static bool allowed(int prev, int tag)
{
	if (tag == 0 || TAGGER_TAG_IS_B(tag))
		return true;
	return prev != START && prev != 0 && TAGGER_TAG_CLASS(prev) == TAGGER_TAG_CLASS(tag);
}

/* Viterbi over em[n][NT] and trans; writes the best allowed tags. */
static void viterbi(struct tagger *t, const float *em, const float *trans_in, size_t n,
                    uint8_t *tags)
{
	float *d = t->delta;
	uint8_t *bp = t->bp;
	/* The transitions with the BIO constraint folded in as -inf. */
	float trans[NPREV * NT];
	for (int p = 0; p < NPREV; p++)
		for (int y = 0; y < NT; y++)
			trans[p * NT + y] = allowed(p, y) ? trans_in[p * NT + y] : -INFINITY;
	for (int y = 0; y < NT; y++)
		d[y] = em[y] + trans[START * NT + y];
	for (size_t i = 1; i < n; i++) {
		for (int y = 0; y < NT; y++) {
			float best = -INFINITY;
			int arg = 0;
			for (int p = 0; p < NT; p++) {
				float s = d[(i - 1) * NT + p] + trans[p * NT + y];
				if (s > best) {
					best = s;
					arg = p;
				}
			}
			d[i * NT + y] = best + em[i * NT + y];
			bp[i * NT + y] = (uint8_t)arg;
		}
	}
	int y = 0;
	float best = -INFINITY;
	for (int k = 0; k < NT; k++)
		if (d[(n - 1) * NT + k] > best) {
			best = d[(n - 1) * NT + k];
			y = k;
		}
	for (size_t i = n; i-- > 0;) {
		tags[i] = (uint8_t)y;
		if (i)
			y = bp[i * NT + y];
	}
}

int tagger_tag(struct tagger *t, const struct tagger_tok *toks, size_t n, uint8_t *tags)
{
	if (!n)
		return 0;
	if (reserve(t, n))
		return TAGGER_ENOMEM;
	sentence_rows(t, toks, n);
	/* The table is far bigger than the caches: ask for the next token's
	 * rows while this token's are summed. */
	for (size_t k = 0; k < NFEAT; k++)
		__builtin_prefetch(&t->w[(size_t)t->rows[k] * NT]);
	for (size_t i = 0; i < n; i++) {
		int32_t acc[NT] = {0};
		const uint32_t *r = &t->rows[i * NFEAT];
		if (i + 1 < n)
			for (size_t k = 0; k < NFEAT; k++)
				__builtin_prefetch(&t->w[(size_t)r[NFEAT + k] * NT]);
		for (size_t k = 0; k < NFEAT; k++) {
			const int16_t *w = &t->w[(size_t)r[k] * NT];
			for (int y = 0; y < NT; y++)
				acc[y] += w[y];
		}
		for (int y = 0; y < NT; y++)
			t->em[i * NT + y] = (float)acc[y] * t->scale;
	}
	viterbi(t, t->em, t->trans, n, tags);
	return 0;
}

size_t tagger_bio_repair(uint8_t *tags, size_t n)
{
	size_t changed = 0;
	int prev = START;
	for (size_t i = 0; i < n; i++) {
		if (tags[i] >= NT) {
			tags[i] = 0;
			changed++;
		} else if (!allowed(prev, tags[i])) {
			tags[i] = (uint8_t)(tags[i] - 1);
			changed++;
		}
		prev = tags[i];
	}
	return changed;
}

/* ---- training ---- */

struct avg {
	double *w, *u;
	double trans[NPREV * NT], transu[NPREV * NT];
	double step;
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void upd(double *w, double *u, size_t idx, double delta, double step)
{
	w[idx] += delta;
	u[idx] += step * delta;
}

/* The averaged weights, quantised into the tagger's table. */
static void average_into(struct tagger *t, const struct avg *a, size_t nw)
{
	float maxabs = 0;
	for (size_t i = 0; i < nw; i++) {
		float m = (float)fabs(a->w[i] - a->u[i] / a->step);
		maxabs = m > maxabs ? m : maxabs;
	}
	for (size_t i = 0; i < NPREV * NT; i++)
		t->trans[i] = (float)(a->trans[i] - a->transu[i] / a->step);
	t->scale = maxabs > 0 ? maxabs / 32767.0f : 1.0f;
	for (size_t i = 0; i < nw; i++)
		t->w[i] = (int16_t)lrint((a->w[i] - a->u[i] / a->step) / t->scale);
}

int tagger_train(struct tagger *t, const struct tagger_corpus *c,
                 const struct tagger_train_opts *opts)
{
	if (!t->owned)
		return TAGGER_EINVAL; /* a loaded model is read-only */
	size_t nw = (size_t)(t->mask + 1) * NT;
	struct avg a = {0};
	size_t *order = malloc((c->nsents ? c->nsents : 1) * sizeof *order);
	uint8_t *pred = NULL;
	size_t maxn = 1;
	int rc = TAGGER_ENOMEM;
	a.w = calloc(nw, sizeof *a.w);
	a.u = calloc(nw, sizeof *a.u);
	for (size_t s = 0; s < c->nsents; s++) {
		size_t n = c->sent_begin[s + 1] - c->sent_begin[s];
		maxn = n > maxn ? n : maxn;
	}
	pred = malloc(maxn);
	if (!order || !a.w || !a.u || !pred || reserve(t, maxn))
		goto out;
	for (size_t s = 0; s < c->nsents; s++)
		order[s] = s;
	uint64_t rng = opts->seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!rng)
		rng = 1;
	a.step = 1;
	for (unsigned ep = 0; ep < opts->epochs; ep++) {
		size_t mistakes = 0;
		for (size_t s = c->nsents; s > 1; s--) {
			size_t j = (size_t)(xorshift(&rng) % s);
			size_t tmp = order[s - 1];
			order[s - 1] = order[j];
			order[j] = tmp;
		}
		for (size_t si = 0; si < c->nsents; si++, a.step++) {
			size_t s = order[si], b = c->sent_begin[s];
			size_t n = c->sent_begin[s + 1] - b;
			const uint8_t *gold = c->tags + b;
			if (!n)
				continue;
			sentence_rows(t, c->toks + b, n);
			for (size_t i = 0; i < n; i++) {
				float *e = &t->em[i * NT];
				const uint32_t *r = &t->rows[i * NFEAT];
				for (int y = 0; y < NT; y++)
					e[y] = 0;
				for (size_t k = 0; k < NFEAT; k++) {
					const double *w = &a.w[(size_t)r[k] * NT];
					for (int y = 0; y < NT; y++)
						e[y] += (float)w[y];
				}
			}
			float ftrans[NPREV * NT];
			for (size_t k = 0; k < NPREV * NT; k++)
				ftrans[k] = (float)a.trans[k];
			viterbi(t, t->em, ftrans, n, pred);
			int pg = START, pp = START;
			for (size_t i = 0; i < n; i++) {
				int g = gold[i], p = pred[i];
				if (g != p) {
					mistakes++;
					const uint32_t *r = &t->rows[i * NFEAT];
					for (size_t k = 0; k < NFEAT; k++) {
						upd(a.w, a.u, (size_t)r[k] * NT + (size_t)g, 1,
						    a.step);
						upd(a.w, a.u, (size_t)r[k] * NT + (size_t)p, -1,
						    a.step);
					}
				}
				if (pg != pp || g != p) {
					upd(a.trans, a.transu, (size_t)(pg * NT + g), 1, a.step);
					upd(a.trans, a.transu, (size_t)(pp * NT + p), -1, a.step);
				}
				pg = g;
				pp = p;
			}
		}
		average_into(t, &a, nw);
		if (opts->epoch_cb)
			opts->epoch_cb(t, ep + 1, mistakes, c->ntoks, opts->arg);
	}
	rc = 0;
out:
	free(order);
	free(pred);
	free(a.w);
	free(a.u);
	return rc;
}

/* ---- capitalisation statistics ---- */

struct tagger_caps {
	uint32_t *keys; /* lower-cased word hashes; 0 marks an empty slot */
	uint32_t *lower, *upper;
	size_t cap, n;
};

int tagger_caps_new(struct tagger_caps **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : TAGGER_ENOMEM;
}

void tagger_caps_free(struct tagger_caps *c)
{
	if (!c)
		return;
	free(c->keys);
	free(c->lower);
	free(c->upper);
	free(c);
}

static int caps_grow(struct tagger_caps *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1 << 14;
	uint32_t *k = calloc(cap, sizeof *k), *lo = calloc(cap, sizeof *lo),
	         *up = calloc(cap, sizeof *up);
	if (!k || !lo || !up) {
		free(k);
		free(lo);
		free(up);
		return TAGGER_ENOMEM;
	}
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->keys[i])
			continue;
		size_t j = c->keys[i] & (cap - 1);
		while (k[j])
			j = (j + 1) & (cap - 1);
		k[j] = c->keys[i];
		lo[j] = c->lower[i];
		up[j] = c->upper[i];
	}
	free(c->keys);
	free(c->lower);
	free(c->upper);
	c->keys = k;
	c->lower = lo;
	c->upper = up;
	c->cap = cap;
	return 0;
}

int tagger_caps_add(struct tagger_caps *c, const struct tagger_tok *toks, size_t n)
{
	if (sentence_upper(toks, n))
		return 0; /* a headline's capitals say nothing */
	for (size_t i = 1; i < n; i++) {
		unsigned char ch = toks[i].len ? (unsigned char)toks[i].s[0] : 0;
		bool up = ch >= 'A' && ch <= 'Z', lo = ch >= 'a' && ch <= 'z';
		if (!up && !lo)
			continue;
		if ((c->n + 1) * 2 > c->cap && caps_grow(c))
			return TAGGER_ENOMEM;
		uint32_t h = fnv(toks[i].s, toks[i].len, true);
		h = h ? h : 1;
		size_t j = h & (c->cap - 1);
		while (c->keys[j] && c->keys[j] != h)
			j = (j + 1) & (c->cap - 1);
		if (!c->keys[j]) {
			c->keys[j] = h;
			c->n++;
		}
		if (up)
			c->upper[j]++;
		else
			c->lower[j]++;
	}
	return 0;
}

struct capent {
	uint32_t h;
	uint8_t cls;
};

static int cmp_capent(const void *a, const void *b)
{
	uint32_t x = ((const struct capent *)a)->h, y = ((const struct capent *)b)->h;
	return x < y ? -1 : x > y;
}

int tagger_set_caps(struct tagger *t, const struct tagger_caps *c, unsigned min_count)
{
	if (!t->owned)
		return TAGGER_EINVAL; /* a loaded model is read-only */
	size_t m = 0;
	struct capent *v = malloc((c->n ? c->n : 1) * sizeof *v);
	if (!v)
		return TAGGER_ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		uint32_t total = c->lower[i] + c->upper[i];
		if (!c->keys[i] || total < min_count)
			continue;
		double share = (double)c->upper[i] / total;
		v[m].h = c->keys[i];
		v[m].cls = share < 0.05 ? 1 : share < 0.5 ? 2 : share < 0.95 ? 3 : 4;
		m++;
	}
	qsort(v, m, sizeof *v, cmp_capent);
	uint32_t *h = malloc((m ? m : 1) * sizeof *h);
	uint8_t *cls = malloc(m ? m : 1);
	if (!h || !cls) {
		free(v);
		free(h);
		free(cls);
		return TAGGER_ENOMEM;
	}
	for (size_t i = 0; i < m; i++) {
		h[i] = v[i].h;
		cls[i] = v[i].cls;
	}
	free(v);
	free(t->caph);
	free(t->capc);
	t->caph = h;
	t->capc = cls;
	t->ncap = m;
	return 0;
}

int tagger_cap_class(const struct tagger *t, const char *s, size_t len)
{
	uint32_t h = fnv(s, len, true);
	return (int)cap_class(t, h ? h : 1);
}

size_t tagger_caps_size(const struct tagger *t)
{
	return t->ncap;
}

/* ---- model file ---- */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t fbits(float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	return v;
}

static float bitsf(uint32_t v)
{
	float f;
	memcpy(&f, &v, 4);
	return f;
}

static size_t file_bytes(unsigned bits, size_t ncap)
{
	return HEADER_BYTES + TRANS_BYTES + ((size_t)1 << bits) * NT * 2 + 4 + ncap * 5 + 4;
}

/* The count of capitalisation entries in a file b whose table has 2^bits
 * rows (the caller checked that the count itself is inside the file). */
static size_t caps_count(const unsigned char *b, unsigned bits)
{
	return get32(b + HEADER_BYTES + TRANS_BYTES + ((size_t)1 << bits) * NT * 2);
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The file's checksum: eight bytes at a step, so checking a model of tens
 * of megabytes takes milliseconds. */
static uint32_t sum64(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		h = (h ^ get64(p + i)) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ h >> 32);
}

int tagger_save(const struct tagger *t, const char *path)
{
	size_t size = file_bytes(t->bits, t->ncap), nw = (size_t)(t->mask + 1) * NT;
	unsigned char *b = malloc(size);
	if (!b)
		return TAGGER_ENOMEM;
	memcpy(b, magic, 8);
	put32(b + 8, TAGGER_FILE_VERSION);
	put32(b + 12, t->bits);
	put32(b + 16, NT);
	put32(b + 20, FEATSET);
	put32(b + 24, fbits(t->scale));
	put32(b + 28, t->lx ? t->lx->checksum : 0);
	memset(b + 32, 0, NAME_BYTES);
	memcpy(b + 32, t->name, strlen(t->name));
	for (size_t i = 0; i < NPREV * NT; i++)
		put32(b + HEADER_BYTES + 4 * i, fbits(t->trans[i]));
	unsigned char *p = b + HEADER_BYTES + TRANS_BYTES;
	for (size_t i = 0; i < nw; i++) {
		uint16_t v = (uint16_t)t->w[i];
		p[2 * i] = (unsigned char)v;
		p[2 * i + 1] = (unsigned char)(v >> 8);
	}
	p += 2 * nw;
	put32(p, (uint32_t)t->ncap);
	p += 4;
	for (size_t i = 0; i < t->ncap; i++)
		put32(p + 4 * i, t->caph[i]);
	if (t->ncap)
		memcpy(p + 4 * t->ncap, t->capc, t->ncap);
	put32(b + size - 4, sum64(b, size - 4));

	size_t plen = strlen(path);
	char *tmp = malloc(plen + 8);
	int rc = TAGGER_ENOMEM;
	if (!tmp)
		goto out;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	FILE *f = fopen(tmp, "wb");
	rc = TAGGER_EIO;
	if (!f)
		goto out;
	bool ok = fwrite(b, 1, size, f) == size;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path)) {
		remove(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(b);
	return rc;
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? TAGGER_ENOENT : TAGGER_EIO;
	size_t cap = 1 << 16, n = 0;
	unsigned char *b = malloc(cap);
	int rc = TAGGER_ENOMEM;
	while (b) {
		if (n == cap) {
			unsigned char *nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			rc = ferror(f) ? TAGGER_EIO : 0;
			break;
		}
	}
	fclose(f);
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	*len = n;
	return 0;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IN_PLACE 1
#else
#define IN_PLACE 0
#endif

/* Map a file read-only. 0 or a tagger_err. */
static int map_file(const char *path, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? TAGGER_ENOENT : TAGGER_EIO;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return TAGGER_EIO;
	}
	*len = (size_t)st.st_size;
	if (!*len) {
		close(fd);
		*out = NULL;
		return TAGGER_ETRUNC;
	}
	void *m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return TAGGER_EIO;
	*out = m;
	return 0;
}

int tagger_load(const char *path, const struct tagger_lexicon *lx, struct tagger **out)
{
	unsigned char *b;
	size_t n;
	*out = NULL;
	int rc = map_file(path, &b, &n);
	if (rc)
		return rc;
	struct tagger *t = NULL;
	if (n < 8 && !memcmp(b, magic, n))
		rc = TAGGER_ETRUNC;
	else if (n < 8 || memcmp(b, magic, 8))
		rc = TAGGER_EMAGIC;
	else if (n < 12)
		rc = TAGGER_ETRUNC;
	else if (get32(b + 8) != TAGGER_FILE_VERSION)
		rc = TAGGER_EVERSION;
	else if (n < HEADER_BYTES)
		rc = TAGGER_ETRUNC;
	else if (get32(b + 16) != NT || get32(b + 20) != FEATSET)
		rc = TAGGER_EVERSION;
	else if (get32(b + 12) < 10 || get32(b + 12) > 24)
		rc = TAGGER_ECORRUPT;
	else if (n < file_bytes(get32(b + 12), 0))
		rc = TAGGER_ETRUNC;
	else if (n < file_bytes(get32(b + 12), caps_count(b, get32(b + 12))))
		rc = TAGGER_ETRUNC;
	else if (n > file_bytes(get32(b + 12), caps_count(b, get32(b + 12))) ||
	         get32(b + n - 4) != sum64(b, n - 4))
		rc = TAGGER_ECORRUPT;
	else if (get32(b + 28) != (lx ? lx->checksum : 0))
		rc = TAGGER_ELEXICON;
	else if (!(t = calloc(1, sizeof *t)))
		rc = TAGGER_ENOMEM;
	if (rc) {
		munmap(b, n);
		return rc;
	}
	t->map = b;
	t->map_len = n;
	t->bits = get32(b + 12);
	t->mask = (1u << t->bits) - 1;
	t->lx = lx;
	t->scale = bitsf(get32(b + 24));
	memcpy(t->name, b + 32, NAME_BYTES);
	t->name[NAME_BYTES] = 0;
	for (size_t i = 0; i < NPREV * NT; i++)
		t->trans[i] = bitsf(get32(b + HEADER_BYTES + 4 * i));
	unsigned char *p = b + HEADER_BYTES + TRANS_BYTES;
	size_t nw = (size_t)(t->mask + 1) * NT;
	size_t ncap = get32(p + 2 * nw);
	unsigned char *ph = p + 2 * nw + 4, *pc = ph + 4 * ncap;
	if (IN_PLACE) {
		/* Little-endian and aligned (offsets 424 and a multiple of 4). */
		t->w = (int16_t *)(void *)p;
		t->caph = (uint32_t *)(void *)ph;
		t->capc = pc;
	} else {
		t->owned = true;
		t->w = malloc(nw * sizeof *t->w);
		t->caph = malloc((ncap ? ncap : 1) * sizeof *t->caph);
		t->capc = malloc(ncap ? ncap : 1);
		if (!t->w || !t->caph || !t->capc) {
			tagger_free(t);
			return TAGGER_ENOMEM;
		}
		for (size_t i = 0; i < nw; i++)
			t->w[i] = (int16_t)(uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
		for (size_t i = 0; i < ncap; i++)
			t->caph[i] = get32(ph + 4 * i);
		memcpy(t->capc, pc, ncap);
	}
	t->ncap = ncap;
	for (size_t i = 1; i < ncap; i++)
		if (t->caph[i] <= t->caph[i - 1])
			rc = TAGGER_ECORRUPT;
	if (rc) {
		tagger_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- corpus ---- */

void tagger_corpus_free(struct tagger_corpus *c)
{
	if (!c)
		return;
	free(c->text);
	free(c->toks);
	free(c->tags);
	free(c->sent_begin);
	free(c->line_of);
	free(c->line_len);
	memset(c, 0, sizeof *c);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 1024;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return TAGGER_ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

int tagger_corpus_read(const char *path, size_t max_sents, struct tagger_corpus *c)
{
	unsigned char *b;
	size_t n, cap_t = 0, cap_s = 0, cap_tags = 0, cap_lo = 0, cap_ll = 0;
	memset(c, 0, sizeof *c);
	int rc = read_all(path, &b, &n);
	if (rc)
		return rc;
	c->text = (char *)b;
	if ((rc = grow((void **)&c->sent_begin, &cap_s, 1, sizeof(size_t))))
		goto fail;
	c->sent_begin[0] = 0;
	size_t pos = 0;
	while (pos < n) {
		size_t e = pos;
		while (e < n && b[e] != '\n')
			e++;
		size_t le = e;
		while (le > pos && (b[le - 1] == '\r' || b[le - 1] == ' ' || b[le - 1] == '\t'))
			le--;
		size_t next = e + 1;
		bool docstart = le - pos >= 10 && !memcmp(b + pos, "-DOCSTART-", 10);
		if (le == pos || docstart) {
			if (c->sent_begin[c->nsents] < c->ntoks) {
				c->nsents++;
				if ((rc = grow((void **)&c->sent_begin, &cap_s, c->nsents + 1,
				               sizeof(size_t))))
					goto fail;
				c->sent_begin[c->nsents] = c->ntoks;
				if (max_sents && c->nsents >= max_sents)
					break;
			}
			pos = next;
			continue;
		}
		size_t te = pos;
		while (te < le && b[te] != ' ' && b[te] != '\t')
			te++;
		size_t ts = le;
		while (ts > pos && b[ts - 1] != ' ' && b[ts - 1] != '\t')
			ts--;
		int tag = ts > te ? tagger_tag_from_name((const char *)b + ts, le - ts) : 0;
		if (tag < 0) {
			rc = TAGGER_EFORMAT;
			goto fail;
		}
		size_t k = c->ntoks;
		if ((rc = grow((void **)&c->toks, &cap_t, k + 1, sizeof *c->toks)) ||
		    (rc = grow((void **)&c->tags, &cap_tags, k + 1, 1)) ||
		    (rc = grow((void **)&c->line_of, &cap_lo, k + 1, sizeof(size_t))) ||
		    (rc = grow((void **)&c->line_len, &cap_ll, k + 1, sizeof(size_t))))
			goto fail;
		c->toks[k].s = (const char *)b + pos;
		c->toks[k].len = te - pos;
		c->tags[k] = (uint8_t)tag;
		c->line_of[k] = pos;
		c->line_len[k] = le - pos;
		c->ntoks++;
		pos = next;
	}
	if (c->sent_begin[c->nsents] < c->ntoks && !(max_sents && c->nsents >= max_sents)) {
		c->nsents++;
		if ((rc = grow((void **)&c->sent_begin, &cap_s, c->nsents + 1, sizeof(size_t))))
			goto fail;
		c->sent_begin[c->nsents] = c->ntoks;
	}
	return 0;
fail:
	tagger_corpus_free(c);
	return rc;
}

/* ---- scoring ---- */

static bool chunk_end(int prev, int cur)
{
	return prev != 0 && (cur == 0 || TAGGER_TAG_IS_B(cur) ||
	                     TAGGER_TAG_CLASS(cur) != TAGGER_TAG_CLASS(prev));
}

static bool chunk_start(int prev, int cur)
{
	return cur != 0 && (TAGGER_TAG_IS_B(cur) || prev == 0 ||
	                    TAGGER_TAG_CLASS(cur) != TAGGER_TAG_CLASS(prev));
}

void tagger_score_add(struct tagger_score *s, const uint8_t *gold, const uint8_t *pred, size_t n)
{
	int pg = 0, pp = 0;
	bool in_correct = false;
	for (size_t i = 0; i <= n; i++) {
		int g = i < n ? gold[i] : 0, p = i < n ? pred[i] : 0;
		bool ge = chunk_end(pg, g), pe = chunk_end(pp, p);
		bool gs = chunk_start(pg, g), ps = chunk_start(pp, p);
		int gc = TAGGER_TAG_CLASS(g), pc = TAGGER_TAG_CLASS(p);
		if (in_correct) {
			if (ge && pe && TAGGER_TAG_CLASS(pg) == TAGGER_TAG_CLASS(pp)) {
				s->correct[0]++;
				s->correct[TAGGER_TAG_CLASS(pg)]++;
				in_correct = false;
			} else if (ge != pe || gc != pc) {
				in_correct = false;
			}
		}
		if (gs && ps && gc == pc)
			in_correct = true;
		if (gs) {
			s->gold[0]++;
			s->gold[gc]++;
		}
		if (ps) {
			s->pred[0]++;
			s->pred[pc]++;
		}
		if (i < n) {
			s->tokens++;
			s->tokens_correct += g == p;
		}
		pg = g;
		pp = p;
	}
}

void tagger_score_prf(const struct tagger_score *s, int k, double *p, double *r, double *f)
{
	*p = s->pred[k] ? 100.0 * (double)s->correct[k] / (double)s->pred[k] : 0;
	*r = s->gold[k] ? 100.0 * (double)s->correct[k] / (double)s->gold[k] : 0;
	*f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}
