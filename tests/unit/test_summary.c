/* Tests of summary: chunk results in, digest out. Parts are built by hand. */
#include "idf.h"
#include "summary.h"
#include "terms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define MAXS 64
#define MAXM 64

struct tpart {
	Nd__ChunkResult r;
	Nd__Sentence s[MAXS];
	Nd__Sentence *sp[MAXS];
	Nd__Mention m[MAXM];
	Nd__Mention *mp[MAXM];
};

static void part_init(struct tpart *p, uint32_t seq, uint32_t total, const char *title)
{
	Nd__ChunkResult r = ND__CHUNK_RESULT__INIT;
	p->r = r;
	p->r.schema = 1;
	p->r.article_id = (char *)"a1";
	p->r.seq = seq;
	p->r.total = total;
	p->r.source = (char *)"wire";
	p->r.title = (char *)title;
	p->r.model = (char *)"rules-1";
	p->r.sentences = p->sp;
	p->r.mentions = p->mp;
}

static uint32_t count_words(const char *s)
{
	uint32_t n = 0;
	int in = 0;
	for (; *s; s++) {
		if (*s == ' ') {
			in = 0;
		} else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* Add a sentence; returns its index in the chunk. */
static uint32_t add_sentence(struct tpart *p, const char *text, uint32_t flags, float score)
{
	size_t i = p->r.n_sentences++;
	Nd__Sentence s = ND__SENTENCE__INIT;
	s.text = (char *)text;
	s.index = (uint32_t)i;
	s.words = count_words(text);
	s.score = score;
	s.flags = flags;
	p->s[i] = s;
	p->sp[i] = &p->s[i];
	p->r.words += s.words;
	p->r.bytes += (uint32_t)strlen(text) + 1;
	return (uint32_t)i;
}

static void add_mention(struct tpart *p, const char *text, Nd__EntityType type, uint32_t sentence)
{
	size_t i = p->r.n_mentions++;
	Nd__Mention m = ND__MENTION__INIT;
	m.text = (char *)text;
	m.type = type;
	m.sentence = sentence;
	p->m[i] = m;
	p->mp[i] = &p->m[i];
}

static struct summary *build(struct tpart *parts, size_t n, int key_points)
{
	const Nd__ChunkResult *v[8];
	for (size_t i = 0; i < n; i++)
		v[i] = &parts[i].r;
	struct summary_opts o = {key_points, "0.1.0", 1234, NULL, NULL};
	struct summary *s = NULL;
	int rc = summary_build(&s, v, n, &o);
	return rc == 0 ? s : NULL;
}

static struct summary *build_idf(struct tpart *parts, size_t n, const struct idf *idf)
{
	const Nd__ChunkResult *v[8];
	for (size_t i = 0; i < n; i++)
		v[i] = &parts[i].r;
	struct summary_opts o = {0, "0.1.0", 1234, NULL, idf};
	struct summary *s = NULL;
	int rc = summary_build(&s, v, n, &o);
	return rc == 0 ? s : NULL;
}

static const Nd__Entity *entity(const Nd__Digest *d, const char *name)
{
	for (size_t i = 0; i < d->n_entities; i++)
		if (!strcmp(d->entities[i]->name, name))
			return d->entities[i];
	return NULL;
}

static size_t entity_pos(const Nd__Digest *d, const char *name)
{
	for (size_t i = 0; i < d->n_entities; i++)
		if (!strcmp(d->entities[i]->name, name))
			return i;
	return (size_t)-1;
}

static const char *const topics[] = {
    "alpha",  "bravo",   "charlie", "delta",  "echo",    "foxtrot",  "golf",    "hotel",
    "india",  "juliet",  "kilo",    "lima",   "mike",    "november", "oscar",   "papa",
    "quebec", "romeo",   "sierra",  "tango",  "uniform", "victor",   "whiskey", "xray",
    "yankee", "zulu",    "amber",   "birch",  "cedar",   "dahlia",   "ember",   "fern",
    "garnet", "heather", "iris",    "jasper", "kestrel", "laurel",   "maple",   "nutmeg",
    "olive",  "poppy",   "quartz",  "rowan",  "saffron", "thistle",  "umber",   "violet",
    "willow", "yarrow",  "zinnia",  "acorn",  "bramble", "clover",   "daisy",   "elder",
    "flint",  "ginger",  "hazel",   "ivy",    "juniper", "kelp",     "lotus",   "myrtle",
};

/* Filler sentences: eight words, five of them found in no other filler,
 * so any two are far apart (cosine 2/7). */
static char texts[64][128];
static size_t filler_next;

static void add_filler(struct tpart *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t t = filler_next++ % 64;
		const char *w = topics[t];
		snprintf(texts[t], sizeof texts[t], "The %s %sa %sb %sc %sd story ended.", w, w, w,
		         w, w);
		add_sentence(p, texts[t], 0, 0.5f);
	}
}

/* ---- stats and numbering ---------------------------------------------- */

static void test_stats(void)
{
	static struct tpart p[3];
	part_init(&p[0], 0, 3, "Title");
	part_init(&p[1], 1, 3, "Title");
	part_init(&p[2], 2, 3, "Title");
	add_sentence(&p[0], "Heading of the story", 1, 0);
	add_sentence(&p[0], "The council approved the new budget for the city on Monday.", 4, 0.5f);
	add_sentence(&p[1], "The mayor welcomed the decision and promised more spending.", 0, 0.5f);
	add_sentence(&p[1], "Another heading", 1, 0);
	add_sentence(&p[2], "Critics said the budget ignored the needs of the suburbs.", 0, 0.5f);
	struct summary *s = build(p, 3, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->status, ND__STATUS__STATUS_OK);
	CHECK_INT(d->stats->chunks, 3);
	CHECK_INT(d->stats->sentences, 3);
	CHECK_INT(d->stats->words, p[0].r.words + p[1].r.words + p[2].r.words);
	CHECK_INT(d->stats->bytes, p[0].r.bytes + p[1].r.bytes + p[2].r.bytes);
	CHECK_STR(d->article_id, "a1");
	CHECK_STR(d->source, "wire");
	CHECK_STR(d->title, "Title");
	CHECK_STR(d->model, "rules-1");
	CHECK_STR(d->pipeline_version, "0.1.0");
	CHECK_INT(d->created_at_us, 1234);
	CHECK_INT(d->schema, 1);
	CHECK_STR(d->error, "");
	summary_free(s);
}

static void test_renumbered(void)
{
	static struct tpart p[2];
	part_init(&p[0], 0, 2, "Storm");
	part_init(&p[1], 1, 2, "Storm");
	add_sentence(&p[0], "Weather", 1, 0);
	add_filler(&p[0], 2);
	add_sentence(&p[1], "Heading in the second chunk", 1, 0);
	add_sentence(&p[1], "A storm flooded the harbour and closed the ferry terminal overnight.",
	             0, 1.0f);
	struct summary *s = build(p, 2, 4);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_key_points, 3);
	/* Article numbering: 0 heading, 1-2 filler, 3 heading, 4 the storm. */
	CHECK_INT(d->key_points[0]->sentence_index, 1);
	CHECK_INT(d->key_points[1]->sentence_index, 2);
	CHECK_INT(d->key_points[2]->sentence_index, 4);
	CHECK_STR(d->key_points[2]->text, p[1].s[1].text);
	summary_free(s);
}

/* ---- key points ------------------------------------------------------- */

static void test_key_points_whole(void)
{
	static struct tpart p[2];
	part_init(&p[0], 0, 2, "Reports");
	part_init(&p[1], 1, 2, "Reports");
	add_filler(&p[0], 10);
	add_filler(&p[1], 10);
	struct summary *s = build(p, 2, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_key_points, 4);
	for (size_t i = 0; i < d->n_key_points; i++) {
		const Nd__KeyPoint *k = d->key_points[i];
		uint32_t idx = k->sentence_index;
		const struct tpart *pp = idx < 10 ? &p[0] : &p[1];
		CHECK_STR(k->text, pp->s[idx % 10].text);
		CHECK(k->score >= 0 && k->score <= 1);
		if (i)
			CHECK(d->key_points[i - 1]->sentence_index < idx);
	}
	summary_free(s);
}

static void test_no_headings(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Markets rally as inflation cools across Europe");
	/* A heading that matches the title word for word and scores high. */
	add_sentence(&p[0], "Markets rally as inflation cools across Europe today", 1, 1.0f);
	add_filler(&p[0], 3);
	add_sentence(&p[0], "Another section title with many words in it here", 1, 1.0f);
	add_filler(&p[0], 3);
	struct summary *s = build(p, 1, 8);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_key_points, 6);
	for (size_t i = 0; i < d->n_key_points; i++) {
		uint32_t idx = d->key_points[i]->sentence_index;
		CHECK(idx != 0 && idx != 4);
		CHECK(!(p[0].s[idx].flags & 1));
	}
	summary_free(s);
}

static void test_count_rule(void)
{
	static const struct {
		size_t n, want;
	} rule[] = {{1, 1},  {3, 1},  {4, 2},  {6, 2},  {7, 3},
	            {15, 3}, {16, 4}, {30, 4}, {31, 5}, {60, 5}};
	for (size_t r = 0; r < sizeof rule / sizeof rule[0]; r++) {
		static struct tpart p[1];
		part_init(&p[0], 0, 1, "Count");
		add_filler(&p[0], rule[r].n);
		/* Short sentences are not candidates and do not count. */
		add_sentence(&p[0], "Too short to count.", 0, 1.0f);
		struct summary *s = build(p, 1, 0);
		CHECK(s);
		if (summary_digest(s)->n_key_points != rule[r].want)
			fprintf(stderr, "  with %zu candidates\n", rule[r].n);
		CHECK_INT(summary_digest(s)->n_key_points, rule[r].want);
		summary_free(s);
	}
}

static void test_count_override(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Count");
	add_filler(&p[0], 20);
	struct summary *s = build(p, 1, 7);
	CHECK(s);
	CHECK_INT(summary_digest(s)->n_key_points, 7);
	summary_free(s);
	s = build(p, 1, 1);
	CHECK(s);
	CHECK_INT(summary_digest(s)->n_key_points, 1);
	summary_free(s);
	/* Never more than there are candidates. */
	s = build(p, 1, 50);
	CHECK(s);
	CHECK_INT(summary_digest(s)->n_key_points, 20);
	summary_free(s);
}

static void test_short_sentences_fallback(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Brief");
	add_sentence(&p[0], "Fire at depot.", 0, 0.5f);
	add_sentence(&p[0], "Nobody hurt.", 0, 0.5f);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	CHECK_INT(summary_digest(s)->status, ND__STATUS__STATUS_OK);
	CHECK_INT(summary_digest(s)->n_key_points, 1);
	CHECK_STR(summary_digest(s)->key_points[0]->text, "Fire at depot.");
	summary_free(s);
}

static void test_near_duplicates(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Central bank raises interest rates");
	add_sentence(&p[0], "The central bank raised interest rates by half a point on Tuesday.", 0,
	             0.9f);
	add_sentence(&p[0], "On Tuesday the central bank raised interest rates by half a point.", 0,
	             0.9f);
	add_filler(&p[0], 4);
	struct summary *s = build(p, 1, 3);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_key_points, 3);
	int both = 0;
	for (size_t i = 0; i < d->n_key_points; i++)
		both += d->key_points[i]->sentence_index <= 1;
	CHECK_INT(both, 1);
	CHECK_INT(d->key_points[0]->sentence_index, 0);
	summary_free(s);
}

static void test_lead(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Nothing in common");
	add_filler(&p[0], 12);
	struct summary *s = build(p, 1, 1);
	CHECK(s);
	/* All else equal, the position prior picks the lead. */
	CHECK_INT(summary_digest(s)->key_points[0]->sentence_index, 0);
	summary_free(s);
}

static void test_title(void)
{
	static const char *const titles[] = {"Volcano erupts near Naples",
	                                     "Something else entirely"};
	for (int t = 0; t < 2; t++) {
		static struct tpart p[1];
		part_init(&p[0], 0, 1, titles[t]);
		add_filler(&p[0], 1);
		add_sentence(&p[0], "A volcano erupted near Naples, forcing thousands from homes.",
		             0, 0.5f);
		struct summary *s = build(p, 1, 1);
		CHECK(s);
		/* Overlap with the title outweighs the second place; without it
		 * the lead wins. */
		CHECK_INT(summary_digest(s)->key_points[0]->sentence_index, t == 0 ? 1 : 0);
		summary_free(s);
	}
}

static void test_central(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Morning report");
	add_filler(&p[0], 1);
	add_sentence(&p[0], "Flood waters rose across the valley overnight.", 0, 0.5f);
	add_sentence(&p[0], "Rescue teams reached the valley before the river burst.", 0, 0.5f);
	add_sentence(&p[0], "The valley flood forced farmers to leave their farms.", 0, 0.5f);
	add_sentence(&p[0], "Farms across the valley lost crops to the flood waters.", 0, 0.5f);
	add_sentence(&p[0], "Rescue teams evacuated valley farms as flood waters rose.", 0, 0.5f);
	struct summary *s = build(p, 1, 1);
	CHECK(s);
	/* The sentence that sums up what the others say outweighs an
	 * off-topic lead: centrality carries most of the relevance. */
	CHECK_INT(summary_digest(s)->key_points[0]->sentence_index, 5);
	summary_free(s);
}

/* ---- entities --------------------------------------------------------- */

static void test_surname(void)
{
	static struct tpart p[2];
	part_init(&p[0], 0, 2, "Adviser");
	part_init(&p[1], 1, 2, "Adviser");
	uint32_t a = add_sentence(&p[0], "National security adviser Mike Waltz spoke first.", 0, 0);
	add_mention(&p[0], "Mike Waltz", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	uint32_t b = add_sentence(&p[1], "Waltz said the chat was a mistake by his staff.", 0, 0);
	add_mention(&p[1], "Waltz", ND__ENTITY_TYPE__ENTITY_PERSON, b);
	uint32_t c = add_sentence(&p[1], "Mr. Waltz declined to answer more questions.", 0, 0);
	add_mention(&p[1], "Mr. Waltz", ND__ENTITY_TYPE__ENTITY_NONE, c);
	struct summary *s = build(p, 2, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 1);
	const Nd__Entity *e = d->entities[0];
	CHECK_STR(e->name, "Mike Waltz");
	CHECK_INT(e->type, ND__ENTITY_TYPE__ENTITY_PERSON);
	CHECK_INT(e->mentions, 3);
	CHECK_INT(e->n_aliases, 1);
	CHECK_STR(e->aliases[0], "Waltz");
	summary_free(s);
}

static void test_surname_first(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Kremlin");
	uint32_t a = add_sentence(&p[0], "Putin met envoys in Moscow on Thursday afternoon.", 0, 0);
	add_mention(&p[0], "Putin", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	add_mention(&p[0], "Moscow", ND__ENTITY_TYPE__ENTITY_LOC, a);
	uint32_t b = add_sentence(&p[0], "President Vladimir Putin's aides said little.", 0, 0);
	add_mention(&p[0], "President Vladimir Putin's", ND__ENTITY_TYPE__ENTITY_PERSON, b);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Entity *e = entity(summary_digest(s), "Vladimir Putin");
	CHECK(e);
	CHECK_INT(e->mentions, 2);
	CHECK_INT(e->n_aliases, 1);
	CHECK_STR(e->aliases[0], "Putin");
	CHECK(!entity(summary_digest(s), "Putin"));
	summary_free(s);
}

static void test_surname_mistyped(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Talks");
	uint32_t a = add_sentence(&p[0], "President Vladimir Putin spoke on Tuesday.", 0, 0);
	add_mention(&p[0], "Vladimir Putin", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	uint32_t b = add_sentence(&p[0], "Trump placed a direct call to Putin on Monday.", 0, 0);
	add_mention(&p[0], "Putin", ND__ENTITY_TYPE__ENTITY_LOC, b);
	uint32_t c = add_sentence(&p[0], "Analysts expect Putin to stall for time.", 0, 0);
	add_mention(&p[0], "Putin", ND__ENTITY_TYPE__ENTITY_ORG, c);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	/* A bare surname typed as a place or an organisation still joins the
	 * one person it names, and votes as that person. */
	CHECK_INT(d->n_entities, 1);
	CHECK_STR(d->entities[0]->name, "Vladimir Putin");
	CHECK_INT(d->entities[0]->type, ND__ENTITY_TYPE__ENTITY_PERSON);
	CHECK_INT(d->entities[0]->mentions, 3);
	summary_free(s);
}

static void test_surname_ambiguous(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Family");
	uint32_t a = add_sentence(&p[0], "Hunter Biden and Joe Biden arrived together.", 0, 0);
	add_mention(&p[0], "Hunter Biden", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	add_mention(&p[0], "Joe Biden", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	uint32_t b = add_sentence(&p[0], "Biden waved to the waiting crowd outside.", 0, 0);
	add_mention(&p[0], "Biden", ND__ENTITY_TYPE__ENTITY_PERSON, b);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 3);
	CHECK(entity(d, "Biden"));
	CHECK_INT(entity(d, "Joe Biden")->mentions, 1);
	summary_free(s);
}

static void test_us_aliases(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Trade");
	uint32_t a =
	    add_sentence(&p[0], "The U.S. imposed tariffs on steel imports this week.", 0, 0);
	add_mention(&p[0], "U.S.", ND__ENTITY_TYPE__ENTITY_LOC, a);
	uint32_t b = add_sentence(&p[0], "US officials defended the tariffs as necessary.", 0, 0);
	add_mention(&p[0], "US", ND__ENTITY_TYPE__ENTITY_LOC, b);
	uint32_t c = add_sentence(&p[0], "The United States has used tariffs before.", 0, 0);
	add_mention(&p[0], "United States", ND__ENTITY_TYPE__ENTITY_LOC, c);
	uint32_t e2 =
	    add_sentence(&p[0], "The UK and Britain are one; so is the E.U. and EU.", 0, 0);
	add_mention(&p[0], "UK", ND__ENTITY_TYPE__ENTITY_LOC, e2);
	add_mention(&p[0], "Britain", ND__ENTITY_TYPE__ENTITY_LOC, e2);
	add_mention(&p[0], "E.U.", ND__ENTITY_TYPE__ENTITY_ORG, e2);
	add_mention(&p[0], "EU", ND__ENTITY_TYPE__ENTITY_ORG, e2);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 3);
	const Nd__Entity *e = entity(d, "United States");
	CHECK(e);
	CHECK_INT(e->mentions, 3);
	CHECK_INT(e->type, ND__ENTITY_TYPE__ENTITY_LOC);
	CHECK_INT(e->n_aliases, 2);
	CHECK_STR(e->aliases[0], "U.S.");
	CHECK_STR(e->aliases[1], "US");
	CHECK_INT(entity(d, "United Kingdom")->mentions, 2);
	CHECK_INT(entity(d, "European Union")->mentions, 2);
	summary_free(s);
}

static void test_possessive(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Tech");
	uint32_t a = add_sentence(&p[0], "Apple's profits rose while Apple cut prices.", 0, 0);
	add_mention(&p[0], "Apple's", ND__ENTITY_TYPE__ENTITY_ORG, a);
	add_mention(&p[0], "Apple", ND__ENTITY_TYPE__ENTITY_ORG, a);
	uint32_t b =
	    add_sentence(&p[0], "Apple\xE2\x80\x99s rivals and the Joneses' shop lost out.", 0, 0);
	add_mention(&p[0], "Apple\xE2\x80\x99s", ND__ENTITY_TYPE__ENTITY_ORG, b);
	add_mention(&p[0], "Joneses'", ND__ENTITY_TYPE__ENTITY_ORG, b);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 2);
	CHECK_STR(d->entities[0]->name, "Apple");
	CHECK_INT(d->entities[0]->mentions, 3);
	CHECK_INT(d->entities[0]->n_aliases, 0);
	CHECK(entity(d, "Joneses"));
	summary_free(s);
}

static void test_type_vote(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Vote");
	uint32_t a = add_sentence(&p[0], "Jordan Jordan Jordan Jordan and Paris Paris.", 0, 0);
	add_mention(&p[0], "Jordan", ND__ENTITY_TYPE__ENTITY_LOC, a);
	add_mention(&p[0], "Jordan", ND__ENTITY_TYPE__ENTITY_LOC, a);
	add_mention(&p[0], "Jordan", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	add_mention(&p[0], "Jordan", ND__ENTITY_TYPE__ENTITY_NONE, a);
	add_mention(&p[0], "Acme", ND__ENTITY_TYPE__ENTITY_LOC, a);
	add_mention(&p[0], "Acme", ND__ENTITY_TYPE__ENTITY_ORG, a);
	add_mention(&p[0], "Paris", ND__ENTITY_TYPE__ENTITY_NONE, a);
	add_mention(&p[0], "Paris", ND__ENTITY_TYPE__ENTITY_MISC, a);
	add_mention(&p[0], "Paris", ND__ENTITY_TYPE__ENTITY_LOC, a);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 3);
	CHECK_INT(entity(d, "Jordan")->type, ND__ENTITY_TYPE__ENTITY_LOC);
	CHECK_INT(entity(d, "Jordan")->mentions, 4);
	/* A tie goes to the first mention's type when it is among the tied... */
	CHECK_INT(entity(d, "Acme")->type, ND__ENTITY_TYPE__ENTITY_LOC);
	/* ...else LOC before MISC (the first mention abstained). */
	CHECK_INT(entity(d, "Paris")->type, ND__ENTITY_TYPE__ENTITY_LOC);
	summary_free(s);
}

static void test_salience_order(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Order");
	uint32_t s0 = add_sentence(&p[0], "Anna Berg met Carl Dahl in Oslo on Friday.", 0, 0);
	add_mention(&p[0], "Anna Berg", ND__ENTITY_TYPE__ENTITY_PERSON, s0);
	add_mention(&p[0], "Carl Dahl", ND__ENTITY_TYPE__ENTITY_PERSON, s0);
	add_mention(&p[0], "Oslo", ND__ENTITY_TYPE__ENTITY_LOC, s0);
	add_mention(&p[0], "Friday", ND__ENTITY_TYPE__ENTITY_DATE, s0);
	uint32_t s1 = add_sentence(&p[0], "Berg spoke about the Oslo plan at length.", 0, 0);
	add_mention(&p[0], "Berg", ND__ENTITY_TYPE__ENTITY_PERSON, s1);
	add_mention(&p[0], "Oslo", ND__ENTITY_TYPE__ENTITY_LOC, s1);
	uint32_t s2 = add_sentence(&p[0], "Berg later left for Bergen by train.", 0, 0);
	add_mention(&p[0], "Berg", ND__ENTITY_TYPE__ENTITY_PERSON, s2);
	add_mention(&p[0], "Bergen", ND__ENTITY_TYPE__ENTITY_LOC, s2);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 5);
	/* Most mentioned first; equal counts: earlier first; the date, equal
	 * to Carl Dahl in count and position, comes after him. */
	CHECK_STR(d->entities[0]->name, "Anna Berg");
	CHECK_STR(d->entities[1]->name, "Oslo");
	CHECK_STR(d->entities[2]->name, "Carl Dahl");
	CHECK(entity_pos(d, "Friday") > entity_pos(d, "Carl Dahl"));
	CHECK_INT(entity(d, "Friday")->type, ND__ENTITY_TYPE__ENTITY_DATE);
	CHECK(entity_pos(d, "Bergen") > entity_pos(d, "Carl Dahl"));
	/* count 3/3, first sentence 0, spread 3/3. */
	CHECK(d->entities[0]->salience == 1.0f);
	for (size_t i = 1; i < d->n_entities; i++)
		CHECK(d->entities[i - 1]->salience >= d->entities[i]->salience);
	summary_free(s);
}

static void test_numeric_exact(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Money");
	uint32_t a = add_sentence(&p[0], "Shares fell 5% to $10 on May 3, then 5% more.", 0, 0);
	add_mention(&p[0], "5%", ND__ENTITY_TYPE__ENTITY_PERCENT, a);
	add_mention(&p[0], "$10", ND__ENTITY_TYPE__ENTITY_MONEY, a);
	add_mention(&p[0], "May 3", ND__ENTITY_TYPE__ENTITY_DATE, a);
	add_mention(&p[0], "5%", ND__ENTITY_TYPE__ENTITY_PERCENT, a);
	uint32_t b = add_sentence(&p[0], "Theresa May and May spoke.", 0, 0);
	add_mention(&p[0], "Theresa May", ND__ENTITY_TYPE__ENTITY_PERSON, b);
	add_mention(&p[0], "May", ND__ENTITY_TYPE__ENTITY_PERSON, b);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_entities, 4);
	CHECK_INT(entity(d, "5%")->mentions, 2);
	CHECK_INT(entity(d, "5%")->type, ND__ENTITY_TYPE__ENTITY_PERCENT);
	CHECK_INT(entity(d, "May 3")->type, ND__ENTITY_TYPE__ENTITY_DATE);
	CHECK_INT(entity(d, "Theresa May")->mentions, 2);
	summary_free(s);
}

static void test_rounded(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Rounding of scores");
	for (int i = 0; i < 7; i++)
		add_sentence(&p[0], "Seven times the same sentence of some length.", 0, 0.3337f);
	add_filler(&p[0], 7);
	add_mention(&p[0], "Alpha Corp", ND__ENTITY_TYPE__ENTITY_ORG, 2);
	add_mention(&p[0], "Beta Corp", ND__ENTITY_TYPE__ENTITY_ORG, 5);
	add_mention(&p[0], "Beta Corp", ND__ENTITY_TYPE__ENTITY_ORG, 9);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	for (size_t i = 0; i < d->n_entities; i++) {
		double x = d->entities[i]->salience * 1000.0;
		CHECK(x - (double)(long)(x + 0.5) < 0.01 && x - (double)(long)(x + 0.5) > -0.01);
	}
	for (size_t i = 0; i < d->n_key_points; i++) {
		double x = d->key_points[i]->score * 1000.0;
		CHECK(x - (double)(long)(x + 0.5) < 0.01 && x - (double)(long)(x + 0.5) > -0.01);
	}
	for (size_t i = 0; i < d->n_keywords; i++) {
		double x = d->keywords[i]->score * 1000.0;
		CHECK(x - (double)(long)(x + 0.5) < 0.01 && x - (double)(long)(x + 0.5) > -0.01);
	}
	summary_free(s);
}

/* ---- keywords --------------------------------------------------------- */

static void test_keywords(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Drought");
	add_sentence(&p[0], "Drought Relief Ahead", 1, 0);
	add_sentence(&p[0], "The drought has hit farmers across the region since 2022.", 0, 0);
	add_sentence(&p[0], "Farmers said the drought destroyed most of the wheat harvest.", 0, 0);
	add_sentence(&p[0], "Water rationing began in 2023, and the drought continues.", 0, 0);
	add_sentence(&p[0], "The wheat harvest fell by 40 percent, farmers said.", 0, 0);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK(d->n_keywords > 2 && d->n_keywords <= 8);
	CHECK_STR(d->keywords[0]->text, "drought");
	CHECK(d->keywords[0]->score == 1.0f);
	int harvest = 0;
	for (size_t i = 0; i < d->n_keywords; i++) {
		const char *t = d->keywords[i]->text;
		CHECK(d->keywords[i]->score > 0 && d->keywords[i]->score <= 1);
		if (i)
			CHECK(d->keywords[i]->score <= d->keywords[i - 1]->score);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(t, d->keywords[j]->text));
		CHECK(strcmp(t, "2022") && strcmp(t, "40") && strcmp(t, "the") &&
		      strcmp(t, "said"));
		CHECK(!strstr(t, "relief")); /* headings give no keywords */
		harvest += !strcmp(t, "wheat harvest");
	}
	CHECK_INT(harvest, 1);
	summary_free(s);
}

/* ---- failures and arguments ------------------------------------------- */

static void test_credits_never_key_points(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Harbour bridge vote");
	add_sentence(&p[0], "By Harbour Bridge Vote Reporter Jane Doe and John Roe",
	             ND__SENTENCE_FLAG__SENTENCE_BYLINE, 1);
	add_sentence(&p[0], "The council voted on Monday to build the harbour bridge.", 0, 0.5f);
	add_sentence(&p[0], "Photo: the harbour bridge vote in the council chamber on Monday",
	             ND__SENTENCE_FLAG__SENTENCE_CAPTION, 1);
	add_sentence(&p[0], "Work on the bridge starts next spring and ends in 2027.", 0, 0.5f);
	add_sentence(&p[0], "the harbour bridge vote that the council",
	             ND__SENTENCE_FLAG__SENTENCE_FRAGMENT, 1);
	add_sentence(&p[0], "Critics said the cost of the bridge was far too high.", 0, 0.5f);
	struct summary *s = build(p, 1, 10);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	/* Only the three whole sentences of prose can be key points, however
	 * well the others match the title. */
	CHECK_INT(d->n_key_points, 3);
	CHECK_INT(d->key_points[0]->sentence_index, 1);
	CHECK_INT(d->key_points[1]->sentence_index, 3);
	CHECK_INT(d->key_points[2]->sentence_index, 5);
	summary_free(s);
}

static void test_worker_terms_are_used(void)
{
	/* Texts that share no word, and terms (as a worker sends them) that
	 * make the second sentence the centre of the article: the terms decide. */
	static struct tpart p[1];
	static const uint64_t t0[] = {1, 2}, t1[] = {3, 4, 5}, t2[] = {3, 4, 6}, t3[] = {4, 5, 7};
	static const uint64_t *const tv[] = {t0, t1, t2, t3};
	static const size_t tn[] = {2, 3, 3, 3};
	part_init(&p[0], 0, 1, "");
	add_sentence(&p[0], "Alpha bravo charlie delta echo foxtrot golf.", 0, 0);
	add_sentence(&p[0], "Hotel india juliet kilo lima mike november.", 0, 0);
	add_sentence(&p[0], "Oscar papa quebec romeo sierra tango uniform.", 0, 0);
	add_sentence(&p[0], "Victor whiskey xray yankee zulu amber birch.", 0, 0);
	for (size_t i = 0; i < 4; i++) {
		p[0].s[i].terms = (uint64_t *)tv[i];
		p[0].s[i].n_terms = tn[i];
	}
	struct summary *s = build(p, 1, 1);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->n_key_points, 1);
	CHECK_INT(d->key_points[0]->sentence_index, 1);
	summary_free(s);
	/* Without them, nothing is central and the lead wins. */
	for (size_t i = 0; i < 4; i++) {
		p[0].s[i].terms = NULL;
		p[0].s[i].n_terms = 0;
	}
	s = build(p, 1, 1);
	CHECK(s);
	CHECK_INT(summary_digest(s)->key_points[0]->sentence_index, 0);
	summary_free(s);
}

static void test_keywords_weighted_by_idf(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Results");
	add_sentence(&p[0], "The profit grew as the harbour reopened for ships.", 0, 0);
	add_sentence(&p[0], "Harbour fees and profit both rose in the spring.", 0, 0);
	/* As often as each other: without a table the first seen leads. */
	struct summary *s = build_idf(p, 1, NULL);
	CHECK(s);
	CHECK_STR(summary_digest(s)->keywords[0]->text, "profit");
	summary_free(s);
	/* With a table where "profit" is in most documents and "harbour" in
	 * few, the rarer word leads. */
	struct terms t;
	CHECK_INT(terms_init(&t), 0);
	CHECK_INT(terms_tokenize(&t, "profit harbour", 14), 0);
	uint64_t terms[2] = {t.toks[0].term, t.toks[1].term};
	uint32_t df[2] = {90, 2};
	terms_free(&t);
	char path[64];
	snprintf(path, sizeof path, "/tmp/nd-kw-idf-%d", (int)getpid());
	CHECK_INT(idf_save(path, "kw", 100, terms, df, 2), 0);
	struct idf *idf;
	CHECK_INT(idf_load(path, &idf), 0);
	remove(path);
	s = build_idf(p, 1, idf);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_STR(d->keywords[0]->text, "harbour");
	CHECK(d->keywords[0]->score == 1.0f);
	summary_free(s);
	idf_free(idf);
}

static void test_keywords_use_worker_terms(void)
{
	/* Two words as often as each other; the worker's terms say which one
	 * is rare (the table knows only the terms 7 and 8): that one leads. */
	static struct tpart p[1];
	/* profit grew harbour yesterday / harbour profit rose spring */
	static const uint64_t t0[] = {7, 9, 8, 11}, t1[] = {8, 7, 10, 12};
	part_init(&p[0], 0, 1, "Results");
	add_sentence(&p[0], "Profit grew at the harbour yesterday.", 0, 0);
	add_sentence(&p[0], "Harbour profit rose in spring.", 0, 0);
	p[0].s[0].terms = (uint64_t *)t0;
	p[0].s[0].n_terms = 4;
	p[0].s[1].terms = (uint64_t *)t1;
	p[0].s[1].n_terms = 4;
	uint64_t terms[2] = {7, 8};
	uint32_t df[2] = {95, 1}; /* term 7 ("profit" here) common, 8 rare */
	char path[64];
	snprintf(path, sizeof path, "/tmp/nd-kw-terms-%d", (int)getpid());
	CHECK_INT(idf_save(path, "kw", 100, terms, df, 2), 0);
	struct idf *idf;
	CHECK_INT(idf_load(path, &idf), 0);
	remove(path);
	struct summary *s = build_idf(p, 1, idf);
	CHECK(s);
	CHECK_STR(summary_digest(s)->keywords[0]->text, "harbour");
	summary_free(s);
	/* Terms that do not match the sentence's words are not trusted: the
	 * sink stems the words itself and still builds a digest. */
	p[0].s[1].n_terms = 1;
	s = build_idf(p, 1, idf);
	CHECK(s);
	CHECK(summary_digest(s)->n_keywords > 0);
	summary_free(s);
	idf_free(idf);
}

static void test_error_part(void)
{
	static struct tpart p[2];
	part_init(&p[0], 0, 2, "Broken");
	part_init(&p[1], 1, 2, "Broken");
	uint32_t a =
	    add_sentence(&p[0], "A perfectly good sentence about the weather today.", 0, 0);
	add_mention(&p[0], "Bob Smith", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	p[1].r.error = (char *)"tagger ran out of memory";
	struct summary *s = build(p, 2, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->status, ND__STATUS__STATUS_FAILED);
	CHECK_STR(d->error, "chunk 1: tagger ran out of memory");
	CHECK_INT(d->n_entities, 0);
	CHECK_INT(d->n_key_points, 0);
	CHECK_INT(d->n_keywords, 0);
	CHECK_INT(d->stats->chunks, 2);
	CHECK_INT(d->stats->sentences, 1);
	CHECK_STR(d->article_id, "a1");
	summary_free(s);
}

static void test_empty_article(void)
{
	static struct tpart p[2];
	part_init(&p[0], 0, 2, "Nothing");
	part_init(&p[1], 1, 2, "Nothing");
	struct summary *s = build(p, 2, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->status, ND__STATUS__STATUS_FAILED);
	CHECK_STR(d->error, "article has no text");
	CHECK_INT(d->n_key_points, 0);
	CHECK_INT(d->stats->chunks, 2);
	CHECK_INT(d->stats->sentences, 0);
	summary_free(s);
}

/* A one-line text without final punctuation looks like a heading to the
 * segmenter; an article cannot be all headings, so it is the body. */
static void test_headings_only_article(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "");
	add_sentence(&p[0], "Markets rally after rate cut", 1, 0);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->status, ND__STATUS__STATUS_OK);
	CHECK_INT(d->stats->sentences, 1);
	CHECK_INT(d->n_key_points, 1);
	CHECK_STR(d->key_points[0]->text, "Markets rally after rate cut");
	summary_free(s);
}

static void test_invalid_parts(void)
{
	static struct tpart p[2];
	part_init(&p[0], 0, 2, "T");
	part_init(&p[1], 1, 2, "T");
	add_filler(&p[0], 1);
	add_filler(&p[1], 1);
	const Nd__ChunkResult *v[2] = {&p[0].r, &p[1].r};
	struct summary *s = (struct summary *)1;
	CHECK_INT(summary_build(&s, v, 1, NULL), -EINVAL); /* total says 2 */
	CHECK(s == NULL);
	const Nd__ChunkResult *swapped[2] = {&p[1].r, &p[0].r};
	CHECK_INT(summary_build(&s, swapped, 2, NULL), -EINVAL);
	CHECK_INT(summary_build(&s, v, 0, NULL), -EINVAL);
	p[1].r.article_id = (char *)"other";
	CHECK_INT(summary_build(&s, v, 2, NULL), -EINVAL);
	p[1].r.article_id = (char *)"a1";
	CHECK_INT(summary_build(&s, v, 2, NULL), 0);
	CHECK_STR(summary_digest(s)->pipeline_version, "");
	summary_free(s);
}

static void test_failed(void)
{
	struct summary_opts o = {0, "1.2.3", 99, NULL, NULL};
	struct summary *s = NULL;
	CHECK_INT(summary_failed(&s, "id9", "inbox", "A title", "too many attempts", &o), 0);
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->status, ND__STATUS__STATUS_FAILED);
	CHECK_STR(d->article_id, "id9");
	CHECK_STR(d->source, "inbox");
	CHECK_STR(d->title, "A title");
	CHECK_STR(d->error, "too many attempts");
	CHECK_STR(d->pipeline_version, "1.2.3");
	CHECK_INT(d->created_at_us, 99);
	CHECK_INT(d->schema, 1);
	CHECK(d->stats);
	CHECK_INT(d->n_entities + d->n_key_points + d->n_keywords, 0);
	summary_free(s);
	summary_free(NULL);
	CHECK(summary_digest(NULL) == NULL);
}

static void test_packs(void)
{
	static struct tpart p[1];
	part_init(&p[0], 0, 1, "Pack");
	uint32_t a =
	    add_sentence(&p[0], "Mike Waltz spoke with US officials about Yemen today.", 0, 1);
	add_mention(&p[0], "Mike Waltz", ND__ENTITY_TYPE__ENTITY_PERSON, a);
	add_mention(&p[0], "US", ND__ENTITY_TYPE__ENTITY_LOC, a);
	uint32_t b = add_sentence(&p[0], "Waltz and U.S. aides later met again in private.", 0, 1);
	add_mention(&p[0], "Waltz", ND__ENTITY_TYPE__ENTITY_PERSON, b);
	add_mention(&p[0], "U.S.", ND__ENTITY_TYPE__ENTITY_LOC, b);
	struct summary *s = build(p, 1, 0);
	CHECK(s);
	const Nd__Digest *d = summary_digest(s);
	size_t n = protobuf_c_message_get_packed_size(&d->base);
	uint8_t *bytes = malloc(n);
	CHECK(bytes);
	CHECK_INT(protobuf_c_message_pack(&d->base, bytes), n);
	Nd__Digest *back = nd__digest__unpack(NULL, n, bytes);
	free(bytes);
	CHECK(back);
	int same = back->n_entities == d->n_entities && back->n_key_points == d->n_key_points &&
	           back->n_keywords == d->n_keywords && back->stats &&
	           back->stats->sentences == 2 && !strcmp(back->entities[0]->name, "Mike Waltz") &&
	           back->entities[0]->n_aliases == 1;
	nd__digest__free_unpacked(back, NULL);
	CHECK(same);
	summary_free(s);
}

static void test_big_article(void)
{
	/* 4000 sentences in 8 chunks of 500: must stay well clear of quadratic. */
	enum { PER = 500, CHUNKS = 8 };
	static Nd__ChunkResult r[CHUNKS];
	static Nd__Sentence sv[CHUNKS][PER];
	static Nd__Sentence *sp[CHUNKS][PER];
	static Nd__Mention mv[CHUNKS][PER];
	static Nd__Mention *mp[CHUNKS][PER];
	static char text[CHUNKS][PER][96];
	const Nd__ChunkResult *v[CHUNKS];
	for (int c = 0; c < CHUNKS; c++) {
		Nd__ChunkResult cr = ND__CHUNK_RESULT__INIT;
		r[c] = cr;
		r[c].article_id = (char *)"big";
		r[c].seq = (uint32_t)c;
		r[c].total = CHUNKS;
		r[c].sentences = sp[c];
		r[c].mentions = mp[c];
		for (int i = 0; i < PER; i++) {
			int g = c * PER + i;
			snprintf(text[c][i], sizeof text[c][i],
			         "Report %d says %s and %s saw %s growth in %s.", g, topics[g % 64],
			         topics[(g / 64) % 64], topics[(g * 7) % 64],
			         topics[(g * 13) % 64]);
			Nd__Sentence st = ND__SENTENCE__INIT;
			st.text = text[c][i];
			st.words = count_words(text[c][i]);
			st.score = (float)(g % 10) / 10;
			sv[c][i] = st;
			sp[c][i] = &sv[c][i];
			Nd__Mention m = ND__MENTION__INIT;
			m.text = (char *)topics[g % 64];
			m.type = ND__ENTITY_TYPE__ENTITY_ORG;
			m.sentence = (uint32_t)i;
			mv[c][i] = m;
			mp[c][i] = &mv[c][i];
		}
		r[c].n_sentences = PER;
		r[c].n_mentions = PER;
		v[c] = &r[c];
	}
	clock_t t0 = clock();
	struct summary *s = NULL;
	CHECK_INT(summary_build(&s, v, CHUNKS, NULL), 0);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	const Nd__Digest *d = summary_digest(s);
	CHECK_INT(d->stats->sentences, PER * CHUNKS);
	CHECK_INT(d->n_key_points, 5);
	CHECK_INT(d->n_entities, 64);
	CHECK_INT(d->n_keywords, 8);
	summary_free(s);
	CHECK(secs < 2.0);
}

static const struct check_case cases[] = {
    CASE(test_stats, "stats add up across chunks"),
    CASE(test_renumbered, "sentences are renumbered across chunks"),
    CASE(test_key_points_whole, "key points are whole sentences in article order"),
    CASE(test_no_headings, "headings are never key points"),
    CASE(test_count_rule, "key point count follows article length"),
    CASE(test_count_override, "key point count can be set"),
    CASE(test_short_sentences_fallback, "an article of short sentences still has a key point"),
    CASE(test_near_duplicates, "near identical sentences are not both chosen"),
    CASE(test_lead, "the lead sentence wins when all else is equal"),
    CASE(test_title, "overlap with the title lifts a key point"),
    CASE(test_central, "the sentence central to the article beats an off-topic lead"),
    CASE(test_surname, "a surname joins the full name as an alias"),
    CASE(test_surname_first, "a surname seen before the full name joins it"),
    CASE(test_surname_ambiguous, "a surname shared by two people stays apart"),
    CASE(test_us_aliases, "known aliases are one entity"),
    CASE(test_possessive, "possessives are stripped"),
    CASE(test_surname_mistyped, "a bare surname of any type joins its person"),
    CASE(test_type_vote, "type is decided by vote"),
    CASE(test_salience_order, "salience ranks most mentioned and earliest first"),
    CASE(test_numeric_exact, "dates money and percentages merge by exact text"),
    CASE(test_rounded, "scores are rounded to three decimals"),
    CASE(test_keywords, "keywords are ranked distinct content phrases"),
    CASE(test_credits_never_key_points, "bylines captions and fragments are never key points"),
    CASE(test_worker_terms_are_used, "the worker's sentence terms drive centrality"),
    CASE(test_keywords_weighted_by_idf, "keywords weigh words by background rarity"),
    CASE(test_keywords_use_worker_terms, "keyword weights use the worker's terms when they match"),
    CASE(test_error_part, "a chunk error gives a failed digest with its reason"),
    CASE(test_empty_article, "an article without text fails"),
    CASE(test_headings_only_article, "an article of headings only is read as its body"),
    CASE(test_invalid_parts, "parts that are not one article are rejected"),
    CASE(test_failed, "summary_failed builds a failed digest"),
    CASE(test_packs, "the digest packs and unpacks as protobuf"),
    CASE(test_big_article, "a big article is summarised in linear time"),
};

CHECK_MAIN(cases)
