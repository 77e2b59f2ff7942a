/*
 * summary: the sink's article-level step, from chunk results to a Digest.
 *
 * Method. The chunk results are laid end to end: sentences are numbered
 * across chunks (headings included in the numbering, never in the stats or
 * the key points), and every mention is tied to its article-level sentence.
 *
 *   Entities. Each mention's text is cleaned (white space collapsed,
 *   possessive "'s" / "’s" / trailing "'" cut, leading titles such as "Mr."
 *   or "President" cut from people) and keyed: a spelling in the alias table
 *   below keys to that row's name ("U.S." -> "United States"); DATE, MONEY
 *   and PERCENT key by exact text in a namespace of their own; anything else
 *   keys by its text. A lone token (of any name type: taggers often type a
 *   bare surname as a place or an organisation, "talks with Putin") that
 *   equals the last token of exactly one multi-token entity that is PERSON
 *   by vote joins that entity ("Waltz" -> "Mike Waltz"); with two such
 *   people it stays apart. An entity's type is the vote of its mentions
 *   (untyped ones abstain; a tie goes to the first mention's type if it is
 *   among the tied, else PERSON > ORG > LOC > MISC > DATE > MONEY > PERCENT;
 *   a joined surname votes for the full name's type), its name the alias row's
 *   name or else the longest spelling, its aliases the other spellings in
 *   the order first seen. Salience, with N sentences in all, T of them not
 *   headings, c the entity's mentions, cmax the most any entity has, f the
 *   sentence of its first mention and s the sentences that mention it:
 *       salience = 0.5 * c / cmax + 0.3 * (1 - f / N) + 0.2 * min(1, s / T)
 *   times 0.75 for DATE, MONEY and PERCENT, which therefore also sort after
 *   names of equal salience. Order: salience, then names before those, then
 *   first mention.
 *
 *   Key points. Candidates are the sentences that are not headings,
 *   bylines, captions or fragments (flags the worker sets; sentkind.h) and
 *   have at least 6 words (if none has, every sentence with a word that is
 *   not a heading, byline or caption).
 *   Each gets a relevance in [0, 1]:
 *       rel = 0.05 * local + 0.10 / sqrt(1 + r) + 0.60 * cent / centmax
 *             + 0.15 * title + 0.10 * ent
 *   where local is the worker's Sentence.score, r the sentence's rank among
 *   non-heading sentences (the lead bias of news), cent the cosine of its
 *   bag of terms (stemmed content words, terms.h; the worker sends them
 *   with each sentence, and the sink computes the same ones from the text
 *   when a result lacks them) with the article's, centmax the best cent among candidates, title the
 * share of the title's distinct content words it contains, ent the salience of the most salient
 * entity it mentions; without title words the sum is divided by 0.85. Selection is MMR: repeatedly
 * take the candidate with the best rel - 0.1 * sim, sim being its highest cosine with those already
 * taken, never one with sim > 0.6 (a near repeat). The chosen are returned in article order, each
 * with its exact text and rel as score. The weights were tuned with tools/kp-eval on the
 * development articles
 *   (../shared/data/news-summ/bbc-dev.jsonl; bench/kp-dev.txt holds the
 *   figures). Centrality carries most of the evidence: alone it picks
 *   reference sentences far more often than the lead does, and no weight
 *   set near the optimum gained from a larger local or position share; the
 *   position prior is kept small so that, all else equal, the lead still
 *   wins, and the title weight is what lets a sentence about the headline
 *   beat the lead. The local score (length, names, figures) is mostly
 *   subsumed by centrality, which already favours long, on-topic
 *   sentences. A light MMR penalty (0.1) was best: reference extracts do
 *   repeat the article's main terms, so a heavy one throws out good
 *   sentences; the 0.6 cap still keeps near repeats out.
 *
 *   Keywords. Non-heading sentences are cut into runs of content words at
 *   stop words, numbers and punctuation (RAKE's candidate phrases). Every
 *   window of 1 to 3 consecutive words of a run is a phrase; its frequency
 *   counts its occurrences inside longer runs too, and its score is
 *       frequency * (1 + 0.4 * (words - 1)) * idf
 *   where idf is the mean background weight of its words (idf.h: from how
 *   many documents of a background corpus contain the word's stem; 1 when
 *   no table is loaded), so a pair that recurs beats either of its words
 *   seen as often, a one-off phrase loses to a word seen twice, and words
 *   every article uses ("said", "year") lose to the ones that make this
 *   article different. A window of several words
 *   that is only ever part of a longer run must occur twice to be kept (it
 *   rarely is a phrase: "thursday removed mike"). The best 8 are kept, ties
 *   going to the first seen, skipping a phrase that contains or is
 *   contained in one already kept ("wheat harvest" keeps out "wheat" and
 *   "wheat harvest fell"); scores are divided by the first kept's.
 *
 * Invariants. Every score and salience is in [0, 1] and rounded to three
 * decimals; a key point's text is always one whole sentence of the article;
 * the digest and everything it points to live in one arena owned by struct
 * summary. A chunk result with an error, or an article with no text, gives
 * a failed digest that still has its stats.
 *
 * Limits and cost. Work is linear in the article's text plus O(n log n)
 * sorts and O(n * k) for MMR with k key points; terms are 64-bit hashes, so
 * two distinct words sharing a hash (about 1 in 10^19 per pair) would count
 * as one in similarities. English stop words only. An entity keeps at most
 * GROUP_SURFACES distinct spellings as aliases.
 */
#include "summary.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "idf.h"
#include "terms.h"
#include "wire.h"

#define NTYPES 8
#define T_NONE ND__ENTITY_TYPE__ENTITY_NONE
#define T_PERSON ND__ENTITY_TYPE__ENTITY_PERSON
#define T_ORG ND__ENTITY_TYPE__ENTITY_ORG
#define T_LOC ND__ENTITY_TYPE__ENTITY_LOC
#define T_MISC ND__ENTITY_TYPE__ENTITY_MISC
#define T_DATE ND__ENTITY_TYPE__ENTITY_DATE

#define KP_MIN_WORDS 6
#define KP_MAX_SIM 0.6
#define KP_LAMBDA 0.1
/* Relevance weights (they sum to 1), tuned with tools/kp-eval on the
 * development data; bench/kp-dev.txt records the figures they give. */
#define KP_W_LOCAL 0.05
#define KP_W_POS 0.10
#define KP_W_CENT 0.60
#define KP_W_TITLE 0.15
#define KP_W_ENT 0.10
#define KW_MAX 8
#define KW_MAX_WORDS 3
#define KW_LENGTH_BONUS 0.4
#define NUMERIC_DISCOUNT 0.75
#define GROUP_SURFACES 16
#define NO_GROUP UINT32_MAX

/* ---- arena ---------------------------------------------------------- */

#define ARENA_BLOCK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	const size_t al = _Alignof(max_align_t);
	if (n > SIZE_MAX / 2)
		return NULL;
	n = n ? (n + al - 1) & ~(al - 1) : al;
	struct arena_block *b = a->head;
	if (b && b->cap - b->used >= n) {
		void *p = (char *)b->data + b->used;
		b->used += n;
		return p;
	}
	size_t cap = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
	struct arena_block *nb = malloc(sizeof *nb + cap);
	if (!nb)
		return NULL;
	nb->used = n;
	nb->cap = cap;
	if (b && cap == n) {
		/* A big one-off block goes behind the head, whose room stays usable. */
		nb->next = b->next;
		b->next = nb;
	} else {
		nb->next = b;
		a->head = nb;
	}
	return nb->data;
}

static void *arena_calloc(struct arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / 2 / size)
		return NULL;
	void *p = arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s ? s : "", s ? strlen(s) : 0);
}

static void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

/* A malloc'd array that doubles; *p and *cap start at NULL and 0. */
static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / elem)
		return -ENOMEM;
	void *np = realloc(*p, c * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

/* ---- hash map: 64-bit hash -> uint32 value, keys checked if kept ------ */

struct map {
	uint64_t *h; /* 0 marks an empty slot; hashes are never 0 */
	uint32_t *v;
	const char **k; /* NULL for hash-only maps */
	size_t *kl;
	size_t cap, n;
	bool keyed;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1;
}

static long long map_get(const struct map *m, uint64_t h, const char *k, size_t kl)
{
	if (!m->cap)
		return -1;
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		if (!m->h[i])
			return -1;
		if (m->h[i] == h &&
		    (!m->keyed || (m->kl[i] == kl && (kl == 0 || !memcmp(m->k[i], k, kl)))))
			return m->v[i];
	}
}

static size_t map_slot(const struct map *m, uint64_t h, const char *k, size_t kl)
{
	size_t mask = m->cap - 1;
	size_t i = h & mask;
	while (m->h[i] && !(m->h[i] == h && (!m->keyed || (m->kl[i] == kl &&
	                                                   (kl == 0 || !memcmp(m->k[i], k, kl))))))
		i = (i + 1) & mask;
	return i;
}

static int map_resize(struct map *m, size_t cap)
{
	struct map nm = {0};
	nm.keyed = m->keyed;
	nm.cap = cap;
	nm.h = calloc(cap, sizeof *nm.h);
	nm.v = malloc(cap * sizeof *nm.v);
	if (m->keyed) {
		nm.k = malloc(cap * sizeof *nm.k);
		nm.kl = malloc(cap * sizeof *nm.kl);
	}
	if (!nm.h || !nm.v || (m->keyed && (!nm.k || !nm.kl))) {
		free(nm.h);
		free(nm.v);
		free(nm.k);
		free(nm.kl);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->h[i])
			continue;
		size_t j = map_slot(&nm, m->h[i], NULL, 0);
		nm.h[j] = m->h[i];
		nm.v[j] = m->v[i];
		if (m->keyed) {
			nm.k[j] = m->k[i];
			nm.kl[j] = m->kl[i];
		}
	}
	nm.n = m->n;
	free(m->h);
	free(m->v);
	free(m->k);
	free(m->kl);
	*m = nm;
	return 0;
}

/* Insert or overwrite. A keyed map keeps the pointer k: it must outlive it. */
static int map_put(struct map *m, uint64_t h, const char *k, size_t kl, uint32_t v)
{
	if ((m->n + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		if (cap > SIZE_MAX / 16 || map_resize(m, cap))
			return -ENOMEM;
	}
	size_t i = map_slot(m, h, k, kl);
	if (!m->h[i]) {
		m->h[i] = h;
		m->n++;
		if (m->keyed) {
			m->k[i] = k;
			m->kl[i] = kl;
		}
	}
	m->v[i] = v;
	return 0;
}

static void map_free(struct map *m)
{
	free(m->h);
	free(m->v);
	free(m->k);
	free(m->kl);
	memset(m, 0, sizeof *m);
}

/* ---- tables ----------------------------------------------------------- */

/* Spellings are compared with dots removed and a leading "the " cut. */
struct alias_row {
	const char *name;
	int type;
	const char *forms[8];
};

static const struct alias_row alias_rows[] = {
    {"United States",
     T_LOC,
     {"United States", "US", "USA", "America", "United States of America", NULL}},
    {"United Kingdom", T_LOC, {"United Kingdom", "UK", "Britain", "Great Britain", NULL}},
    {"European Union", T_ORG, {"European Union", "EU", NULL}},
    {"United Nations", T_ORG, {"United Nations", "UN", NULL}},
    {"United Arab Emirates", T_LOC, {"United Arab Emirates", "UAE", NULL}},
    {"Soviet Union", T_LOC, {"Soviet Union", "USSR", NULL}},
    {"Russia", T_LOC, {"Russia", "Russian Federation", NULL}},
    {"China", T_LOC, {"China", "People's Republic of China", "PRC", NULL}},
    {"North Korea", T_LOC, {"North Korea", "DPRK", "Democratic People's Republic of Korea", NULL}},
    {"South Korea", T_LOC, {"South Korea", "Republic of Korea", NULL}},
    {"Netherlands", T_LOC, {"Netherlands", "Holland", NULL}},
    {"NATO", T_ORG, {"NATO", "Nato", "North Atlantic Treaty Organization", NULL}},
    {"World Health Organization", T_ORG, {"World Health Organization", "WHO", NULL}},
    {"International Monetary Fund", T_ORG, {"International Monetary Fund", "IMF", NULL}},
    {"Federal Reserve", T_ORG, {"Federal Reserve", "Fed", "US Federal Reserve", NULL}},
    {"European Central Bank", T_ORG, {"European Central Bank", "ECB", NULL}},
    {"Federal Bureau of Investigation", T_ORG, {"Federal Bureau of Investigation", "FBI", NULL}},
    {"Central Intelligence Agency", T_ORG, {"Central Intelligence Agency", "CIA", NULL}},
};

/* Leading words cut from a person's mention ("President Vladimir Putin"). */
// clang-format off
static const char *const person_titles[] = {
	"Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Professor", "Sir", "Dame", "President",
	"Vice", "Premier", "Senator", "Sen", "Rep", "Gov", "Governor", "Gen", "General", "Lt",
	"Col", "Capt", "Sgt", "Adm", "Rev", "Judge", "Justice", "Chancellor", "Secretary",
	"Minister", "Mayor", "Chairman", "Chairwoman", "CEO", "Speaker", "Grandmaster", "Coach",
	"Captain", "Colonel", "Major", "Sergeant", "Lieutenant", "Admiral", "Ambassador", "Envoy",
	"Commissioner", "Inspector", "Detective", "Officer", "Father", "Bishop", "Archbishop",
	"Cardinal", "Rabbi", "Imam", "Sheikh", "King", "Queen", "Prince", "Princess", "Lord",
	"Lady", "Pope", "Chief", "Deputy", "Prime", "Foreign", "Defence", "Defense", "Finance",
	"Interior", "Health", "Attorney", "Representative", "Congressman", "Congresswoman",
};
// clang-format on

/* ---- working state ---------------------------------------------------- */

struct sent {
	const char *text;
	uint32_t words;
	uint32_t ord; /* rank among non-heading sentences */
	float local;
	bool heading;
	bool credit;            /* a byline or a caption: never a key point */
	bool fragment;          /* not a whole sentence: a key point only if nothing else is */
	const uint64_t *pterms; /* the worker's terms, if it sent them */
	size_t npterms;
	bool has_word;
	uint64_t *th; /* distinct term hashes, sorted */
	uint32_t *tc; /* their counts */
	uint32_t nt;
	double norm;
	double ent;    /* salience of the most salient entity mentioned */
	double cent;   /* cosine with the article */
	double tshare; /* share of the title's words */
	double rel;
	double maxsim;
	bool chosen;
};

struct ment {
	const char *s; /* cleaned text */
	size_t len;
	const char *key;
	size_t klen;
	const struct alias_row *alias;
	uint32_t type;
	uint32_t sent;
	uint32_t group;
	bool cand;   /* a lone token that may be a surname */
	bool merged; /* joined to a full name by its surname */
};

struct group {
	const char *key;
	size_t klen;
	const struct alias_row *alias;
	bool numeric;
	uint32_t pre[NTYPES]; /* votes of the mentions keyed here directly */
	uint32_t first_type;  /* the vote of its first mention */
	uint32_t votes[NTYPES];
	int pretype, type;
	uint32_t count, first_ment, first_sent, last_sent, nsents;
	const char *surf[GROUP_SURFACES];
	size_t surflen[GROUP_SURFACES];
	int nsurf;
	double salience;
};

struct phrase {
	const char *text;
	size_t len;
	uint32_t nw;   /* words */
	uint32_t freq; /* occurrences, inside longer runs too */
	double idf;    /* mean background weight of its words (1 without a table) */
	bool whole;    /* seen as a run by itself at least once */
};

struct work {
	struct arena tmp;
	struct sent *sents;
	size_t nsents, ntext;
	struct ment *ments;
	size_t nments;
	struct group *groups;
	size_t ngroups, capgroups;
	struct map gmap, last, amap, tmap, pmap;
	uint32_t *acount;
	size_t nacount, capacount;
	double anorm;
	struct phrase *phrases;
	size_t nphrases, capphrases;
	struct terms *terms;   /* the caller's, or own_terms */
	const struct idf *idf; /* background weights for keywords, or NULL */
	struct terms own_terms;
	bool own;
	uint64_t *hs;
	size_t caphs;
	struct buf pbuf;
};

struct summary {
	struct arena arena;
	Nd__Digest digest;
	Nd__Stats stats;
};

static void work_free(struct work *w)
{
	map_free(&w->gmap);
	map_free(&w->last);
	map_free(&w->amap);
	map_free(&w->tmap);
	map_free(&w->pmap);
	free(w->groups);
	free(w->acount);
	free(w->phrases);
	if (w->own)
		terms_free(&w->own_terms);
	free(w->hs);
	buf_free(&w->pbuf);
	arena_free(&w->tmp);
}

static double round3(double x)
{
	if (!(x > 0))
		return 0;
	if (x > 1)
		return 1;
	return round(x * 1000) / 1000;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* ---- term vectors ----------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The sentence's term vector: sorted distinct terms and their counts, from
 * the worker's terms or else from its content tokens in w->terms->toks (the
 * same terms, as the worker computes them the same way). */
static int sent_vector(struct work *w, struct sent *st)
{
	size_t n = 0;
	if (st->npterms) {
		if (grow(&w->hs, &w->caphs, st->npterms, sizeof *w->hs))
			return -ENOMEM;
		memcpy(w->hs, st->pterms, st->npterms * sizeof *w->hs);
		n = st->npterms;
	}
	for (size_t i = 0; !st->npterms && i < w->terms->ntoks; i++) {
		if (w->terms->toks[i].kind != TERMS_CONTENT)
			continue;
		if (grow(&w->hs, &w->caphs, n + 1, sizeof *w->hs))
			return -ENOMEM;
		w->hs[n++] = w->terms->toks[i].term;
	}
	if (!n)
		return 0;
	qsort(w->hs, n, sizeof *w->hs, cmp_u64);
	size_t nd = 1;
	for (size_t i = 1; i < n; i++)
		nd += w->hs[i] != w->hs[i - 1];
	st->th = arena_alloc(&w->tmp, nd * sizeof *st->th);
	st->tc = arena_alloc(&w->tmp, nd * sizeof *st->tc);
	if (!st->th || !st->tc)
		return -ENOMEM;
	size_t k = 0;
	double sq = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && w->hs[j] == w->hs[i])
			j++;
		st->th[k] = w->hs[i];
		st->tc[k] = (uint32_t)(j - i);
		sq += (double)(j - i) * (double)(j - i);
		k++;
		i = j;
	}
	st->nt = (uint32_t)nd;
	st->norm = sqrt(sq);
	return 0;
}

static double sent_cosine(const struct sent *a, const struct sent *b)
{
	if (a->norm == 0 || b->norm == 0)
		return strcmp(a->text, b->text) == 0 ? 1 : 0;
	double dot = 0;
	uint32_t i = 0, j = 0;
	while (i < a->nt && j < b->nt) {
		if (a->th[i] < b->th[j]) {
			i++;
		} else if (a->th[i] > b->th[j]) {
			j++;
		} else {
			dot += (double)a->tc[i++] * (double)b->tc[j++];
		}
	}
	return dot / (a->norm * b->norm);
}

/* ---- keywords: candidate phrases -------------------------------------- */

/* Count one occurrence of the phrase toks[a..b); whole: it is a run. */
static int count_phrase(struct work *w, size_t a, size_t b, bool whole)
{
	buf_reset(&w->pbuf);
	for (size_t i = a; i < b; i++) {
		if ((i > a && buf_append_char(&w->pbuf, ' ')) ||
		    buf_append(&w->pbuf, w->terms->low + w->terms->toks[i].off,
		               w->terms->toks[i].len))
			return -ENOMEM;
	}
	uint64_t h = hash_bytes(w->pbuf.p, w->pbuf.len);
	long long v = map_get(&w->pmap, h, w->pbuf.p, w->pbuf.len);
	if (v >= 0) {
		w->phrases[v].freq++;
		w->phrases[v].whole = w->phrases[v].whole || whole;
		return 0;
	}
	if (grow(&w->phrases, &w->capphrases, w->nphrases + 1, sizeof *w->phrases))
		return -ENOMEM;
	struct phrase *p = &w->phrases[w->nphrases];
	p->text = arena_strndup(&w->tmp, w->pbuf.p, w->pbuf.len);
	if (!p->text || map_put(&w->pmap, h, p->text, w->pbuf.len, (uint32_t)w->nphrases))
		return -ENOMEM;
	p->len = w->pbuf.len;
	p->nw = (uint32_t)(b - a);
	p->freq = 1;
	p->idf = 1;
	if (w->idf) {
		double sum = 0;
		for (size_t i = a; i < b; i++)
			sum += idf_weight(w->idf, w->terms->toks[i].term);
		p->idf = sum / (double)(b - a);
	}
	p->whole = whole;
	w->nphrases++;
	return 0;
}

/* A run of content tokens toks[a..b): every 1- to 3-word window of it. */
static int take_run(struct work *w, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		for (size_t l = 1; l <= KW_MAX_WORDS && i + l <= b; l++)
			if (count_phrase(w, i, i + l, l == b - a))
				return -ENOMEM;
	return 0;
}

static int take_phrases(struct work *w)
{
	size_t a = 0;
	bool in = false;
	for (size_t i = 0; i <= w->terms->ntoks; i++) {
		bool content = i < w->terms->ntoks && w->terms->toks[i].kind == TERMS_CONTENT;
		if (in && (!content || w->terms->toks[i].brk)) {
			if (take_run(w, a, i))
				return -ENOMEM;
			in = false;
		}
		if (content && !in) {
			a = i;
			in = true;
		}
	}
	return 0;
}

/* ---- the digest shell ------------------------------------------------- */

static struct summary *summary_new(const struct summary_opts *opts, const char *article_id,
                                   const char *source, const char *title, const char *model)
{
	struct summary *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	Nd__Digest d = ND__DIGEST__INIT;
	Nd__Stats st = ND__STATS__INIT;
	s->digest = d;
	s->stats = st;
	s->digest.stats = &s->stats;
	s->digest.schema = WIRE_SCHEMA;
	s->digest.status = ND__STATUS__STATUS_OK;
	s->digest.article_id = arena_strdup(&s->arena, article_id);
	s->digest.source = arena_strdup(&s->arena, source);
	s->digest.title = arena_strdup(&s->arena, title);
	s->digest.model = arena_strdup(&s->arena, model);
	s->digest.pipeline_version = arena_strdup(&s->arena, opts ? opts->pipeline_version : NULL);
	s->digest.created_at_us = opts ? opts->created_at_us : 0;
	if (!s->digest.article_id || !s->digest.source || !s->digest.title || !s->digest.model ||
	    !s->digest.pipeline_version) {
		summary_free(s);
		return NULL;
	}
	return s;
}

static int set_failed(struct summary *s, const char *error)
{
	s->digest.status = ND__STATUS__STATUS_FAILED;
	s->digest.error = arena_strdup(&s->arena, error && *error ? error : "failed");
	return s->digest.error ? 0 : -ENOMEM;
}

int summary_failed(struct summary **out, const char *article_id, const char *source,
                   const char *title, const char *error, const struct summary_opts *opts)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	struct summary *s = summary_new(opts, article_id, source, title, NULL);
	if (!s)
		return -ENOMEM;
	if (set_failed(s, error)) {
		summary_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

const Nd__Digest *summary_digest(const struct summary *s)
{
	return s ? &s->digest : NULL;
}

void summary_free(struct summary *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}

/* ---- sentences -------------------------------------------------------- */

static int load_sentences(struct work *w, const Nd__ChunkResult *const *parts, size_t n)
{
	size_t total = 0, nm = 0;
	for (size_t i = 0; i < n; i++) {
		total += parts[i]->n_sentences;
		nm += parts[i]->n_mentions;
	}
	if (total >= UINT32_MAX || nm >= UINT32_MAX)
		return -EINVAL;
	w->sents = arena_calloc(&w->tmp, total ? total : 1, sizeof *w->sents);
	w->ments = arena_calloc(&w->tmp, nm ? nm : 1, sizeof *w->ments);
	if (!w->sents || !w->ments)
		return -ENOMEM;
	size_t k = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		const Nd__ChunkResult *p = parts[i];
		size_t base = k;
		for (size_t j = 0; j < p->n_sentences; j++) {
			const Nd__Sentence *ps = p->sentences[j];
			struct sent *st = &w->sents[k++];
			st->text = ps ? nz(ps->text) : "";
			st->words = ps ? ps->words : 0;
			st->local = ps && ps->score > 0 ? (ps->score < 1 ? ps->score : 1) : 0;
			st->heading = ps && (ps->flags & ND__SENTENCE_FLAG__SENTENCE_HEADING);
			st->credit = ps && (ps->flags & (ND__SENTENCE_FLAG__SENTENCE_BYLINE |
			                                 ND__SENTENCE_FLAG__SENTENCE_CAPTION));
			st->fragment = ps && (ps->flags & ND__SENTENCE_FLAG__SENTENCE_FRAGMENT);
			st->pterms = ps ? ps->terms : NULL;
			st->npterms = ps ? ps->n_terms : 0;
			if (!st->heading)
				st->ord = (uint32_t)w->ntext++;
		}
		for (size_t j = 0; j < p->n_mentions; j++) {
			const Nd__Mention *pm = p->mentions[j];
			if (!pm || pm->sentence >= p->n_sentences)
				continue;
			struct ment *mt = &w->ments[m++];
			mt->s = nz(pm->text);
			mt->len = strlen(mt->s);
			mt->type = (uint32_t)pm->type < NTYPES ? (uint32_t)pm->type : T_NONE;
			mt->sent = (uint32_t)(base + pm->sentence);
			mt->group = NO_GROUP;
		}
	}
	w->nsents = k;
	w->nments = m;
	return 0;
}

/* Tokenise every text sentence once: term vectors, article vector,
 * keyword candidates. */
/* Tokenize a sentence for its keyword phrases. The worker sent the terms
 * of its content words, in order, made by the same tokenizer: they are
 * taken as they are instead of stemming every word again (the stemmer was
 * the sink's biggest cost); if their count does not match, the sentence
 * is stemmed here. */
static int tokenize_sentence(struct work *w, struct sent *st)
{
	struct terms *t = w->terms;
	bool reuse = st->npterms > 0;
	t->no_stem = reuse;
	int rc = terms_tokenize(t, st->text, strlen(st->text));
	t->no_stem = false;
	if (rc || !reuse)
		return rc;
	size_t k = 0;
	for (size_t i = 0; i < t->ntoks; i++)
		k += t->toks[i].kind == TERMS_CONTENT;
	if (k != st->npterms)
		return terms_tokenize(t, st->text, strlen(st->text));
	k = 0;
	for (size_t i = 0; i < t->ntoks; i++)
		if (t->toks[i].kind == TERMS_CONTENT)
			t->toks[i].term = st->pterms[k++];
	return 0;
}

static int scan_sentences(struct work *w)
{
	for (size_t i = 0; i < w->nsents; i++) {
		struct sent *st = &w->sents[i];
		if (st->heading)
			continue;
		if (tokenize_sentence(w, st))
			return -ENOMEM;
		st->has_word = w->terms->ntoks > 0;
		if (!st->words)
			st->words = (uint32_t)w->terms->ntoks;
		if (sent_vector(w, st) || take_phrases(w))
			return -ENOMEM;
		for (uint32_t t = 0; t < st->nt; t++) {
			long long v = map_get(&w->amap, st->th[t], NULL, 0);
			if (v < 0) {
				if (grow(&w->acount, &w->capacount, w->nacount + 1,
				         sizeof *w->acount) ||
				    map_put(&w->amap, st->th[t], NULL, 0, (uint32_t)w->nacount))
					return -ENOMEM;
				v = (long long)w->nacount;
				w->acount[w->nacount++] = 0;
			}
			w->acount[v] += st->tc[t];
		}
	}
	double sq = 0;
	for (size_t i = 0; i < w->nacount; i++)
		sq += (double)w->acount[i] * (double)w->acount[i];
	w->anorm = sqrt(sq);
	return 0;
}

/* ---- entities --------------------------------------------------------- */

static bool is_numeric_type(uint32_t t)
{
	return t >= T_DATE && t < NTYPES;
}

static bool ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return false;
	}
	return *a == *b;
}

static const struct alias_row *alias_find(const char *s, size_t n)
{
	char key[128];
	size_t k = 0;
	if (n > 4 && (!memcmp(s, "the ", 4) || !memcmp(s, "The ", 4))) {
		s += 4;
		n -= 4;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			continue;
		if (k + 1 >= sizeof key)
			return NULL;
		key[k++] = s[i];
	}
	key[k] = 0;
	if (!k)
		return NULL;
	size_t nrows = sizeof alias_rows / sizeof alias_rows[0];
	for (size_t r = 0; r < nrows; r++)
		for (const char *const *f = alias_rows[r].forms; *f; f++)
			if (!strcmp(key, *f))
				return &alias_rows[r];
	/* Case matters for short forms ("US" is not "us"), not for names. */
	if (k > 4)
		for (size_t r = 0; r < nrows; r++)
			for (const char *const *f = alias_rows[r].forms; *f; f++)
				if (ascii_ieq(key, *f))
					return &alias_rows[r];
	return NULL;
}

static bool is_title_word(const char *s, size_t n)
{
	if (n && s[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof person_titles / sizeof person_titles[0]; i++)
		if (strlen(person_titles[i]) == n && !memcmp(person_titles[i], s, n))
			return true;
	return false;
}

/* Clean a mention's text into the scratch arena: white space collapsed and
 * trimmed, possessive cut, a person's leading titles cut. */
static int clean_mention(struct work *w, struct ment *m)
{
	char *d = arena_alloc(&w->tmp, m->len + 1);
	if (!d)
		return -ENOMEM;
	const char *s = m->s;
	size_t n = 0;
	bool space = false;
	for (size_t i = 0; i < m->len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
		if (c == 0xC2 && i + 1 < m->len && (unsigned char)s[i + 1] == 0xA0) {
			ws = true;
			i++;
		}
		if (ws) {
			space = n > 0;
			continue;
		}
		if (space)
			d[n++] = ' ';
		space = false;
		d[n++] = (char)c;
	}
	if (n >= 3 && d[n - 2] == '\'' && (d[n - 1] == 's' || d[n - 1] == 'S'))
		n -= 2;
	else if (n >= 5 && !memcmp(d + n - 4, "\xE2\x80\x99", 3) &&
	         (d[n - 1] == 's' || d[n - 1] == 'S'))
		n -= 4;
	else if (n >= 2 && d[n - 1] == '\'')
		n -= 1;
	else if (n >= 4 && !memcmp(d + n - 3, "\xE2\x80\x99", 3))
		n -= 3;
	while (n && d[n - 1] == ' ')
		n--;
	d[n] = 0;
	size_t off = 0;
	if (m->type == T_PERSON || m->type == T_NONE) {
		for (;;) {
			const char *sp = memchr(d + off, ' ', n - off);
			if (!sp || !is_title_word(d + off, (size_t)(sp - (d + off))))
				break;
			off = (size_t)(sp - d) + 1;
		}
	}
	m->s = d + off;
	m->len = n - off;
	return 0;
}

static int vote(const uint32_t *v, const struct alias_row *alias, int prefer)
{
	int best = T_NONE;
	uint32_t bc = 0;
	/* Type values run in the tie-break order PERSON, ORG, LOC, MISC, ...,
	 * except that prefer (the first mention's type) wins a tie it is in. */
	for (int t = 1; t < NTYPES; t++) {
		if (v[t] > bc || (v[t] == bc && bc && t == prefer)) {
			bc = v[t];
			best = t;
		}
	}
	if (best == T_NONE && alias)
		best = alias->type;
	return best;
}

static int group_of(struct work *w, const char *key, size_t klen, const struct alias_row *alias,
                    bool numeric, uint32_t *out)
{
	uint64_t h = hash_bytes(key, klen);
	long long v = map_get(&w->gmap, h, key, klen);
	if (v >= 0) {
		*out = (uint32_t)v;
		return 0;
	}
	if (grow(&w->groups, &w->capgroups, w->ngroups + 1, sizeof *w->groups) ||
	    map_put(&w->gmap, h, key, klen, (uint32_t)w->ngroups))
		return -ENOMEM;
	struct group *g = &w->groups[w->ngroups];
	memset(g, 0, sizeof *g);
	g->key = key;
	g->klen = klen;
	g->alias = alias;
	g->numeric = numeric;
	*out = (uint32_t)w->ngroups++;
	return 0;
}

static int key_mentions(struct work *w)
{
	for (size_t i = 0; i < w->nments; i++) {
		struct ment *m = &w->ments[i];
		if (clean_mention(w, m))
			return -ENOMEM;
		if (!m->len)
			continue;
		if (is_numeric_type(m->type)) {
			char *k = arena_alloc(&w->tmp, m->len + 3);
			if (!k)
				return -ENOMEM;
			k[0] = '\x01';
			k[1] = (char)('0' + m->type);
			memcpy(k + 2, m->s, m->len + 1);
			m->key = k;
			m->klen = m->len + 2;
			continue;
		}
		m->alias = alias_find(m->s, m->len);
		if (m->alias) {
			m->key = m->alias->name;
			m->klen = strlen(m->key);
			continue;
		}
		m->key = m->s;
		m->klen = m->len;
		m->cand = !memchr(m->s, ' ', m->len);
	}
	return 0;
}

static int group_mentions(struct work *w)
{
	if (key_mentions(w))
		return -ENOMEM;
	w->gmap.keyed = w->last.keyed = true;
	/* Pass 1: everything but the lone tokens that may be surnames. */
	for (size_t i = 0; i < w->nments; i++) {
		struct ment *m = &w->ments[i];
		if (!m->key || m->cand)
			continue;
		if (group_of(w, m->key, m->klen, m->alias, is_numeric_type(m->type), &m->group))
			return -ENOMEM;
		w->groups[m->group].pre[m->type]++;
	}
	/* Surname index: last token of each multi-token person. */
	for (size_t g = 0; g < w->ngroups; g++) {
		struct group *gr = &w->groups[g];
		gr->pretype = vote(gr->pre, gr->alias, T_NONE);
		if (gr->alias || gr->numeric || gr->pretype != T_PERSON)
			continue;
		const char *sp = NULL;
		for (size_t i = 0; i < gr->klen; i++)
			if (gr->key[i] == ' ')
				sp = gr->key + i;
		if (!sp)
			continue;
		const char *last = sp + 1;
		size_t ll = gr->klen - (size_t)(last - gr->key);
		uint64_t h = hash_bytes(last, ll);
		uint32_t v = map_get(&w->last, h, last, ll) >= 0 ? NO_GROUP : (uint32_t)g;
		if (map_put(&w->last, h, last, ll, v))
			return -ENOMEM;
	}
	/* Pass 2: a lone token joins the one person it names, if just one. */
	for (size_t i = 0; i < w->nments; i++) {
		struct ment *m = &w->ments[i];
		if (!m->key || !m->cand)
			continue;
		long long v = map_get(&w->last, hash_bytes(m->key, m->klen), m->key, m->klen);
		if (v >= 0 && (uint32_t)v != NO_GROUP) {
			m->group = (uint32_t)v;
			m->merged = true;
		} else if (group_of(w, m->key, m->klen, NULL, false, &m->group)) {
			return -ENOMEM;
		}
	}
	return 0;
}

struct rank {
	double sal;
	bool numeric;
	uint32_t first;
	uint32_t g;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	if (x->sal != y->sal)
		return x->sal > y->sal ? -1 : 1;
	if (x->numeric != y->numeric)
		return x->numeric ? 1 : -1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static int build_entities(struct work *w, struct summary *s)
{
	if (group_mentions(w))
		return -ENOMEM;
	for (size_t i = 0; i < w->nments; i++) {
		struct ment *m = &w->ments[i];
		if (m->group == NO_GROUP)
			continue;
		struct group *g = &w->groups[m->group];
		uint32_t t = m->merged ? (uint32_t)g->pretype : m->type;
		g->votes[t]++;
		if (g->count++ == 0) {
			g->first_type = t;
			g->first_ment = (uint32_t)i;
			g->first_sent = g->last_sent = m->sent;
			g->nsents = 1;
		} else if (m->sent != g->last_sent) {
			g->nsents++;
			g->last_sent = m->sent;
		}
		int k;
		for (k = 0; k < g->nsurf; k++)
			if (g->surflen[k] == m->len && !memcmp(g->surf[k], m->s, m->len))
				break;
		if (k == g->nsurf && g->nsurf < GROUP_SURFACES) {
			g->surf[g->nsurf] = m->s;
			g->surflen[g->nsurf++] = m->len;
		}
	}
	uint32_t cmax = 0;
	for (size_t i = 0; i < w->ngroups; i++)
		if (w->groups[i].count > cmax)
			cmax = w->groups[i].count;
	if (!w->ngroups || !cmax)
		return 0;
	struct rank *r = arena_alloc(&w->tmp, w->ngroups * sizeof *r);
	if (!r)
		return -ENOMEM;
	size_t nr = 0;
	double nall = (double)w->nsents, ntext = w->ntext ? (double)w->ntext : 1;
	for (size_t i = 0; i < w->ngroups; i++) {
		struct group *g = &w->groups[i];
		if (!g->count)
			continue;
		g->type = vote(g->votes, g->alias, (int)g->first_type);
		double spread = g->nsents / ntext;
		double sal = 0.5 * g->count / cmax + 0.3 * (1 - g->first_sent / nall) +
		             0.2 * (spread < 1 ? spread : 1);
		g->numeric = g->numeric || is_numeric_type((uint32_t)g->type);
		if (g->numeric)
			sal *= NUMERIC_DISCOUNT;
		g->salience = round3(sal);
		r[nr++] = (struct rank){g->salience, g->numeric, g->first_ment, (uint32_t)i};
	}
	qsort(r, nr, sizeof *r, cmp_rank);

	struct arena *a = &s->arena;
	Nd__Entity **ev = arena_alloc(a, nr * sizeof *ev);
	Nd__Entity *es = arena_alloc(a, nr * sizeof *es);
	if (!ev || !es)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		const struct group *g = &w->groups[r[i].g];
		Nd__Entity e = ND__ENTITY__INIT;
		const char *name = g->alias ? g->alias->name : g->surf[0];
		size_t nl = g->alias ? strlen(name) : g->surflen[0];
		for (int k = 1; !g->alias && k < g->nsurf; k++) {
			if (g->surflen[k] > nl) {
				name = g->surf[k];
				nl = g->surflen[k];
			}
		}
		e.name = arena_strndup(a, name, nl);
		e.type = (Nd__EntityType)g->type;
		e.mentions = g->count;
		e.salience = (float)g->salience;
		e.aliases = arena_alloc(a, (size_t)g->nsurf * sizeof *e.aliases);
		if (!e.name || !e.aliases)
			return -ENOMEM;
		for (int k = 0; k < g->nsurf; k++) {
			if (g->surflen[k] == nl && !memcmp(g->surf[k], name, nl))
				continue;
			if (!(e.aliases[e.n_aliases++] =
			          arena_strndup(a, g->surf[k], g->surflen[k])))
				return -ENOMEM;
		}
		es[i] = e;
		ev[i] = &es[i];
	}
	s->digest.entities = ev;
	s->digest.n_entities = nr;

	for (size_t i = 0; i < w->nments; i++) {
		const struct ment *m = &w->ments[i];
		if (m->group == NO_GROUP)
			continue;
		double sal = w->groups[m->group].salience;
		if (sal > w->sents[m->sent].ent)
			w->sents[m->sent].ent = sal;
	}
	return 0;
}

/* ---- key points ------------------------------------------------------- */

static size_t key_point_count(size_t ncand, const struct summary_opts *opts)
{
	size_t k;
	if (opts && opts->key_points > 0)
		k = (size_t)opts->key_points;
	else if (ncand <= 3)
		k = 1;
	else if (ncand <= 6)
		k = 2;
	else if (ncand <= 15)
		k = 3;
	else if (ncand <= 30)
		k = 4;
	else
		k = 5;
	return k < ncand ? k : ncand;
}

static int title_terms(struct work *w, const char *title, size_t *out)
{
	if (terms_tokenize(w->terms, title, strlen(title)))
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < w->terms->ntoks; i++) {
		const struct terms_tok *t = &w->terms->toks[i];
		if (t->kind != TERMS_CONTENT || map_get(&w->tmap, t->term, NULL, 0) >= 0)
			continue;
		if (map_put(&w->tmap, t->term, NULL, 0, 1))
			return -ENOMEM;
		n++;
	}
	*out = n;
	return 0;
}

static int build_key_points(struct work *w, struct summary *s, const char *title,
                            const struct summary_opts *opts)
{
	uint32_t *cand = arena_alloc(&w->tmp, (w->nsents ? w->nsents : 1) * sizeof *cand);
	if (!cand)
		return -ENOMEM;
	size_t nc = 0;
	for (size_t i = 0; i < w->nsents; i++)
		if (!w->sents[i].heading && !w->sents[i].credit && !w->sents[i].fragment &&
		    w->sents[i].words >= KP_MIN_WORDS)
			cand[nc++] = (uint32_t)i;
	if (!nc)
		for (size_t i = 0; i < w->nsents; i++)
			if (!w->sents[i].heading && !w->sents[i].credit && w->sents[i].has_word)
				cand[nc++] = (uint32_t)i;
	size_t k = key_point_count(nc, opts);
	if (!k)
		return 0;

	size_t ntitle;
	if (title_terms(w, title, &ntitle))
		return -ENOMEM;
	double centmax = 0;
	for (size_t c = 0; c < nc; c++) {
		struct sent *st = &w->sents[cand[c]];
		double dot = 0;
		size_t hits = 0;
		for (uint32_t t = 0; t < st->nt; t++) {
			long long v = map_get(&w->amap, st->th[t], NULL, 0);
			if (v >= 0)
				dot += (double)st->tc[t] * w->acount[v];
			hits += ntitle && map_get(&w->tmap, st->th[t], NULL, 0) >= 0;
		}
		double cent = st->norm > 0 && w->anorm > 0 ? dot / (st->norm * w->anorm) : 0;
		st->cent = cent;
		st->tshare = ntitle ? (double)hits / (double)ntitle : 0;
		if (cent > centmax)
			centmax = cent;
	}
	for (size_t c = 0; c < nc; c++) {
		struct sent *st = &w->sents[cand[c]];
		double cent = centmax > 0 ? st->cent / centmax : 0;
		double rel = KP_W_LOCAL * st->local + KP_W_POS / sqrt(1.0 + st->ord) +
		             KP_W_CENT * cent + KP_W_TITLE * st->tshare +
		             KP_W_ENT * (st->ent < 1 ? st->ent : 1);
		st->rel = round3(ntitle ? rel : rel / (1 - KP_W_TITLE));
		st->maxsim = 0;
		st->chosen = false;
	}

	size_t nchosen = 0;
	while (nchosen < k) {
		long best = -1;
		double bv = 0;
		for (size_t c = 0; c < nc; c++) {
			const struct sent *st = &w->sents[cand[c]];
			if (st->chosen || st->maxsim > KP_MAX_SIM)
				continue;
			double v = st->rel - KP_LAMBDA * st->maxsim;
			if (best < 0 || v > bv) {
				best = (long)c;
				bv = v;
			}
		}
		if (best < 0)
			break;
		struct sent *b = &w->sents[cand[best]];
		b->chosen = true;
		nchosen++;
		for (size_t c = 0; c < nc; c++) {
			struct sent *st = &w->sents[cand[c]];
			if (st->chosen || st->maxsim > KP_MAX_SIM)
				continue;
			double sim = sent_cosine(st, b);
			if (sim > st->maxsim)
				st->maxsim = sim;
		}
	}

	struct arena *a = &s->arena;
	Nd__KeyPoint **kv = arena_alloc(a, nchosen * sizeof *kv);
	Nd__KeyPoint *ks = arena_alloc(a, nchosen * sizeof *ks);
	if (!kv || !ks)
		return -ENOMEM;
	size_t n = 0;
	for (size_t c = 0; c < nc && n < nchosen; c++) {
		const struct sent *st = &w->sents[cand[c]];
		if (!st->chosen)
			continue;
		Nd__KeyPoint kp = ND__KEY_POINT__INIT;
		kp.text = arena_strdup(a, st->text);
		if (!kp.text)
			return -ENOMEM;
		kp.sentence_index = cand[c];
		kp.score = (float)st->rel;
		ks[n] = kp;
		kv[n] = &ks[n];
		n++;
	}
	s->digest.key_points = kv;
	s->digest.n_key_points = n;
	return 0;
}

/* ---- keywords --------------------------------------------------------- */

struct phrase_rank {
	double score;
	uint32_t i; /* also the order first seen */
};

static int cmp_phrase(const void *a, const void *b)
{
	const struct phrase_rank *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Whether phrase p occurs in phrase q on word boundaries. */
static bool phrase_within(const struct phrase *p, const struct phrase *q)
{
	if (p->len >= q->len)
		return false;
	for (const char *f = strstr(q->text, p->text); f; f = strstr(f + 1, p->text)) {
		bool left = f == q->text || f[-1] == ' ';
		bool right = f[p->len] == 0 || f[p->len] == ' ';
		if (left && right)
			return true;
	}
	return false;
}

static int build_keywords(struct work *w, struct summary *s)
{
	if (!w->nphrases)
		return 0;
	struct phrase_rank *order = arena_alloc(&w->tmp, w->nphrases * sizeof *order);
	if (!order)
		return -ENOMEM;
	size_t nord = 0;
	for (size_t i = 0; i < w->nphrases; i++) {
		struct phrase *p = &w->phrases[i];
		/* A piece cut from a longer run once is seldom a phrase of its
		 * own ("thursday removed mike"); it must recur to count. Most
		 * windows are such pieces: leaving them out before sorting
		 * saves most of the sort. */
		if (p->nw > 1 && !p->whole && p->freq < 2)
			continue;
		double score = p->freq * (1 + KW_LENGTH_BONUS * (p->nw - 1)) * p->idf;
		order[nord++] = (struct phrase_rank){score, (uint32_t)i};
	}
	qsort(order, nord, sizeof *order, cmp_phrase);

	struct arena *a = &s->arena;
	Nd__Keyword **kv = arena_alloc(a, KW_MAX * sizeof *kv);
	Nd__Keyword *ks = arena_alloc(a, KW_MAX * sizeof *ks);
	const struct phrase *chosen[KW_MAX];
	if (!kv || !ks)
		return -ENOMEM;
	size_t n = 0;
	double best = 0;
	for (size_t i = 0; i < nord && n < KW_MAX; i++) {
		const struct phrase *p = &w->phrases[order[i].i];
		bool overlap = false;
		for (size_t j = 0; j < n && !overlap; j++)
			overlap = phrase_within(p, chosen[j]) || phrase_within(chosen[j], p);
		if (overlap)
			continue;
		Nd__Keyword kw = ND__KEYWORD__INIT;
		kw.text = arena_strndup(a, p->text, p->len);
		if (!kw.text)
			return -ENOMEM;
		if (!n)
			best = order[i].score; /* the first kept scores 1 */
		kw.score = (float)round3(best > 0 ? order[i].score / best : 0);
		chosen[n] = p;
		ks[n] = kw;
		kv[n] = &ks[n];
		n++;
	}
	s->digest.keywords = kv;
	s->digest.n_keywords = n;
	return 0;
}

/* ---- entry point ------------------------------------------------------ */

static bool parts_valid(const Nd__ChunkResult *const *parts, size_t n)
{
	if (!parts || n == 0 || n > UINT32_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!parts[i] || parts[i]->seq != i || parts[i]->total != n)
			return false;
		if (strcmp(nz(parts[i]->article_id), nz(parts[0]->article_id)))
			return false;
		if (parts[i]->n_sentences && !parts[i]->sentences)
			return false;
		if (parts[i]->n_mentions && !parts[i]->mentions)
			return false;
	}
	return true;
}

static void fill_stats(struct summary *s, const Nd__ChunkResult *const *parts, size_t n)
{
	uint64_t sentences = 0, words = 0, bytes = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < parts[i]->n_sentences; j++) {
			const Nd__Sentence *st = parts[i]->sentences[j];
			sentences += st && !(st->flags & ND__SENTENCE_FLAG__SENTENCE_HEADING);
		}
		words += parts[i]->words;
		bytes += parts[i]->bytes;
	}
	s->stats.chunks = (uint32_t)n;
	s->stats.sentences = sentences > UINT32_MAX ? UINT32_MAX : (uint32_t)sentences;
	s->stats.words = words > UINT32_MAX ? UINT32_MAX : (uint32_t)words;
	s->stats.bytes = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

static int part_error(struct summary *s, const Nd__ChunkResult *const *parts, size_t n,
                      bool *failed)
{
	*failed = false;
	for (size_t i = 0; i < n; i++) {
		const char *err = parts[i]->error;
		if (!err || !*err)
			continue;
		size_t len = strlen(err) + 32;
		char *msg = arena_alloc(&s->arena, len);
		if (!msg)
			return -ENOMEM;
		snprintf(msg, len, "chunk %u: %s", (unsigned)parts[i]->seq, err);
		*failed = true;
		return set_failed(s, msg);
	}
	return 0;
}

static int summarise(struct work *w, struct summary *s, const Nd__ChunkResult *const *parts,
                     size_t n, const struct summary_opts *opts)
{
	bool failed;
	fill_stats(s, parts, n);
	int rc = part_error(s, parts, n, &failed);
	if (rc || failed)
		return rc;
	rc = load_sentences(w, parts, n);
	if (rc)
		return rc;
	if (w->ntext == 0 && w->nsents > 0) {
		/* Nothing but headings: a short text without final punctuation
		 * ("Markets rally"). An article cannot be all headings, so its
		 * lines are its body. */
		for (size_t i = 0; i < w->nsents; i++) {
			w->sents[i].heading = false;
			w->sents[i].ord = (uint32_t)w->ntext++;
		}
		s->stats.sentences = w->nsents > UINT32_MAX ? UINT32_MAX : (uint32_t)w->nsents;
	}
	w->pmap.keyed = true;
	w->idf = opts ? opts->idf : NULL;
	if (opts && opts->terms) {
		w->terms = opts->terms;
	} else {
		if (terms_init(&w->own_terms))
			return -ENOMEM;
		w->own = true;
		w->terms = &w->own_terms;
	}
	if (scan_sentences(w))
		return -ENOMEM;
	bool text = false;
	for (size_t i = 0; i < w->nsents && !text; i++)
		text = !w->sents[i].heading && w->sents[i].has_word;
	if (!text)
		return set_failed(s, "article has no text");
	if (build_entities(w, s) || build_key_points(w, s, nz(parts[0]->title), opts) ||
	    build_keywords(w, s))
		return -ENOMEM;
	return 0;
}

int summary_build(struct summary **out, const Nd__ChunkResult *const *parts, size_t n,
                  const struct summary_opts *opts)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!parts_valid(parts, n))
		return -EINVAL;
	struct summary *s = summary_new(opts, parts[0]->article_id, parts[0]->source,
	                                parts[0]->title, parts[0]->model);
	if (!s)
		return -ENOMEM;
	struct work w = {0};
	int rc = summarise(&w, s, parts, n, opts);
	work_free(&w);
	if (rc) {
		summary_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
