/* Unit tests for lib/seg.c: the tokenizer and sentence splitter. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

#include "seg.h"

static struct seg_doc doc;
static const char *text;

/* The structural invariants every seg_split() result must hold; NULL when
 * they do, else what is wrong. */
static const char *invariants(const struct seg_doc *d)
{
	static char why[160];
	size_t next = 0;
	for (size_t i = 0; i < d->ntoks; i++) {
		const struct seg_token *k = &d->toks[i];
		if (k->len == 0 || (size_t)k->start + k->len > d->len)
			return "token empty or out of bounds";
		if (k->start < next)
			return "tokens overlap or are out of order";
		next = (size_t)k->start + k->len;
		if (k->kind < SEG_TOK_WORD || k->kind > SEG_TOK_CLITIC)
			return "token kind out of range";
		if (k->flags & ~0x1FFu)
			return "private token flags leaked";
		for (size_t j = k->start; j < next; j++)
			if (d->text[j] == ' ' || d->text[j] == '\n' || d->text[j] == '\t')
				return "white space inside a token";
	}
	size_t tok = 0;
	for (size_t i = 0; i < d->nsents; i++) {
		const struct seg_sentence *s = &d->sents[i];
		if (s->tok_begin != tok || s->tok_end <= s->tok_begin || s->tok_end > d->ntoks) {
			snprintf(why, sizeof why, "sentence %zu: tokens [%u, %u) do not follow %zu",
			         i, s->tok_begin, s->tok_end, tok);
			return why;
		}
		const struct seg_token *f = &d->toks[s->tok_begin], *l = &d->toks[s->tok_end - 1];
		if (s->start != f->start || s->end != l->start + l->len || s->start >= s->end)
			return "sentence bytes do not match its tokens";
		unsigned words = 0;
		for (size_t j = s->tok_begin; j < s->tok_end; j++) {
			const struct seg_token *k = &d->toks[j];
			words += k->kind == SEG_TOK_WORD || k->kind == SEG_TOK_NUMBER;
			if (!(k->flags & SEG_TF_SENT_START) != (j != s->tok_begin))
				return "SENT_START is not exactly on first tokens";
		}
		if (words != s->words)
			return "sentence word count is wrong";
		tok = s->tok_end;
	}
	if (tok != d->ntoks)
		return "some tokens are in no sentence";
	return NULL;
}

#define CHECK_INVARIANTS()                                                                         \
	do {                                                                                       \
		const char *why_ = invariants(&doc);                                               \
		if (why_) {                                                                        \
			check_fail(__FILE__, __LINE__, "invariant broken: %s", why_);              \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Segment s; returns the number of sentences, or -1 on error. */
static long split_n(const char *s, size_t n)
{
	text = s;
	if (seg_split(&doc, s, n))
		return -1;
	return (long)doc.nsents;
}

static long split(const char *s)
{
	return split_n(s, strlen(s));
}

/* Text of sentence i or token i (a static copy; "" when out of range). */
static const char *sent(size_t i)
{
	static char b[4096];
	if (i >= doc.nsents)
		return "";
	size_t n = doc.sents[i].end - doc.sents[i].start;
	n = n < sizeof b - 1 ? n : sizeof b - 1;
	memcpy(b, text + doc.sents[i].start, n);
	b[n] = 0;
	return b;
}

static const char *tok(size_t i)
{
	static char b[256];
	if (i >= doc.ntoks)
		return "";
	size_t n = doc.toks[i].len < sizeof b - 1 ? doc.toks[i].len : sizeof b - 1;
	memcpy(b, text + doc.toks[i].start, n);
	b[n] = 0;
	return b;
}

/* Index of the first token spelled s, or doc.ntoks. */
static size_t find_tok(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < doc.ntoks; i++)
		if (doc.toks[i].len == n && memcmp(text + doc.toks[i].start, s, n) == 0)
			return i;
	return doc.ntoks;
}

/* Whether the tokens of the doc, joined by '|', are exactly want. */
static int toks_are(const char *want)
{
	static char b[4096];
	size_t o = 0;
	for (size_t i = 0; i < doc.ntoks && o + doc.toks[i].len + 2 < sizeof b; i++) {
		if (i)
			b[o++] = '|';
		memcpy(b + o, text + doc.toks[i].start, doc.toks[i].len);
		o += doc.toks[i].len;
	}
	b[o] = 0;
	if (strcmp(b, want) == 0)
		return 1;
	fprintf(stderr, "  tokens: %s\n  wanted: %s\n", b, want);
	return 0;
}

/* ------------------------------------------------------- abbreviations */

static void test_us_kept_whole(void)
{
	CHECK_INT(split("Following the talks, the U.S. State Department announced a deal."), 1);
	CHECK_INVARIANTS();
	size_t i = find_tok("U.S.");
	CHECK(i < doc.ntoks);
	CHECK(doc.toks[i].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[i].flags & SEG_TF_UPPER);
	CHECK_STR(tok(i + 1), "State");
	CHECK_INT(split("U.K. and U.N. officials met E.U. envoys in Washington, D.C. on Friday."),
	          1);
	CHECK(find_tok("U.K.") < doc.ntoks && find_tok("U.N.") < doc.ntoks);
	CHECK(find_tok("E.U.") < doc.ntoks && find_tok("D.C.") < doc.ntoks);
}

static void test_titles(void)
{
	CHECK_INT(split("Gen. Smith said Mr. Jones met Mrs. Brown, Dr. Green, Prof. White, "
	                "Sen. Black, Rep. Gray, Gov. Stone, Lt. Col. Reed and Capt. Hill. "
	                "Sgt. Major Adm. Lee agreed."),
	          2);
	CHECK_INVARIANTS();
	CHECK(doc.toks[find_tok("Gen.")].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[find_tok("Mr.")].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[find_tok("Col.")].flags & SEG_TF_ABBREV);
	CHECK_STR(sent(1), "Sgt. Major Adm. Lee agreed.");
	/* Even before a word that usually opens a sentence. */
	CHECK_INT(split("They met Dr. He Jiankui in Shenzhen."), 1);
}

static void test_place_abbreviations(void)
{
	CHECK_INT(split("He visited St. Petersburg, Mt. Everest and Ft. Worth."), 1);
	CHECK_INVARIANTS();
	CHECK(doc.toks[find_tok("St.")].flags & SEG_TF_ABBREV);
	CHECK_INT(split("She lives on Main St. The house is old."), 2);
	CHECK_STR(sent(0), "She lives on Main St.");
}

static void test_abbreviation_ends_sentence_before_opener(void)
{
	CHECK_INT(split("The talks were held in the U.S. The next day they ended."), 2);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "The talks were held in the U.S.");
	CHECK_STR(sent(1), "The next day they ended.");
	CHECK_INT(split("Shares of Acme Inc. rose. He joined Acme Inc. However, he left."), 3);
	CHECK_STR(sent(1), "He joined Acme Inc.");
	/* Not before a name or a lower-case word. */
	CHECK_INT(split("Acme Inc. said the U.S. economy and U.S. President Trump mattered."), 1);
}

static void test_months_and_companies(void)
{
	CHECK_INT(split("On Jan. 5 Acme Corp. and Smith Bros. signed with Apple Inc. and Widgets "
	                "Ltd. in Sept. 2024, etc. It was big."),
	          2);
	CHECK_INVARIANTS();
	CHECK(doc.toks[find_tok("Jan.")].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[find_tok("Sept.")].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[find_tok("etc.")].flags & SEG_TF_ABBREV);
	CHECK_STR(sent(1), "It was big.");
}

static void test_number_abbreviations(void)
{
	CHECK_INT(split("He lives at No. 10 Downing Street, see Vol. 2 and Art. 5 too."), 1);
	CHECK_INVARIANTS();
	CHECK(doc.toks[find_tok("No.")].flags & SEG_TF_ABBREV);
	/* Without a number "No" is a word and its period ends the sentence. */
	CHECK_INT(split("The answer was No. Then he left."), 2);
	CHECK(find_tok("No") < doc.ntoks);
}

static void test_example_abbreviations(void)
{
	CHECK_INT(split("Some states, e.g. The Netherlands, agreed, i.e. They signed vs. Russia."),
	          1);
	CHECK_INVARIANTS();
	CHECK(doc.toks[find_tok("e.g.")].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[find_tok("i.e.")].flags & SEG_TF_ABBREV);
	CHECK(doc.toks[find_tok("vs.")].flags & SEG_TF_ABBREV);
}

static void test_initials(void)
{
	CHECK_INT(split("John F. Kennedy met George W. Bush and J. R. R. Tolkien in a dream."), 1);
	CHECK_INVARIANTS();
	size_t i = find_tok("F.");
	CHECK(i < doc.ntoks && (doc.toks[i].flags & SEG_TF_ABBREV));
	CHECK_STR(tok(i + 1), "Kennedy");
	/* An initial before an opener ends the sentence. */
	CHECK_INT(split("They chose Plan B. The rest failed."), 2);
	CHECK_STR(sent(0), "They chose Plan B.");
}

static void test_pm_inside_sentence(void)
{
	CHECK_INT(split("The vote opens at 3 p.m. on Tuesday and closes at 9 a.m. Wednesday. "
	                "The count starts at 10 a.m. The result follows."),
	          3);
	CHECK_INVARIANTS();
	CHECK(doc.toks[find_tok("p.m.")].flags & SEG_TF_ABBREV);
	CHECK_STR(sent(1), "The count starts at 10 a.m.");
}

static void test_dotted_lowercase_and_ph_d(void)
{
	CHECK_INT(split("She holds a Ph.D. from M.I.T. and works at bbc.co.uk now."), 1);
	CHECK_INVARIANTS();
	CHECK(find_tok("Ph.D.") < doc.ntoks);
	CHECK(find_tok("M.I.T.") < doc.ntoks);
	CHECK(find_tok("bbc.co.uk") < doc.ntoks);
}

/* ------------------------------------------------------------- numbers */

static void test_numbers(void)
{
	CHECK_INT(split("Prices rose 3.5 percent to 4,000 points at 10:30, about 2/3 of $1,250.75 "
	                "in 2022. The rest fell."),
	          2);
	CHECK_INVARIANTS();
	const char *nums[] = {"3.5", "4,000", "10:30", "2/3", "1,250.75", "2022"};
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		size_t i = find_tok(nums[k]);
		CHECK(i < doc.ntoks);
		CHECK_INT(doc.toks[i].kind, SEG_TOK_NUMBER);
		CHECK(doc.toks[i].flags & SEG_TF_DIGIT);
	}
	CHECK_INT(doc.toks[find_tok("$")].kind, SEG_TOK_SYMBOL);
	CHECK_STR(sent(1), "The rest fell.");
	/* A number that ends a sentence keeps none of its period. */
	CHECK_STR(tok(find_tok("2022") + 1), ".");
}

static void test_words_with_digits(void)
{
	CHECK_INT(split("The G7 debated 5G, the 1990s, the ’90s and 1990's policy."), 1);
	CHECK_INVARIANTS();
	CHECK(toks_are("The|G7|debated|5G|,|the|1990s|,|the|’90s|and|1990|'s|policy|."));
	CHECK_INT(doc.toks[1].kind, SEG_TOK_WORD);
	CHECK(doc.toks[1].flags & SEG_TF_DIGIT);
}

/* -------------------------------------------------------------- quotes */

static void test_quote_after_period(void)
{
	CHECK_INT(split("He said \"it is over.\" Then he left."), 2);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "He said \"it is over.\"");
	CHECK_STR(sent(1), "Then he left.");
	CHECK(doc.toks[2].flags & SEG_TF_OPEN);
	CHECK(doc.toks[7].flags & SEG_TF_CLOSE);
	/* The same with typographic quotes and a bracket. */
	CHECK_INT(split("He said “it is over.” Then he left (for good.) It ended."), 3);
	CHECK_STR(sent(0), "He said “it is over.”");
	CHECK_STR(sent(1), "Then he left (for good.)");
}

static void test_quote_comma_no_split(void)
{
	CHECK_INT(split("“No,” he said."), 1);
	CHECK_INVARIANTS();
	CHECK(toks_are("“|No|,|”|he|said|."));
	CHECK(doc.toks[0].flags & SEG_TF_OPEN);
	CHECK(doc.toks[3].flags & SEG_TF_CLOSE);
	CHECK_INT(doc.toks[0].kind, SEG_TOK_QUOTE);
	CHECK_INT(split("\"We will win,\" he said, \"and soon.\""), 1);
}

static void test_quote_at_line_end(void)
{
	CHECK_INT(split("Zelenskyy called the meeting a “surprise.”\nThe U.S. State Department "
	                "disagreed."),
	          2);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "Zelenskyy called the meeting a “surprise.”");
	CHECK_STR(sent(1), "The U.S. State Department disagreed.");
}

static void test_question_exclamation_lowercase(void)
{
	CHECK_INT(split("\"Really?\" he asked. \"Yes!\" she shouted. Why? Nobody knew!"), 4);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "\"Really?\" he asked.");
	CHECK_STR(sent(1), "\"Yes!\" she shouted.");
	CHECK_STR(sent(2), "Why?");
	CHECK_STR(sent(3), "Nobody knew!");
	CHECK_INT(split("What now?! Nobody knows."), 2);
	CHECK_STR(sent(0), "What now?!");
}

static void test_question_before_speaker(void)
{
	/* A quoted question followed by its speaker and a verb of speech is
	 * one sentence; followed by an opener it is not. */
	CHECK_INT(split("“Why now?” Trump asked. \"Stop!\" Gen. Smith shouted. “Why?” Nobody "
	                "answered."),
	          4);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "“Why now?” Trump asked.");
	CHECK_STR(sent(1), "\"Stop!\" Gen. Smith shouted.");
	CHECK_STR(sent(2), "“Why?”");
	/* A period before a name is a sentence end, speech verb or not. */
	CHECK_INT(split("“We are ready.” Smith said the talks would go on."), 2);
}

static void test_ellipsis(void)
{
	CHECK_INT(split("He paused... Then he left. It was… unclear. The deal … Russia said "
	                "no. Wait.... We go."),
	          6);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "He paused...");
	CHECK_STR(sent(2), "It was… unclear.");
	CHECK_STR(sent(3), "The deal … Russia said no.");
	CHECK_STR(sent(4), "Wait....");
	CHECK_STR(tok(find_tok("paused") + 1), "...");
	CHECK_INT(doc.toks[find_tok("…")].kind, SEG_TOK_PUNCT);
}

static void test_single_quotes(void)
{
	CHECK_INT(split("US Agrees to ‘Lay the Groundwork’ and 'talk' with the Joneses' aides."),
	          1);
	CHECK_INVARIANTS();
	CHECK(toks_are("US|Agrees|to|‘|Lay|the|Groundwork|’|and|'|talk|'|with|the|Joneses|'|"
	               "aides|."));
	CHECK(doc.toks[3].flags & SEG_TF_OPEN);
	CHECK(doc.toks[7].flags & SEG_TF_CLOSE);
	CHECK_INT(doc.toks[7].kind, SEG_TOK_QUOTE);
	CHECK_INT(doc.toks[15].kind, SEG_TOK_CLITIC);
}

/* ---------------------------------------------------------- tokenizing */

static void test_clitics(void)
{
	CHECK_INT(split("Putin’s aides say we’ve won, but don't know it's Ukraine's turn; they "
	                "can’t, I'm sure, and won't."),
	          1);
	CHECK_INVARIANTS();
	CHECK(toks_are("Putin|’s|aides|say|we|’ve|won|,|but|do|n't|know|it|'s|Ukraine|'s|turn|;|"
	               "they|ca|n’t|,|I|'m|sure|,|and|wo|n't|."));
	CHECK_INT(doc.toks[1].kind, SEG_TOK_CLITIC);
	CHECK_INT(doc.toks[10].kind, SEG_TOK_CLITIC);
	CHECK_INT(doc.toks[0].kind, SEG_TOK_WORD);
}

static void test_internal_apostrophes(void)
{
	CHECK_INT(split("O'Brien flew to Côte d’Ivoire for rock'n'roll."), 1);
	CHECK_INVARIANTS();
	CHECK(toks_are("O'Brien|flew|to|Côte|d’Ivoire|for|rock'n'roll|."));
}

static void test_hyphens(void)
{
	CHECK_INT(split("A well-known, 2-year-old COVID-19 rule for F-16s in 2014-2022 — "
	                "U.S.-Russia talks – ended -- really."),
	          1);
	CHECK_INVARIANTS();
	CHECK(toks_are("A|well-known|,|2-year-old|COVID-19|rule|for|F-16s|in|2014|-|2022|—|U.S.|-|"
	               "Russia|talks|–|ended|--|really|."));
	CHECK(doc.toks[1].flags & SEG_TF_HYPHEN);
	CHECK(doc.toks[4].flags & SEG_TF_HYPHEN);
	CHECK(!(doc.toks[9].flags & SEG_TF_HYPHEN));
}

static void test_symbols_and_urls(void)
{
	CHECK_INT(split("Read https://example.com/a?b=1. Then pay €5 & 20% at @desk #1."), 2);
	CHECK_INVARIANTS();
	CHECK(toks_are("Read|https://example.com/a?b=1|.|Then|pay|€|5|&|20|%|at|@|desk|#|1|."));
	CHECK_INT(doc.toks[1].kind, SEG_TOK_WORD);
	CHECK_INT(doc.toks[5].kind, SEG_TOK_SYMBOL);
}

static void test_missing_space_after_period(void)
{
	CHECK_INT(split("The talks ended.The next round is set."), 2);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "The talks ended.");
	CHECK_STR(sent(1), "The next round is set.");
}

static void test_token_flags(void)
{
	CHECK_INT(split("The NATO chief met Kyiv officials (in private).\nA second line."), 2);
	CHECK_INVARIANTS();
	unsigned f = doc.toks[0].flags;
	CHECK(f & SEG_TF_CAP);
	CHECK(f & SEG_TF_SENT_START);
	CHECK(f & SEG_TF_LINE_START);
	CHECK(!(f & SEG_TF_UPPER));
	f = doc.toks[1].flags; /* NATO */
	CHECK((f & (SEG_TF_CAP | SEG_TF_UPPER)) == (SEG_TF_CAP | SEG_TF_UPPER));
	CHECK(!(f & (SEG_TF_SENT_START | SEG_TF_LINE_START | SEG_TF_ABBREV)));
	CHECK_INT(doc.toks[2].flags, 0); /* chief */
	CHECK_INT(doc.toks[4].flags, SEG_TF_CAP);
	CHECK(doc.toks[6].flags & SEG_TF_OPEN);
	CHECK(doc.toks[9].flags & SEG_TF_CLOSE);
	size_t a = find_tok("A");
	CHECK((doc.toks[a].flags & (SEG_TF_LINE_START | SEG_TF_SENT_START)) ==
	      (SEG_TF_LINE_START | SEG_TF_SENT_START));
	CHECK_INT(doc.toks[a].kind, SEG_TOK_WORD);
	CHECK_INT(doc.toks[find_tok("(")].kind, SEG_TOK_PUNCT);
}

static void test_non_ascii_words(void)
{
	CHECK_INT(split("Erdoğan and Зеленський met ÉLYSÉE staff in 東京. Ελλάδα agreed."), 2);
	CHECK_INVARIANTS();
	CHECK(toks_are("Erdoğan|and|Зеленський|met|ÉLYSÉE|staff|in|東京|.|Ελλάδα|agreed|."));
	CHECK(doc.toks[2].flags & SEG_TF_CAP);
	CHECK(doc.toks[4].flags & SEG_TF_UPPER);
	CHECK(!(doc.toks[7].flags & SEG_TF_CAP));
}

/* ------------------------------------------------------- line structure */

static void test_headings(void)
{
	const char *s =
	    "The talks ended on Tuesday.\n"
	    "Concerns in Kyiv and European Capitals\n"
	    "The Riyadh talks have sparked concerns in Kyiv and among European leaders.\n"
	    "The Path Ahead for Diplomacy\n"
	    "When asked about concessions, Rubio said any deal would take time.\n"
	    "Ukraine’s Stance\n"
	    "Kyiv has firmly stated that it will reject any agreement.";
	CHECK_INT(split(s), 7);
	CHECK_INVARIANTS();
	CHECK_STR(sent(1), "Concerns in Kyiv and European Capitals");
	CHECK_STR(sent(3), "The Path Ahead for Diplomacy");
	CHECK_STR(sent(5), "Ukraine’s Stance");
	for (size_t i = 0; i < doc.nsents; i++)
		CHECK_INT(!!(doc.sents[i].flags & SEG_SF_HEADING), i % 2);
	CHECK(doc.sents[1].flags & SEG_SF_PARA_START);
	CHECK(doc.sents[2].flags & SEG_SF_PARA_START);
}

static void test_heading_between_blank_lines(void)
{
	CHECK_INT(split("Background\n\nThe talks began in 2014. They failed.\n\nWhat comes next\n\n"
	                "Nobody knows."),
	          5);
	CHECK_INVARIANTS();
	CHECK(doc.sents[0].flags & SEG_SF_HEADING);
	CHECK(doc.sents[3].flags & SEG_SF_HEADING);
	CHECK_STR(sent(3), "What comes next");
	CHECK(!(doc.sents[4].flags & SEG_SF_HEADING));
}

static void test_not_headings(void)
{
	/* A sentence-case line and a line ending in a period are not
	 * headings. */
	CHECK_INT(split("Officials said the talks would resume\nThe next round is in March.\n"
	                "Moscow And Kyiv Were Silent.\nThe end."),
	          4);
	CHECK_INVARIANTS();
	for (size_t i = 0; i < doc.nsents; i++)
		CHECK(!(doc.sents[i].flags & SEG_SF_HEADING));
	CHECK_STR(sent(0), "Officials said the talks would resume");
	/* Nor is a title-case line that the next line continues in lower case. */
	CHECK_INT(split("The Minister Said Nothing About\nthe plan at all."), 1);
	CHECK(!(doc.sents[0].flags & SEG_SF_HEADING));
}

static void test_boilerplate(void)
{
	const char *s = "The talks ended.\nShare this article\nAdvertisement\n"
	                "Read More »\nComments (12)\nThe envoys left.\nLeave A Comment";
	CHECK_INT(split(s), 2);
	CHECK_INVARIANTS();
	CHECK_INT(doc.boilerplate_lines, 5);
	CHECK_STR(sent(0), "The talks ended.");
	CHECK_STR(sent(1), "The envoys left.");
	CHECK_INT(doc.ntoks, 8);
	/* Boilerplate words inside real sentences are kept. */
	CHECK_INT(split("Please share this article with friends.\nAdvertisement revenue fell."), 2);
	CHECK_INT(doc.boilerplate_lines, 0);
}

static void test_hard_wrapped(void)
{
	const char *s = "The minister said on Tuesday that the\n"
	                "talks with Russia would continue next week, and that\n"
	                "Secretary of State Marco Rubio would travel to Riyadh with\n"
	                "Gen. Smith. He declined to say more about the talks\n"
	                "in the U.S. or abroad.\n";
	CHECK_INT(split(s), 2);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "The minister said on Tuesday that the\n"
	                   "talks with Russia would continue next week, and that\n"
	                   "Secretary of State Marco Rubio would travel to Riyadh with\n"
	                   "Gen. Smith.");
	CHECK(!(doc.sents[0].flags & SEG_SF_HEADING));
	CHECK(!(doc.sents[1].flags & SEG_SF_HEADING));
	CHECK_INT(doc.sents[0].words, 28);
}

static void test_line_ending_in_title_joins(void)
{
	CHECK_INT(split("The talks were led by Gen.\nSmith and Col.\nJones for a week."), 1);
	CHECK_INVARIANTS();
	CHECK_INT(split("WASHINGTON —\nThe talks began on Tuesday."), 1);
}

static void test_blank_line_splits(void)
{
	CHECK_INT(split("The talks ended without\n\nagreement on anything, officials said."), 2);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "The talks ended without");
	CHECK(doc.sents[1].flags & SEG_SF_PARA_START);
	CHECK_INT(split("He met Gen.\n\nSmith said no."), 2);
}

static void test_paragraph_per_line(void)
{
	/* One paragraph per line, like scraped articles: every line break
	 * ends a sentence, even after an abbreviation or without a period. */
	CHECK_INT(split("The talks were held in the U.S.\nRussia said it was pleased.\n"
	                "A photo caption without a period\nThe end."),
	          4);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "The talks were held in the U.S.");
	CHECK_STR(sent(2), "A photo caption without a period");
}

static void test_list_items(void)
{
	CHECK_INT(split("Key points:\n- Russia wants guarantees\n• Ukraine wants peace\n"
	                "1. First item here\n2) Second item"),
	          5);
	CHECK_INVARIANTS();
	CHECK_STR(sent(3), "1. First item here");
}

/* ---------------------------------------------------------------- flags */

static void test_para_start_flag(void)
{
	CHECK_INT(split("First one. Second one.\nThird one. Fourth one.\n\nFifth one."), 5);
	CHECK_INVARIANTS();
	unsigned want[] = {1, 0, 1, 0, 1};
	for (size_t i = 0; i < 5; i++)
		CHECK_INT(!!(doc.sents[i].flags & SEG_SF_PARA_START), want[i]);
}

static void test_quote_flag(void)
{
	CHECK_INT(split("“We will not accept a deal,” he said. He called it \"realistic\" and "
	                "\"high-level\" talks. “Without Ukraine, peace cannot be achieved.” "
	                "“We agree. The rest can wait,” she said."),
	          5);
	CHECK_INVARIANTS();
	unsigned want[] = {1, 0, 1, 1, 1};
	for (size_t i = 0; i < 5; i++)
		CHECK_INT(!!(doc.sents[i].flags & SEG_SF_QUOTE), want[i]);
}

static void test_number_flag(void)
{
	CHECK_INT(split("NATO invited Ukraine in 2008. It did not join. The 1990s were calm. "
	                "The G7 met."),
	          4);
	CHECK_INVARIANTS();
	unsigned want[] = {1, 0, 1, 0};
	for (size_t i = 0; i < 4; i++)
		CHECK_INT(!!(doc.sents[i].flags & SEG_SF_NUMBER), want[i]);
}

static void test_ranges_trimmed(void)
{
	const char *s = "  \t First one.   Second one.  \n\n \t Third one.  \n ";
	CHECK_INT(split(s), 3);
	CHECK_INVARIANTS();
	CHECK_STR(sent(0), "First one.");
	CHECK_STR(sent(1), "Second one.");
	CHECK_STR(sent(2), "Third one.");
	CHECK_INT(doc.sents[0].start, 4);
	CHECK_INT(doc.sents[0].end, 14);
	CHECK_INT(doc.sents[2].end, strlen(s) - 4);
	CHECK(doc.text == s && doc.len == strlen(s));
}

static void test_words(void)
{
	CHECK_INT(split("Putin’s aides don't know 4,000 things. “Yes,” he said."), 2);
	CHECK_INVARIANTS();
	CHECK_INT(doc.sents[0].words, 6);
	CHECK_INT(doc.sents[1].words, 3);
	CHECK_INT(seg_words(&doc), 9);
}

/* ---------------------------------------------------------- robustness */

static void test_reuse(void)
{
	static char big[64 * 1024];
	size_t n = 0;
	while (n + 40 < sizeof big) {
		memcpy(big + n, "The U.S. envoy met Mr. Lavrov again. ", 37);
		n += 37;
	}
	CHECK(split_n(big, n) > 1000);
	CHECK_INVARIANTS();
	size_t cap_t = doc.cap_toks, cap_s = doc.cap_sents;
	CHECK_INT(split("Advertisement\nOne. Two."), 2);
	CHECK_INVARIANTS();
	CHECK_INT(doc.ntoks, 4);
	CHECK_INT(doc.boilerplate_lines, 1);
	CHECK_INT(doc.cap_toks, cap_t); /* the arrays are kept */
	CHECK_INT(doc.cap_sents, cap_s);
	CHECK_INT(split(""), 0);
	CHECK_INT(doc.ntoks, 0);
	CHECK_INT(doc.boilerplate_lines, 0);
	CHECK_INT(seg_words(&doc), 0);
	seg_doc_free(&doc);
	CHECK(doc.toks == NULL && doc.sents == NULL && doc.cap_toks == 0);
	seg_doc_free(&doc); /* twice is fine */
	seg_doc_free(NULL);
	seg_doc_init(&doc);
	CHECK_INT(split("Works again."), 1);
}

static void test_empty(void)
{
	CHECK_INT(split(""), 0);
	CHECK_INT(doc.ntoks, 0);
	CHECK_INT(split_n(NULL, 0), 0);
	CHECK_INT(split(" \n\n \t \r\n "), 0);
	CHECK_INT(doc.ntoks, 0);
	CHECK_INT(split("\xC2\xA0\xE2\x80\x8B\xEF\xBB\xBF"), 0);
}

static void test_only_punctuation(void)
{
	CHECK(split("?!... ,;: —– ()[]{} “” \"' ’ ‘ «» - . . .\n\n!!!\n???") > 0);
	CHECK_INVARIANTS();
	CHECK_INT(seg_words(&doc), 0);
	CHECK(split(".") == 1 && doc.ntoks == 1);
	CHECK(split("’") == 1 && doc.ntoks == 1);
}

static void test_invalid_utf8(void)
{
	/* A period right before junk still ends its sentence. */
	CHECK_INT(split("abc\xFF"
	                "def \xE2\x80 end\xC3. Next \xED\xA0\x80 one.\xF0\x9F\x98"),
	          3);
	CHECK_INVARIANTS();
	CHECK(toks_are("abc|\xFF|def|\xE2\x80|end|\xC3|.|Next|\xED|\xA0|\x80|one|.|\xF0\x9F\x98"));
	CHECK_INT(doc.toks[1].kind, SEG_TOK_SYMBOL);
}

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static void test_random_junk(void)
{
	static const char *const pieces[] = {
	    "The",
	    "talks",
	    "U.S.",
	    "Mr.",
	    "Gen.",
	    "F.",
	    "Inc.",
	    "e.g.",
	    "No.",
	    "p.m.",
	    "3.5",
	    "4,000",
	    ".",
	    ".",
	    "?",
	    "!",
	    "...",
	    "…",
	    ",",
	    ";",
	    ":",
	    "\"",
	    "'",
	    "’",
	    "‘",
	    "“",
	    "”",
	    "(",
	    ")",
	    "[",
	    "-",
	    "—",
	    " ",
	    " ",
	    " ",
	    " ",
	    "\n",
	    "\n",
	    "\n\n",
	    "n't",
	    "’s",
	    "'s",
	    "don't",
	    "O'Brien",
	    "Leave A Comment",
	    "Advertisement",
	    "http://x.y/z",
	    "é",
	    "e\xCC\x81",
	    "\xE2\x80",
	    "\xFF",
	    "\xC3",
	    "\xED\xA0\x80",
	    "Erdoğan",
	    "NATO",
	    "1.",
	    "•",
	    "$",
	    "%",
	    "a.b",
	    "A.B",
	    "the",
	    "and",
	    "Concerns in Kyiv",
	    "\t",
	    "\r\n",
	    "\x00",
	    "\xC2\xA0",
	    "2014-2022",
	    "well-",
	    "’90s",
	};
	static char s[1024];
	rng_state = 20240601;
	for (int round = 0; round < 4000; round++) {
		size_t n = 0, want = rnd(600);
		int raw = round % 4 == 0; /* a quarter are raw random bytes */
		while (n < want) {
			if (raw) {
				s[n++] = (char)rnd(256);
				continue;
			}
			const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
			size_t k = p[0] ? strlen(p) : 1;
			if (n + k > sizeof s)
				break;
			memcpy(s + n, p, k);
			n += k;
		}
		long ns = split_n(s, n);
		if (ns < 0) {
			check_fail(__FILE__, __LINE__, "seg_split failed in round %d", round);
			return;
		}
		const char *why = invariants(&doc);
		if (why) {
			check_fail(__FILE__, __LINE__, "round %d (%zu bytes): %s", round, n, why);
			return;
		}
	}
}

static void test_megabyte_sentence(void)
{
	/* One megabyte without a space in several shapes: each must finish
	 * (quickly: the work is linear) and keep the invariants. */
	static const char *const units[] = {"a",  "a.", "A.",  "!", "(", ")", "\"",   "’", "-",
	                                    "a-", "1,", "n't", "é", ".", "…", "\xFF", "a'"};
	size_t n = 1 << 20;
	char *s = malloc(n);
	CHECK(s != NULL);
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t k = strlen(units[u]), i = 0;
		for (; i + k <= n; i += k)
			memcpy(s + i, units[u], k);
		long ns = split_n(s, i);
		if (ns < 1 || invariants(&doc)) {
			check_fail(__FILE__, __LINE__, "unit \"%s\": %ld sentences, %s", units[u],
			           ns, invariants(&doc) ? invariants(&doc) : "");
			free(s);
			return;
		}
		if (u == 0 && (doc.ntoks != 1 || doc.nsents != 1 || doc.sents[0].words != 1)) {
			check_fail(__FILE__, __LINE__, "a megabyte of letters is not one word");
			free(s);
			return;
		}
	}
	free(s);
}

/* ------------------------------------------------- the riyadh article */

static char *article;
static size_t article_len;

/* Load examples/riyadh-talks.txt without its first line (the title). */
static int load_riyadh(void)
{
	const char *path = check_shared_path("examples/riyadh-talks.txt");
	FILE *f = fopen(path, "rb");
	if (!f) {
		check_fail(__FILE__, __LINE__,
		           "cannot open %s: ../shared is absent (the shared folder beside the "
		           "repository, or ND_SHARED_DIR, must hold examples/riyadh-talks.txt)",
		           path);
		return 0;
	}
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *nl = memchr(buf, '\n', n);
	if (!nl) {
		check_fail(__FILE__, __LINE__, "%s has no body after its title line", path);
		return 0;
	}
	article = nl + 1;
	article_len = n - (size_t)(article - buf);
	if (split_n(article, article_len) < 0) {
		check_fail(__FILE__, __LINE__, "seg_split failed on %s", path);
		return 0;
	}
	return 1;
}

/* Index of the sentence that starts with prefix, or doc.nsents. */
static size_t sent_starting(const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < doc.nsents; i++)
		if (doc.sents[i].end - doc.sents[i].start >= n &&
		    memcmp(text + doc.sents[i].start, prefix, n) == 0)
			return i;
	return doc.nsents;
}

static void test_riyadh_boilerplate(void)
{
	if (!load_riyadh())
		return;
	CHECK_INVARIANTS();
	CHECK_INT(doc.boilerplate_lines, 1);
	const char *lc = strstr(article, "Leave A Comment");
	CHECK(lc != NULL);
	size_t off = (size_t)(lc - article);
	for (size_t i = 0; i < doc.nsents; i++)
		CHECK(doc.sents[i].end <= off);
	CHECK_STR(sent(doc.nsents - 1),
	          "The U.S. appeared to have made significant concessions ahead of the "
	          "negotiations, signaling that Ukraine’s aspirations to join NATO and reclaim "
	          "Russian-occupied territories were no longer viewed as \"realistic\" objectives "
	          "in Washington’s eyes.");
}

static void test_riyadh_headings(void)
{
	static const char *const headings[] = {
	    "Concerns in Kyiv and European Capitals",
	    "Restoring Diplomatic Ties",
	    "The Path Ahead for Diplomacy",
	    "A Historic Meeting",
	    "Ukraine’s Stance",
	    "Future Prospects",
	};
	if (!load_riyadh())
		return;
	size_t nh = 0;
	for (size_t i = 0; i < doc.nsents; i++)
		nh += !!(doc.sents[i].flags & SEG_SF_HEADING);
	CHECK_INT(nh, 6);
	for (size_t h = 0; h < 6; h++) {
		size_t i = sent_starting(headings[h]);
		CHECK(i < doc.nsents);
		CHECK_STR(sent(i), headings[h]);
		CHECK(doc.sents[i].flags & SEG_SF_HEADING);
		/* The paragraph after a heading is a plain sentence. */
		CHECK(i + 1 < doc.nsents);
		CHECK(!(doc.sents[i + 1].flags & SEG_SF_HEADING));
		CHECK(doc.sents[i + 1].flags & SEG_SF_PARA_START);
	}
}

static void test_riyadh_long_sentence(void)
{
	if (!load_riyadh())
		return;
	size_t i = sent_starting("Following four and a half hours");
	CHECK(i < doc.nsents);
	CHECK_STR(sent(i), "Following four and a half hours of negotiations in Riyadh on Tuesday, "
	                   "the U.S. State Department announced that both nations would appoint "
	                   "\"high-level teams\" to explore solutions to the war and establish a "
	                   "diplomatic channel to resolve bilateral issues.");
	CHECK(doc.sents[i].flags & SEG_SF_PARA_START);
	CHECK_INT(doc.sents[i].words, 39);
}

static void test_riyadh_us_state_department(void)
{
	if (!load_riyadh())
		return;
	/* No sentence ends with "U.S." anywhere in the article, and every
	 * "U.S. State Department" lies inside one sentence. */
	for (size_t i = 0; i < doc.nsents; i++) {
		const char *s = sent(i);
		size_t n = strlen(s);
		CHECK(n < 4 || strcmp(s + n - 4, "U.S.") != 0);
	}
	size_t found = 0;
	for (const char *p = article; (p = strstr(p, "U.S. State Department")); p++) {
		size_t off = (size_t)(p - article), i = 0;
		while (i < doc.nsents && doc.sents[i].end <= off)
			i++;
		CHECK(i < doc.nsents && doc.sents[i].start <= off);
		CHECK(doc.sents[i].end >= off + strlen("U.S. State Department"));
		found++;
	}
	CHECK_INT(found, 2);
}

static void test_riyadh_sentence_count(void)
{
	if (!load_riyadh())
		return;
	CHECK_INVARIANTS();
	size_t plain = 0;
	for (size_t i = 0; i < doc.nsents; i++)
		plain += !(doc.sents[i].flags & SEG_SF_HEADING);
	printf("riyadh-talks: %zu sentences, %zu of them not headings, %zu words\n", doc.nsents,
	       plain, seg_words(&doc));
	/* Counted by hand: 22 paragraphs holding 33 sentences, 6 headings. */
	CHECK_INT(plain, 33);
	CHECK_INT(doc.nsents, 39);
	/* Paragraph by paragraph: each line of the article is a paragraph. */
	size_t i = sent_starting("However, European leaders remain divided");
	CHECK(i + 3 < doc.nsents);
	CHECK_STR(sent(i), "However, European leaders remain divided on their approach.");
	CHECK(doc.sents[i].flags & SEG_SF_PARA_START);
	CHECK(!(doc.sents[i + 1].flags & SEG_SF_PARA_START));
	CHECK_STR(sent(i + 3),
	          "Russia’s foreign ministry has explicitly opposed any European peacekeeping "
	          "mission.");
	i = sent_starting("“We will not accept");
	CHECK(i + 1 < doc.nsents);
	CHECK_STR(sent(i + 1), "“Without Ukraine, peace cannot be achieved.”");
	CHECK(doc.sents[i + 1].flags & SEG_SF_QUOTE);
	i = sent_starting("Ukrainian President Volodymyr Zelenskyy");
	CHECK(i < doc.nsents);
	CHECK_STR(sent(i) + strlen(sent(i)) - strlen("a “surprise.”"), "a “surprise.”");
}

/* clang-format off */
static const struct check_case cases[] = {
	CASE(test_us_kept_whole, "U.S. and other dotted abbreviations are kept whole"),
	CASE(test_titles, "titles before names do not end a sentence"),
	CASE(test_place_abbreviations, "St. Mt. Ft. before names do not end a sentence"),
	CASE(test_abbreviation_ends_sentence_before_opener, "an abbreviation ends a sentence before an opener"),
	CASE(test_months_and_companies, "month and company abbreviations are kept whole"),
	CASE(test_number_abbreviations, "No. is an abbreviation only before a number"),
	CASE(test_example_abbreviations, "e.g. i.e. and vs. never end a sentence"),
	CASE(test_initials, "initials do not end a sentence before a name"),
	CASE(test_pm_inside_sentence, "p.m. inside a sentence does not end it"),
	CASE(test_dotted_lowercase_and_ph_d, "Ph.D. M.I.T. and domain names are one token"),
	CASE(test_numbers, "decimals thousands times and fractions are one number"),
	CASE(test_words_with_digits, "words with digits and decades are one token"),
	CASE(test_quote_after_period, "a closing quote after a period stays in the sentence"),
	CASE(test_quote_comma_no_split, "a comma inside quotes does not end a sentence"),
	CASE(test_quote_at_line_end, "a quoted word at a line end ends the sentence with its quote"),
	CASE(test_question_exclamation_lowercase, "question and exclamation marks before lower case do not split"),
	CASE(test_question_before_speaker, "a quoted question before its speaker does not split"),
	CASE(test_ellipsis, "an ellipsis ends a sentence only before an opener"),
	CASE(test_single_quotes, "single quotes open and close and plural possessives are clitics"),
	CASE(test_clitics, "possessives and contractions are split for both apostrophes"),
	CASE(test_internal_apostrophes, "internal apostrophes stay inside words"),
	CASE(test_hyphens, "hyphenated words are one token and dashes are punctuation"),
	CASE(test_symbols_and_urls, "symbols are tokens and URLs are one token"),
	CASE(test_missing_space_after_period, "a missing space after a period still splits"),
	CASE(test_token_flags, "token flags mark case quotes and starts"),
	CASE(test_non_ascii_words, "non ASCII words are classified by Unicode category"),
	CASE(test_headings, "a short title case line before a paragraph is a heading"),
	CASE(test_heading_between_blank_lines, "a short line between blank lines is a heading"),
	CASE(test_not_headings, "sentence case or continued lines are not headings"),
	CASE(test_boilerplate, "boilerplate lines are dropped and counted"),
	CASE(test_hard_wrapped, "hard wrapped lines are joined into sentences"),
	CASE(test_line_ending_in_title_joins, "a line ending in a title or a dateline dash joins the next"),
	CASE(test_blank_line_splits, "a blank line always ends a sentence"),
	CASE(test_paragraph_per_line, "each line is a paragraph in unwrapped text"),
	CASE(test_list_items, "list items are separate sentences"),
	CASE(test_para_start_flag, "the first sentence of each paragraph is flagged"),
	CASE(test_quote_flag, "sentences with quoted speech are flagged"),
	CASE(test_number_flag, "sentences with numbers are flagged"),
	CASE(test_ranges_trimmed, "sentence ranges are trimmed and match the text"),
	CASE(test_words, "words count words and numbers but not clitics"),
	CASE(test_reuse, "a doc is reused across calls"),
	CASE(test_empty, "empty or blank text gives nothing"),
	CASE(test_only_punctuation, "a text of only punctuation keeps the invariants"),
	CASE(test_invalid_utf8, "invalid UTF-8 becomes symbol tokens in bounds"),
	CASE(test_random_junk, "random bytes and text pieces keep the invariants"),
	CASE(test_megabyte_sentence, "a one megabyte sentence without spaces is handled"),
	CASE(test_riyadh_boilerplate, "riyadh article drops Leave A Comment"),
	CASE(test_riyadh_headings, "riyadh article section titles are headings"),
	CASE(test_riyadh_long_sentence, "riyadh article long sentence is whole"),
	CASE(test_riyadh_us_state_department, "riyadh article never ends a sentence at U.S. State Department"),
	CASE(test_riyadh_sentence_count, "riyadh article has 33 sentences besides headings"),
};
/* clang-format on */

CHECK_MAIN(cases)
