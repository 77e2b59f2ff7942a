/* Unit tests for ner (the generic interface) and ner_rules ("rules-1"). */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ner.h"
#include "seg.h"

/* A text segmented and tagged. */
struct fx {
	struct seg_doc doc;
	struct ner_extractor *x;
	struct ner_mentions m;
	char *owned; /* text read from a file, if any */
};

static int fx_open(struct fx *f)
{
	memset(f, 0, sizeof *f);
	seg_doc_init(&f->doc);
	return ner_rules_open(&f->x);
}

static int fx_tag(struct fx *f, const char *text, size_t len)
{
	int rc = seg_split(&f->doc, text, len);
	if (rc)
		return rc;
	return ner_extract(f->x, &f->doc, &f->m);
}

static void fx_close(struct fx *f)
{
	ner_mentions_free(&f->m);
	ner_close(f->x);
	seg_doc_free(&f->doc);
	free(f->owned);
}

static int mention_is(const struct fx *f, const struct ner_mention *m, const char *text)
{
	size_t n = strlen(text);
	return m->end - m->start == n && memcmp(f->doc.text + m->start, text, n) == 0;
}

/* How many mentions have this exact text and type (type 0: any type). */
static int count(const struct fx *f, const char *text, int type)
{
	int k = 0;
	for (size_t i = 0; i < f->m.n; i++)
		if (mention_is(f, &f->m.v[i], text) && (!type || (int)f->m.v[i].type == type))
			k++;
	return k;
}

/* Print the mentions, to make a failure readable. */
static void dump(const struct fx *f)
{
	for (size_t i = 0; i < f->m.n; i++) {
		const struct ner_mention *m = &f->m.v[i];
		fprintf(stderr, "    [%u] %-7s \"%.*s\"\n", m->sentence,
		        ner_type_name((int)m->type), (int)(m->end - m->start),
		        f->doc.text + m->start);
	}
}

/* One string, tagged: every expected (text, type) pair must be there. */
struct want {
	const char *text;
	int type;
};

static int expect_all(const struct fx *f, const struct want *w, size_t n, const char *file,
                      int line)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (count(f, w[i].text, w[i].type) == 0) {
			check_fail(file, line, "no %s mention \"%s\"", ner_type_name(w[i].type),
			           w[i].text);
			bad = 1;
		}
	}
	if (bad)
		dump(f);
	return !bad;
}

#define EXPECT(f, ...)                                                                             \
	do {                                                                                       \
		static const struct want want_[] = {__VA_ARGS__};                                  \
		if (!expect_all(f, want_, sizeof want_ / sizeof want_[0], __FILE__, __LINE__))     \
			goto done;                                                                 \
	} while (0)

/* CHECK that releases the fixture: fail, then jump to the case's done:. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			check_fail(__FILE__, __LINE__, "%s", #cond);                               \
			goto done;                                                                 \
		}                                                                                  \
	} while (0)

#define REQUIRE_INT(a, b)                                                                          \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			check_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);  \
			dump(&f);                                                                  \
			goto done;                                                                 \
		}                                                                                  \
	} while (0)

#define TAG(f, s) REQUIRE(fx_tag(f, s, strlen(s)) == 0)

/* The invariants every extractor keeps, checked on any text. */
static int invariants_hold(const struct fx *f, const char *file, int line)
{
	const struct seg_doc *d = &f->doc;
	for (size_t i = 0; i < f->m.n; i++) {
		const struct ner_mention *m = &f->m.v[i];
		if (m->type <= NER_NONE || m->type >= NER_NTYPES || m->tok_begin >= m->tok_end ||
		    m->tok_end > d->ntoks || m->sentence >= d->nsents) {
			check_fail(file, line, "mention %zu is malformed", i);
			return 0;
		}
		const struct seg_sentence *s = &d->sents[m->sentence];
		if (m->tok_begin < s->tok_begin || m->tok_end > s->tok_end) {
			check_fail(file, line, "mention %zu leaves its sentence", i);
			return 0;
		}
		if (s->flags & SEG_SF_HEADING) {
			check_fail(file, line, "mention %zu is in a heading", i);
			return 0;
		}
		if (m->start != d->toks[m->tok_begin].start ||
		    m->end != d->toks[m->tok_end - 1].start + d->toks[m->tok_end - 1].len) {
			check_fail(file, line, "mention %zu: bytes and tokens disagree", i);
			return 0;
		}
		for (uint32_t t = m->tok_begin; t < m->tok_end; t++) {
			if (d->toks[t].kind == SEG_TOK_CLITIC) {
				check_fail(file, line, "mention %zu holds a clitic", i);
				return 0;
			}
		}
		if (i > 0) {
			const struct ner_mention *p = &f->m.v[i - 1];
			if (p->tok_end > m->tok_begin || p->end > m->start) {
				check_fail(file, line,
				           "mentions %zu and %zu overlap or are out of order",
				           i - 1, i);
				dump(f);
				return 0;
			}
		}
	}
	return 1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap);
	size_t got;
	while (p && (got = fread(p + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			char *q = realloc(p, cap *= 2);
			if (!q) {
				free(p);
				p = NULL;
			}
			p = q;
		}
	}
	fclose(fp);
	if (p)
		*len = n;
	return p;
}

/* Tag the example article without its first line (the title). */
static int fx_riyadh(struct fx *f)
{
	const char *path = check_shared_path("examples/riyadh-talks.txt");
	size_t len = 0;
	f->owned = read_file(path, &len);
	if (!f->owned) {
		check_fail(__FILE__, __LINE__, "cannot read %s (set ND_SHARED_DIR)", path);
		return -1;
	}
	const char *nl = memchr(f->owned, '\n', len);
	size_t skip = nl ? (size_t)(nl - f->owned) + 1 : len;
	int rc = fx_tag(f, f->owned + skip, len - skip);
	if (rc)
		check_fail(__FILE__, __LINE__, "tagging the article failed: %d", rc);
	return rc;
}

/* ------------------------------------------------------------------ */

static void test_type_names(void)
{
	static const char *names[] = {"PERSON", "ORG", "LOC", "MISC", "DATE", "MONEY", "PERCENT"};
	for (int t = NER_PERSON; t <= NER_PERCENT; t++) {
		CHECK_STR(ner_type_name(t), names[t - 1]);
		CHECK_INT(ner_type_from_name(names[t - 1]), t);
	}
	CHECK(ner_type_name(NER_NONE) == NULL);
	CHECK(ner_type_name(NER_NTYPES) == NULL);
	CHECK(ner_type_name(-1) == NULL);
	CHECK_INT(ner_type_from_name("GPE"), NER_NONE);
	CHECK_INT(ner_type_from_name(NULL), NER_NONE);
}

static void test_open_close(void)
{
	struct ner_extractor *x = NULL;
	CHECK_INT(ner_rules_open(&x), 0);
	CHECK(x != NULL);
	const char *name = ner_name(x);
	int named = name && strcmp(name, "rules-1") == 0;
	ner_close(x);
	CHECK(named);
	CHECK_STR(ner_name(NULL), "none");
	ner_close(NULL);
	ner_mentions_free(NULL);
	struct ner_mentions m = {NULL, 0, 0};
	ner_mentions_free(&m);
	CHECK(m.v == NULL && m.n == 0);
}

static void test_title_possessive(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "This marks the first talks since the early months of President Vladimir "
	        "Putin’s invasion.");
	EXPECT(&f, {"Vladimir Putin", NER_PERSON});
	REQUIRE_INT(count(&f, "President Vladimir Putin", 0), 0);
	REQUIRE_INT(count(&f, "Vladimir Putin’s", 0), 0);
	REQUIRE_INT(count(&f, "This", 0), 0);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_nationality_title_name(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "Russian Foreign Minister Sergei Lavrov announced the deal. Zelenskyy visited "
	        "Turkish President Recep Tayyip Erdoğan, and French President Emmanuel Macron "
	        "called Ukrainian President Volodymyr Zelenskyy.");
	EXPECT(&f, {"Russian", NER_MISC}, {"Sergei Lavrov", NER_PERSON}, {"Turkish", NER_MISC},
	       {"Recep Tayyip Erdoğan", NER_PERSON}, {"French", NER_MISC},
	       {"Emmanuel Macron", NER_PERSON}, {"Ukrainian", NER_MISC},
	       {"Volodymyr Zelenskyy", NER_PERSON});
	REQUIRE_INT(count(&f, "Foreign Minister", 0), 0);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_country_title_name(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "Trump was scheduled to meet UK Prime Minister Keir Starmer next week, stated "
	        "U.S. National Security Adviser Mike Waltz.");
	EXPECT(&f, {"UK", NER_LOC}, {"Keir Starmer", NER_PERSON}, {"U.S.", NER_LOC},
	       {"Mike Waltz", NER_PERSON}, {"next week", NER_DATE}, {"Trump", NER_PERSON});
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_state_department(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "After the talks, the U.S. State Department announced that both nations would "
	        "appoint teams.");
	EXPECT(&f, {"U.S. State Department", NER_ORG});
	REQUIRE_INT(count(&f, "U.S.", 0), 0);
	REQUIRE_INT(count(&f, "After", 0), 0);
done:
	fx_close(&f);
}

static void test_secretary_of_state(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "He attended the talks alongside Secretary of State Marco Rubio on Tuesday.");
	EXPECT(&f, {"Marco Rubio", NER_PERSON}, {"Tuesday", NER_DATE});
	REQUIRE_INT(count(&f, "State", 0), 0);
	REQUIRE_INT(count(&f, "Secretary of State Marco Rubio", 0), 0);
done:
	fx_close(&f);
}

static void test_acronyms(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "Russia demanded that NATO rescind its offer, while the UK and the EU said the "
	        "IMF and the WHO would help.");
	EXPECT(&f, {"NATO", NER_ORG}, {"UK", NER_LOC}, {"EU", NER_ORG}, {"IMF", NER_ORG},
	       {"WHO", NER_ORG}, {"Russia", NER_LOC});
done:
	fx_close(&f);
}

static void test_initial_common_word(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "However, European leaders remain divided. Following hours of talks, they "
	        "left. During the summit nothing moved. The meeting ended. When asked, he "
	        "smiled. “We reject the idea,” he said.");
	EXPECT(&f, {"European", NER_MISC});
	static const char *openers[] = {"However", "Following", "During", "The", "When", "We"};
	for (size_t i = 0; i < sizeof openers / sizeof openers[0]; i++)
		REQUIRE_INT(count(&f, openers[i], 0), 0);
	REQUIRE_INT(f.m.n, 1);
done:
	fx_close(&f);
}

static void test_initial_name(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "Waltz emphasized that discussions would involve territory. Separate "
	        "delegations will be appointed. Restoring ties is hard.");
	EXPECT(&f, {"Waltz", NER_PERSON});
	REQUIRE_INT(count(&f, "Separate", 0), 0);
	REQUIRE_INT(count(&f, "Restoring", 0), 0);
	REQUIRE_INT(f.m.n, 1);
done:
	fx_close(&f);
}

static void test_surname_follows_name(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "Governor Oleh Synehubov spoke first. The plan came from Synehubov, officials "
	        "said. Synehubov later left.");
	EXPECT(&f, {"Oleh Synehubov", NER_PERSON});
	REQUIRE_INT(count(&f, "Synehubov", NER_PERSON), 2);
	REQUIRE_INT(count(&f, "Synehubov", 0), 2);
done:
	fx_close(&f);
}

static void test_given_name_person(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "The deal was signed by Olena Kovalenko and Yuri Ushakov in Riyadh.");
	EXPECT(&f, {"Olena Kovalenko", NER_PERSON}, {"Yuri Ushakov", NER_PERSON},
	       {"Riyadh", NER_LOC});
done:
	fx_close(&f);
}

static void test_org_words(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "She studied at the University of Oxford, joined the Bank of England and later "
	        "the European Union, where the Russian Foreign Ministry called her.");
	EXPECT(&f, {"University of Oxford", NER_ORG}, {"Bank of England", NER_ORG},
	       {"European Union", NER_ORG}, {"Russian Foreign Ministry", NER_ORG});
done:
	fx_close(&f);
}

static void test_shouted_event_place(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "LONDON - SOCCER fans in NEW YORK watched the World Cup and the U.S. Open, "
	        "then met the ECB at Élysée Palace near Red Square.");
	EXPECT(&f, {"LONDON", NER_LOC}, {"NEW YORK", NER_LOC}, {"World Cup", NER_MISC},
	       {"U.S. Open", NER_MISC}, {"ECB", NER_ORG}, {"Élysée Palace", NER_LOC},
	       {"Red Square", NER_LOC});
	REQUIRE_INT(count(&f, "SOCCER", 0), 0);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_headings(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "Concerns in Kyiv and European Capitals\n\nThe talks in Riyadh worried Kyiv.\n\n"
	        "Restoring Diplomatic Ties\n\nLavrov spoke in Moscow.");
	size_t headings = 0;
	for (size_t s = 0; s < f.doc.nsents; s++)
		headings += (f.doc.sents[s].flags & SEG_SF_HEADING) != 0;
	REQUIRE(headings == 2);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
	EXPECT(&f, {"Riyadh", NER_LOC}, {"Kyiv", NER_LOC}, {"Moscow", NER_LOC});
	REQUIRE_INT(count(&f, "Kyiv", 0), 1);
	REQUIRE_INT(count(&f, "European Capitals", 0), 0);
	REQUIRE_INT(count(&f, "Diplomatic Ties", 0), 0);
done:
	fx_close(&f);
}

static void test_dates(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "On February 18, 2025, they met. The treaty of 18 February 2025 replaced the "
	        "one from May 2024. NATO rescinded its 2008 invitation after the invasion in "
	        "2022. Talks resume next week, said officials who met yesterday and last month "
	        "and two weeks ago. Some 2000 troops stayed. On Tuesday they left.");
	EXPECT(&f, {"February 18, 2025", NER_DATE}, {"18 February 2025", NER_DATE},
	       {"May 2024", NER_DATE}, {"2008", NER_DATE}, {"2022", NER_DATE},
	       {"next week", NER_DATE}, {"yesterday", NER_DATE}, {"last month", NER_DATE},
	       {"two weeks ago", NER_DATE}, {"Tuesday", NER_DATE});
	REQUIRE_INT(count(&f, "2000", 0), 0);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_money_percent(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	TAG(&f, "The fund lent $5 billion, up 3.5% on the year and 12 per cent above the 300 "
	        "million euros it lent before; inflation hit 7 percent and fees cost £40 or "
	        "20 dollars.");
	EXPECT(&f, {"$5 billion", NER_MONEY}, {"3.5%", NER_PERCENT}, {"12 per cent", NER_PERCENT},
	       {"300 million euros", NER_MONEY}, {"7 percent", NER_PERCENT}, {"£40", NER_MONEY},
	       {"20 dollars", NER_MONEY});
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_order_invariant(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	REQUIRE(fx_riyadh(&f) == 0);
	REQUIRE(f.m.n > 30);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
	/* Reusing the array: a second document replaces the first. */
	TAG(&f, "Kyiv.");
	REQUIRE_INT(f.m.n, 1);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_junk_input(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	char junk[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	REQUIRE(fx_tag(&f, junk, sizeof junk) == 0);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
	REQUIRE(fx_tag(&f, "", 0) == 0);
	REQUIRE_INT(f.m.n, 0);
	static const char caps[] = "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z AA BB CC "
	                           "DD EE FF GG HH II JJ KK LL MM NN OO PP of of of & US$ $ 5 % "
	                           "per May 2024 next";
	REQUIRE(fx_tag(&f, caps, strlen(caps)) == 0);
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
done:
	fx_close(&f);
}

static void test_riyadh_entities(void)
{
	struct fx f;
	CHECK(fx_open(&f) == 0);
	if (fx_riyadh(&f) != 0)
		goto done;
	static const struct want want[] = {
	    {"Mike Waltz", NER_PERSON},
	    {"Marco Rubio", NER_PERSON},
	    {"Donald Trump", NER_PERSON},
	    {"Steve Witkoff", NER_PERSON},
	    {"Vladimir Putin", NER_PERSON},
	    {"Sergei Lavrov", NER_PERSON},
	    {"Emmanuel Macron", NER_PERSON},
	    {"Keir Starmer", NER_PERSON},
	    {"Yuri Ushakov", NER_PERSON},
	    {"Volodymyr Zelenskyy", NER_PERSON},
	    {"Recep Tayyip Erdoğan", NER_PERSON},
	    {"Riyadh", NER_LOC},
	    {"Kyiv", NER_LOC},
	    {"Moscow", NER_LOC},
	    {"Saudi Arabia", NER_LOC},
	    {"Ukraine", NER_LOC},
	    {"Russia", NER_LOC},
	    {"NATO", NER_ORG},
	};
	int bad = 0;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int all = count(&f, want[i].text, 0), typed = count(&f, want[i].text, want[i].type);
		if (typed == 0 || typed != all) {
			check_fail(__FILE__, __LINE__, "\"%s\": %d mentions, %d of them %s",
			           want[i].text, all, typed, ner_type_name(want[i].type));
			bad = 1;
		}
	}
	if (bad)
		dump(&f);
done:
	fx_close(&f);
}

static void test_riyadh_no_junk(void)
{
	static const char *common[] = {"The",  "This",    "In",    "However", "Following",
	                               "When", "During",  "After", "While",   "At",
	                               "He",   "We",      "Our",   "No",      "A",
	                               "It",   "Without", "These", "On",      "Separate"};
	struct fx f;
	CHECK(fx_open(&f) == 0);
	if (fx_riyadh(&f) != 0)
		goto done;
	REQUIRE(invariants_hold(&f, __FILE__, __LINE__));
	const struct seg_doc *d = &f.doc;
	for (size_t i = 0; i < f.m.n; i++) {
		const struct ner_mention *m = &f.m.v[i];
		const char *mt = d->text + m->start;
		size_t ml = m->end - m->start;
		/* No mention of two words or more is a piece of a heading. */
		for (size_t s = 0; s < d->nsents && m->tok_end - m->tok_begin >= 2; s++) {
			const struct seg_sentence *h = &d->sents[s];
			if (!(h->flags & SEG_SF_HEADING))
				continue;
			for (size_t k = h->start; k + ml <= h->end; k++) {
				if (memcmp(d->text + k, mt, ml) == 0) {
					check_fail(__FILE__, __LINE__,
					           "mention \"%.*s\" is heading text", (int)ml, mt);
					goto done;
				}
			}
		}
		/* No named mention holds a common word that opens a sentence. */
		if (m->type > NER_MISC)
			continue;
		for (uint32_t t = m->tok_begin; t < m->tok_end; t++) {
			const struct seg_token *tk = &d->toks[t];
			for (size_t c = 0; c < sizeof common / sizeof common[0]; c++) {
				if (tk->len == strlen(common[c]) &&
				    memcmp(d->text + tk->start, common[c], tk->len) == 0) {
					check_fail(__FILE__, __LINE__,
					           "mention \"%.*s\" holds \"%s\"", (int)ml, mt,
					           common[c]);
					goto done;
				}
			}
		}
	}
done:
	fx_close(&f);
}

static const struct check_case cases[] = {
    CASE(test_type_names, "type names round trip"),
    CASE(test_open_close, "rules extractor opens as rules-1 and closes"),
    CASE(test_title_possessive, "title and possessive are not part of a person"),
    CASE(test_nationality_title_name, "nationality title and name split"),
    CASE(test_country_title_name, "country title and name split"),
    CASE(test_state_department, "us state department is one organisation"),
    CASE(test_secretary_of_state, "secretary of state is stripped from the name"),
    CASE(test_acronyms, "acronyms are organisations and places"),
    CASE(test_initial_common_word, "sentence-initial common words are no entities"),
    CASE(test_initial_name, "sentence-initial name before a verb is a person"),
    CASE(test_surname_follows_name, "lone surname of a named person is a person"),
    CASE(test_given_name_person, "given name starts a person"),
    CASE(test_org_words, "organisation words make an organisation"),
    CASE(test_shouted_event_place, "shouted names events and places"),
    CASE(test_headings, "headings give no mentions"),
    CASE(test_dates, "dates with months weekdays years and relative words"),
    CASE(test_money_percent, "money and percentages"),
    CASE(test_order_invariant, "mentions come in order without overlap"),
    CASE(test_junk_input, "junk input keeps the invariants"),
    CASE(test_riyadh_entities, "riyadh article gives the expected entities"),
    CASE(test_riyadh_no_junk, "riyadh article gives no heading or opener mentions"),
};

CHECK_MAIN(cases)
