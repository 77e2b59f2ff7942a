/*
 * seg: tokenizer and sentence splitter for news text (see seg.h).
 *
 * How it works. seg_split() makes two passes.
 *
 * Pass 1 cuts the text into lines and each line into tokens. A line that
 * is boilerplate (a short line whose letters, lower-cased and with
 * punctuation and digits taken as word gaps, match a sorted table:
 * "leave a comment", "share this article", ...) is counted and produces
 * nothing. The tokenizer is a hand-written scanner: ASCII is classified by
 * a switch, and only non-ASCII code points go through utf8_next() and
 * utf8proc_category(). A word takes letters, digits and marks and joins
 * across an internal hyphen ("well-known", "COVID-19", not "2014-2022"), an
 * internal apostrophe ("O'Brien") and, for numbers, an internal , . : or /
 * between digits. A period after a word is kept in it when the word is a
 * dotted form ("U.S.", "p.m.", "Ph.D."), a single capital (an initial), or
 * an entry of the abbreviation table; the table says whether the
 * abbreviation precedes a name and so never ends a sentence (Mr. Gen.
 * e.g.), may end one (Inc. Jan. St.), or counts only before a number
 * (No. 5). Clitics ('s 'd 'm 'll 're 've n't, with ' or ’) are split off,
 * and a trailing apostrophe after an s is a possessive clitic unless a
 * single quote is open on the line. Straight quotes are opening or closing
 * by what surrounds them, with the parity of the line's quotes deciding
 * when the context does not. Pass 1 also records, per line, whether a
 * blank line precedes it, and for the document the widest line and whether
 * it shows evidence of hard wrapping (a line ending in a comma or a small
 * word like "the", or one followed by a line that starts in lower case).
 *
 * Pass 2 walks the lines with one line of look-ahead. A line is a heading
 * when it has 1..SEG_HEADING_MAX_WORDS words, starts with a capital or a
 * digit, does not end in terminal punctuation, a comma, colon, dash or a
 * title abbreviation, and either stands alone between blank lines (or the
 * ends of the text), or more than half of its words other than small
 * lower-case words are capitalised, the next line does not start in lower
 * case and the previous line does not leave a sentence open. Between two
 * lines, a blank line, a heading on either side or the end of the text
 * always ends the sentence. Otherwise, a next line that starts in lower
 * case, or a line that ends in a comma, a dash or a title abbreviation,
 * joins the lines (hard wrapping). Otherwise a next line that starts with a
 * bullet ends the sentence, and so does every line break of a document
 * without evidence of hard wrapping (one paragraph per line) or after a
 * line wider than 100 code points. The remaining breaks are treated as a
 * space. Inside the joined text, a sentence ends after a run of . ? ! …
 * and any closing quotes and brackets, when the next token (after opening
 * quotes and brackets) can start a sentence: after . ? ! anything but a
 * lower-case word or punctuation, except a list number's period at a line
 * start ("1. First") and a quoted ? or ! followed by a speaker and a verb
 * of speech ("Why now?" Trump asked); after an ellipsis or an abbreviation
 * that may end a sentence ("U.S.", "Inc.", an initial), only a capitalised
 * word from the table of typical sentence openers ("The", "He", ...).
 *
 * Invariants: tokens never contain white space, are non-empty, in text
 * order, non-overlapping and inside the text; every token belongs to
 * exactly one sentence; sentences are non-empty, in order, contiguous in
 * token indices and non-overlapping in bytes; a sentence's byte range runs
 * from its first token's start to its last token's end, so it is trimmed.
 * Pass 1 keeps per-line facts in token flag bits above those of seg.h
 * (PF_*); pass 2 clears them. Work is linear in the text: no scanner step
 * looks further than a few code points, each run of terminal punctuation
 * is examined once, and memory grows geometrically and is kept by the doc
 * for the next call.
 *
 * Limits. A "U.S.", "Inc." or "p.m." that ends a sentence before a word
 * that is not in the opener table ("... in the U.S. Russia said", "at 9
 * p.m. Police said") does not split; an initial followed by an opener
 * ("Plan B. The") does, as it should, but so would a middle initial before
 * a name spelled like an opener. A lower-case word after a period never
 * starts a sentence ("iPhone"). Headings are recognised by shape, so a
 * short capitalised line without a final period (a caption, a byline, a
 * one-line text without a period) is also flagged as one, and a heading
 * that ends in a question mark is an ordinary sentence. Whether a text is
 * hard-wrapped is decided for the whole text: wrapped text whose every
 * wrap falls before a capitalised word looks like one paragraph per line
 * and is split at each line break. Quotes are classified per line; a
 * paragraph-spanning quote is fine, a straight quote opened on one line
 * and closed on another may be misread. The tables are English; on
 * measure, 99.2% of the reference sentences of the 500 BBC articles in
 * ../shared/data/news-summ come out as exactly one sentence, the rest being
 * mostly the reference's own splits after "Mr." and initials.
 */
#include "seg.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "utf8.h"

/* Private token flags, set by pass 1 and cleared by pass 2. */
#define PF_PERIOD (1u << 9)    /* "." */
#define PF_QEX (1u << 10)      /* "?" "!" */
#define PF_ELLIPSIS (1u << 11) /* "..." "…" */
#define PF_NOSPLIT (1u << 12)  /* an abbreviation that never ends a sentence */
#define PF_BLANK (1u << 13)    /* line start after a blank line or the text start */
#define PF_LOWER (1u << 14)    /* starts with a lower-case letter */
#define PF_CONT (1u << 15)     /* a comma or dash: a line ending in it goes on */
#define PF_TERMINAL (PF_PERIOD | PF_QEX | PF_ELLIPSIS)
#define TF_PUBLIC 0x01FFu

#define LONG_LINE 100 /* code points; wider lines are not hard-wrapped */

/* Character classes of the scanner. */
enum {
	C_SPACE,
	C_LOWER,
	C_UPPER,
	C_LETTER, /* caseless letters and marks */
	C_DIGIT,
	C_PERIOD,
	C_QEX,
	C_ELLIPSIS,
	C_PUNCT,
	C_OPEN,
	C_CLOSE,
	C_HYPHEN,
	C_DASH,
	C_APOS,   /* ' and ’ */
	C_DQUOTE, /* " */
	C_QOPEN,
	C_QCLOSE,
	C_SYMBOL,
	C_INVALID,
};

static inline bool is_wordc(int c)
{
	return c >= C_LOWER && c <= C_DIGIT;
}

static inline bool is_letterc(int c)
{
	return c >= C_LOWER && c <= C_LETTER;
}

static inline int aclass(unsigned c)
{
	if ((unsigned)((c | 0x20) - 'a') < 26)
		return c >= 'a' ? C_LOWER : C_UPPER;
	if ((unsigned)(c - '0') < 10)
		return C_DIGIT;
	if (c <= ' ' || c == 0x7F)
		return C_SPACE;
	switch (c) {
	case '.':
		return C_PERIOD;
	case '!':
	case '?':
		return C_QEX;
	case ',':
	case ';':
	case ':':
		return C_PUNCT;
	case '(':
	case '[':
	case '{':
		return C_OPEN;
	case ')':
	case ']':
	case '}':
		return C_CLOSE;
	case '-':
		return C_HYPHEN;
	case '\'':
		return C_APOS;
	case '"':
		return C_DQUOTE;
	case '`':
		return C_QOPEN;
	default:
		return C_SYMBOL;
	}
}

static int uclass(int32_t cp)
{
	switch (cp) {
	case 0x2019:
		return C_APOS;
	case 0x2018:
	case 0x201A:
	case 0x201C:
	case 0x201E:
	case 0x201F:
	case 0x00AB:
	case 0x2039:
		return C_QOPEN;
	case 0x201D:
	case 0x00BB:
	case 0x203A:
		return C_QCLOSE;
	case 0x2026:
		return C_ELLIPSIS;
	case 0x2010:
	case 0x2011:
		return C_HYPHEN;
	case 0x2012:
	case 0x2013:
	case 0x2014:
	case 0x2015:
	case 0x2212:
		return C_DASH;
	case 0x3002: /* ideographic full stop */
	case 0xFF01:
	case 0xFF1F:
		return C_QEX;
	default:
		break;
	}
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LT:
		return C_UPPER;
	case UTF8PROC_CATEGORY_LL:
		return C_LOWER;
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return C_LETTER;
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return C_DIGIT;
	case UTF8PROC_CATEGORY_PS:
		return C_OPEN;
	case UTF8PROC_CATEGORY_PE:
		return C_CLOSE;
	case UTF8PROC_CATEGORY_PI:
		return C_QOPEN;
	case UTF8PROC_CATEGORY_PF:
		return C_QCLOSE;
	case UTF8PROC_CATEGORY_PC:
	case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PO:
		return C_PUNCT;
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF:
		return C_SPACE;
	default:
		return C_SYMBOL;
	}
}

/* Class of the code point at t[p] (p < n); *q receives the position after
 * it, *cp the code point (-1 for an invalid subpart). */
static inline int class_at(const char *t, size_t n, size_t p, size_t *q, int32_t *cp)
{
	unsigned char b = (unsigned char)t[p];
	if (b < 0x80) {
		*q = p + 1;
		*cp = b;
		return aclass(b);
	}
	size_t i = p;
	*cp = utf8_next(t, n, &i);
	*q = i;
	return *cp < 0 ? C_INVALID : uclass(*cp);
}

/* Class of the code point that ends at t[p] (p > lo), looking back at most
 * four bytes. */
static int class_before(const char *t, size_t lo, size_t p)
{
	size_t k = p - 1;
	while (k > lo && p - k < 4 && ((unsigned char)t[k] & 0xC0) == 0x80)
		k--;
	size_t q;
	int32_t cp;
	int c = class_at(t, p, k, &q, &cp);
	return q == p ? c : C_INVALID;
}

static inline unsigned char lower(unsigned char c)
{
	return (unsigned)(c - 'A') < 26 ? (unsigned char)(c | 0x20) : c;
}

/* Compare s[0..n) with the C string w, as strcmp would. */
static int cmp_word(const char *s, size_t n, const char *w)
{
	size_t wn = strlen(w);
	int c = memcmp(s, w, n < wn ? n : wn);
	if (c)
		return c;
	return (n > wn) - (n < wn);
}

static bool in_table(const char *const *tab, size_t n, const char *s, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_word(s, len, tab[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* ---------------------------------------------------------------- tables */

enum { ABBR_NONE, ABBR_NOSPLIT, ABBR_END, ABBR_NUM };

/* Words that keep a following period: ABBR_NOSPLIT precede a name or an
 * example and never end a sentence; ABBR_END may end one (when the next
 * word is a sentence opener); ABBR_NUM are abbreviations only before a
 * number ("No. 5", "Vol. 2"). Sorted by strcmp. */
static const struct abbr {
	const char *w;
	unsigned char cat;
} abbrs[] = {
    {"Adm", ABBR_NOSPLIT},    {"Ala", ABBR_END},      {"Amb", ABBR_NOSPLIT},
    {"Apr", ABBR_END},        {"Ariz", ABBR_END},     {"Ark", ABBR_END},
    {"Art", ABBR_NUM},        {"Assn", ABBR_END},     {"Atty", ABBR_NOSPLIT},
    {"Aug", ABBR_END},        {"Ave", ABBR_END},      {"Blvd", ABBR_END},
    {"Brig", ABBR_NOSPLIT},   {"Bros", ABBR_END},     {"Calif", ABBR_END},
    {"Capt", ABBR_NOSPLIT},   {"Cdr", ABBR_NOSPLIT},  {"Ch", ABBR_NUM},
    {"Cmdr", ABBR_NOSPLIT},   {"Co", ABBR_END},       {"Col", ABBR_NOSPLIT},
    {"Colo", ABBR_END},       {"Conn", ABBR_END},     {"Corp", ABBR_END},
    {"Cos", ABBR_END},        {"Cpl", ABBR_NOSPLIT},  {"Dec", ABBR_END},
    {"Del", ABBR_END},        {"Dept", ABBR_END},     {"Det", ABBR_NOSPLIT},
    {"Dr", ABBR_NOSPLIT},     {"Feb", ABBR_END},      {"Fig", ABBR_NUM},
    {"Figs", ABBR_NUM},       {"Fla", ABBR_END},      {"Fr", ABBR_NOSPLIT},
    {"Ft", ABBR_END},         {"Ga", ABBR_END},       {"Gen", ABBR_NOSPLIT},
    {"Gens", ABBR_NOSPLIT},   {"Gov", ABBR_NOSPLIT},  {"Govs", ABBR_NOSPLIT},
    {"Hon", ABBR_NOSPLIT},    {"Hwy", ABBR_END},      {"Ill", ABBR_END},
    {"Inc", ABBR_END},        {"Ind", ABBR_END},      {"Insp", ABBR_NOSPLIT},
    {"Jan", ABBR_END},        {"Jr", ABBR_END},       {"Jul", ABBR_END},
    {"Jun", ABBR_END},        {"Kan", ABBR_END},      {"Kans", ABBR_END},
    {"Ky", ABBR_END},         {"La", ABBR_END},       {"Lieut", ABBR_NOSPLIT},
    {"Lt", ABBR_NOSPLIT},     {"Ltd", ABBR_END},      {"Maj", ABBR_NOSPLIT},
    {"Mar", ABBR_END},        {"Mass", ABBR_END},     {"Md", ABBR_END},
    {"Messrs", ABBR_NOSPLIT}, {"Mich", ABBR_END},     {"Minn", ABBR_END},
    {"Miss", ABBR_END},       {"Mmes", ABBR_NOSPLIT}, {"Mo", ABBR_END},
    {"Mont", ABBR_END},       {"Mr", ABBR_NOSPLIT},   {"Mrs", ABBR_NOSPLIT},
    {"Ms", ABBR_NOSPLIT},     {"Mt", ABBR_END},       {"Neb", ABBR_END},
    {"Nebr", ABBR_END},       {"Nev", ABBR_END},      {"No", ABBR_NUM},
    {"Nos", ABBR_NUM},        {"Nov", ABBR_END},      {"Oct", ABBR_END},
    {"Okla", ABBR_END},       {"Op", ABBR_NUM},       {"Ore", ABBR_END},
    {"Pa", ABBR_END},         {"Plc", ABBR_END},      {"Pres", ABBR_NOSPLIT},
    {"Prof", ABBR_NOSPLIT},   {"Pvt", ABBR_NOSPLIT},  {"Rd", ABBR_END},
    {"Rep", ABBR_NOSPLIT},    {"Reps", ABBR_NOSPLIT}, {"Rev", ABBR_NOSPLIT},
    {"Sen", ABBR_NOSPLIT},    {"Sens", ABBR_NOSPLIT}, {"Sep", ABBR_END},
    {"Sept", ABBR_END},       {"Sgt", ABBR_NOSPLIT},  {"Sr", ABBR_END},
    {"St", ABBR_END},         {"Ste", ABBR_END},      {"Supt", ABBR_NOSPLIT},
    {"Tenn", ABBR_END},       {"Tex", ABBR_END},      {"Univ", ABBR_END},
    {"Va", ABBR_END},         {"Vol", ABBR_NUM},      {"Vols", ABBR_NUM},
    {"Vt", ABBR_END},         {"Wash", ABBR_END},     {"Wis", ABBR_END},
    {"Wyo", ABBR_END},        {"al", ABBR_END},       {"approx", ABBR_NOSPLIT},
    {"ca", ABBR_NOSPLIT},     {"cf", ABBR_NOSPLIT},   {"esp", ABBR_NOSPLIT},
    {"est", ABBR_END},        {"etc", ABBR_END},      {"incl", ABBR_NOSPLIT},
    {"p", ABBR_NUM},          {"pp", ABBR_NUM},       {"viz", ABBR_NOSPLIT},
    {"vs", ABBR_NOSPLIT},
};

#define ABBR_MAXLEN 6

static int abbr_find(const char *s, size_t n)
{
	size_t lo = 0, hi = sizeof abbrs / sizeof abbrs[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_word(s, n, abbrs[mid].w);
		if (c == 0)
			return abbrs[mid].cat;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return ABBR_NONE;
}

/* Capitalised words that typically open a sentence; after "U.S.", "Inc.",
 * an initial or an ellipsis only these start a new one. Names that are
 * also words ("Will", "May", "Hope") and words that often follow "U.S." in
 * a name ("First Lady", "Former") are left out on purpose. Sorted. */
/* clang-format off */
static const char *const openers[] = {
	"A", "About", "Above", "According", "Across", "Additionally", "After", "Afterward",
	"Afterwards", "Again", "Against", "Ahead", "All", "Almost", "Along", "Already", "Also",
	"Although", "Amid", "Among", "An", "And", "Another", "Any", "Anyone", "Anything",
	"Are", "As", "At", "Because", "Before", "Being", "Besides", "Between", "Beyond",
	"Both", "But", "By", "Can", "Could", "Currently", "Despite", "Did", "Do", "Does",
	"During", "Each", "Earlier", "Either", "Even", "Eventually", "Every", "Everyone",
	"Everything", "Few", "Finally", "Following", "For", "From", "Further", "Furthermore",
	"Had", "Has", "Have", "He", "Her", "Here", "His", "How", "However", "I", "If", "In",
	"Indeed", "Instead", "Is", "It", "Its", "Just", "Last", "Later", "Like", "Many",
	"Meanwhile", "More", "Moreover", "Most", "Mr.", "Mrs.", "Ms.", "Much", "Must", "My",
	"Neither", "Nevertheless", "Next", "No", "Nobody", "None", "Nonetheless", "Nor", "Not",
	"Nothing", "Now", "Of", "On", "Once", "One", "Only", "Or", "Other", "Others", "Our",
	"Over", "Overall", "Perhaps", "Previously", "Rather", "Recently", "Several", "She",
	"Should", "Similarly", "Since", "So", "Some", "Someone", "Something", "Soon", "Still",
	"Such", "That", "The", "Their", "Then", "There", "These", "They", "This", "Those",
	"Though", "Three", "Through", "Thus", "To", "Today", "Together", "Two", "Under",
	"Unlike", "Until", "Upon", "We", "Were", "What", "When", "Where", "Whether", "Which",
	"While", "Who", "Whose", "Why", "With", "Within", "Without", "Would", "Yes",
	"Yesterday", "Yet", "You", "Your",
};
/* clang-format on */

/* Lower-case words that title case leaves uncapitalised and that a
 * hard-wrapped line may end with. Sorted. */
/* clang-format off */
static const char *const small_words[] = {
	"a", "about", "above", "across", "after", "against", "along", "amid", "among", "an",
	"and", "around", "as", "at", "before", "behind", "below", "beneath", "beside",
	"between", "beyond", "but", "by", "down", "during", "en", "for", "from", "if", "in",
	"inside", "into", "like", "near", "nor", "of", "off", "on", "onto", "or", "out",
	"over", "past", "per", "since", "so", "than", "that", "the", "through", "to", "toward",
	"towards", "under", "until", "up", "upon", "via", "vs", "with", "within", "without",
	"yet",
};
/* clang-format on */

/* Verbs of speech that follow a quotation and its speaker: after
 * `"Why now?" Trump asked` the question does not end the sentence. Sorted. */
/* clang-format off */
static const char *const speech_verbs[] = {
	"acknowledged", "added", "admitted", "agreed", "announced", "answered", "argued",
	"asked", "asks", "beamed", "claimed", "commented", "complained", "conceded",
	"confirmed", "continued", "cried", "declared", "demanded", "exclaimed", "explained",
	"insisted", "joked", "laughed", "noted", "pleaded", "posted", "recalled", "remarked",
	"replied", "reported", "responded", "said", "says", "screamed", "shouted", "stated",
	"suggested", "tweeted", "urged", "warned", "wondered", "wrote", "yelled",
};
/* clang-format on */

/* Lines that are page furniture rather than article text, as normalised by
 * is_boilerplate(). Sorted. */
/* clang-format off */
static const char *const boilerplate[] = {
	"add a comment",
	"advertisement",
	"advertisement scroll to continue",
	"advertisements",
	"all rights reserved",
	"article continues below",
	"article continues below advertisement",
	"click here",
	"click here to subscribe",
	"comments",
	"continue reading",
	"continue reading below",
	"copy link",
	"email",
	"follow us",
	"follow us on facebook",
	"follow us on twitter",
	"go to comments",
	"join the conversation",
	"leave a comment",
	"leave a reply",
	"link copied",
	"listen to this article",
	"load comments",
	"most popular",
	"most read",
	"print",
	"read more",
	"read next",
	"recommended",
	"related",
	"related articles",
	"related content",
	"related coverage",
	"related stories",
	"scroll to continue",
	"scroll to continue with content",
	"share",
	"share on facebook",
	"share on twitter",
	"share this",
	"share this article",
	"share this page",
	"share this post",
	"share this story",
	"share via email",
	"show comments",
	"sign up",
	"sign up for our newsletter",
	"skip advertisement",
	"skip to content",
	"skip to main content",
	"sponsored",
	"sponsored content",
	"story continues below",
	"story continues below advertisement",
	"subscribe",
	"subscribe now",
	"subscribe to our newsletter",
	"supported by",
	"trending",
	"tweet",
	"view comments",
};
/* clang-format on */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool is_opener(const char *s, size_t n)
{
	return n <= 12 && in_table(openers, NELEM(openers), s, n);
}

static bool is_small_word(const char *s, size_t n)
{
	return n <= 8 && in_table(small_words, NELEM(small_words), s, n);
}

static bool is_speech_verb(const char *s, size_t n)
{
	return n <= 12 && in_table(speech_verbs, NELEM(speech_verbs), s, n);
}

static bool is_boilerplate(const char *s, size_t n)
{
	char key[96];
	size_t m = 0, i = 0;
	bool gap = false;
	if (n == 0 || n > 80)
		return false;
	while (i < n) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x80) {
			i++;
			if ((unsigned)((b | 0x20) - 'a') < 26) {
				if (gap && m)
					key[m++] = ' ';
				key[m++] = (char)(b | 0x20);
				gap = false;
			} else {
				gap = true;
			}
			continue;
		}
		int32_t cp = utf8_next(s, n, &i);
		if (cp >= 0 && is_letterc(uclass(cp)))
			return false;
		gap = true;
	}
	return m && in_table(boilerplate, NELEM(boilerplate), key, m);
}

/* ------------------------------------------------------------- pass 1 */

static int grow(void **v, size_t *cap, size_t elem)
{
	size_t c = *cap ? *cap * 2 : 1024;
	if (c > SIZE_MAX / elem)
		return -ENOMEM;
	void *p = realloc(*v, c * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static inline int push(struct seg_doc *d, size_t start, size_t len, unsigned kind, unsigned flags)
{
	if (d->ntoks == d->cap_toks && grow((void **)&d->toks, &d->cap_toks, sizeof *d->toks))
		return -ENOMEM;
	d->toks[d->ntoks++] =
	    (struct seg_token){(uint32_t)start, (uint32_t)len, (uint16_t)kind, (uint16_t)flags};
	return 0;
}

struct tokenizer {
	struct seg_doc *d;
	const char *t;
	size_t ls, le; /* the line */
	size_t first;  /* its first token */
	bool dq_open, sq_open;
};

/* Whether the previous token is a word or number that ends right at p. */
static bool after_word(const struct tokenizer *z, size_t p)
{
	const struct seg_doc *d = z->d;
	if (d->ntoks <= z->first)
		return false;
	const struct seg_token *k = &d->toks[d->ntoks - 1];
	return k->start + k->len == p && (k->kind == SEG_TOK_WORD || k->kind == SEG_TOK_NUMBER);
}

/* Bytes of the apostrophe at t[p] (' or ’), or 0. */
static inline size_t apos_len(const char *t, size_t n, size_t p)
{
	if (p < n && t[p] == '\'')
		return 1;
	if (p + 2 < n && (unsigned char)t[p] == 0xE2 && (unsigned char)t[p + 1] == 0x80 &&
	    (unsigned char)t[p + 2] == 0x99)
		return 3;
	return 0;
}

static inline bool word_at(const char *t, size_t n, size_t p)
{
	size_t q;
	int32_t cp;
	return p < n && is_wordc(class_at(t, n, p, &q, &cp));
}

/* Length of the clitic 's 'd 'm 'll 're 've (' or ’) at t[p], or 0. */
static size_t clitic_len(const char *t, size_t n, size_t p)
{
	size_t a = apos_len(t, n, p), k;
	if (!a || p + a >= n)
		return 0;
	unsigned char x = lower((unsigned char)t[p + a]);
	unsigned char y = p + a + 1 < n ? lower((unsigned char)t[p + a + 1]) : 0;
	if (x == 's' || x == 'd' || x == 'm')
		k = 1;
	else if ((x == 'l' && y == 'l') || (x == 'r' && y == 'e') || (x == 'v' && y == 'e'))
		k = 2;
	else
		return 0;
	return word_at(t, n, p + a + k) ? 0 : a + k;
}

/* Length of "n't" (' or ’) at t[p], or 0. */
static size_t nt_len(const char *t, size_t n, size_t p)
{
	if (lower((unsigned char)t[p]) != 'n')
		return 0;
	size_t a = apos_len(t, n, p + 1);
	if (!a || p + 1 + a >= n || lower((unsigned char)t[p + 1 + a]) != 't')
		return 0;
	return word_at(t, n, p + 2 + a) ? 0 : 2 + a;
}

/* Length of a URL starting at t[p], or 0. */
static size_t url_len(const char *t, size_t n, size_t p)
{
	static const char *const schemes[] = {"http://", "https://"};
	size_t k = 0;
	for (size_t s = 0; s < 2 && !k; s++) {
		size_t m = strlen(schemes[s]);
		if (n - p > m) {
			k = m;
			for (size_t i = 0; i < m; i++)
				if (lower((unsigned char)t[p + i]) != schemes[s][i])
					k = 0;
		}
	}
	if (!k)
		return 0;
	size_t e = p + k;
	while (e < n && (unsigned char)t[e] > ' ')
		e++;
	for (;;) {
		if (e > p + k && strchr(".,;:!?)]}\"'", t[e - 1]))
			e--;
		else if (e >= p + k + 3 && (unsigned char)t[e - 3] == 0xE2 &&
		         (unsigned char)t[e - 2] == 0x80 &&
		         ((unsigned char)t[e - 1] == 0x99 || (unsigned char)t[e - 1] == 0x9D))
			e -= 3;
		else
			break;
	}
	return e > p + k ? e - p : 0;
}

static bool digit_follows(const char *t, size_t n, size_t p)
{
	while (p < n && t[p] == ' ')
		p++;
	return p < n && (unsigned)(t[p] - '0') < 10;
}

/* Scan the word or number that starts at p with a character of class c
 * ending at q; push it and set *endp past it. */
static int scan_word(struct tokenizer *z, size_t p, size_t q, int c, int32_t cp, size_t *endp)
{
	const char *t = z->t;
	size_t le = z->le, start = p, end = p;
	unsigned flags = 0, seg = 0, maxseg = 0, ndots = 0, nchars = 0;
	int first = c, prev = c;
	int32_t prev_cp = cp;
	bool letter = false, has_lower = false, has_upper = false, at_end = false;

	for (;;) {
		switch (c) {
		case C_LOWER:
			has_lower = letter = true;
			break;
		case C_UPPER:
			has_upper = letter = true;
			break;
		case C_LETTER:
			letter = true;
			break;
		default:
			flags |= SEG_TF_DIGIT;
			break;
		}
		seg++;
		nchars++;
		prev = c;
		prev_cp = cp;
		end = p = q;
		if (p >= le) {
			at_end = true;
			break;
		}
		c = class_at(t, le, p, &q, &cp);
		if (is_wordc(c))
			continue;
		/* A separator joins only when a word character follows it. */
		size_t r = q;
		int32_t cp2 = 0;
		int c2 = q < le ? class_at(t, le, q, &r, &cp2) : C_SPACE;
		bool join = false;
		if (is_wordc(c2)) {
			switch (c) {
			case C_PERIOD:
				if (prev == C_DIGIT)
					join = c2 == C_DIGIT;
				else
					/* "a.m", "bbc.co", "v1.2", and "U.S", "Ph.D"
					 * but not "talks.The" (a missing space). */
					join = c2 == C_LOWER || c2 == C_DIGIT || seg <= 2;
				if (join) {
					ndots++;
					maxseg = seg > maxseg ? seg : maxseg;
					seg = 0;
				}
				break;
			case C_PUNCT:
			case C_SYMBOL:
				join = (cp == ',' || cp == ':' || cp == '/') && prev == C_DIGIT &&
				       c2 == C_DIGIT;
				break;
			case C_HYPHEN:
				join = !(prev == C_DIGIT && c2 == C_DIGIT);
				if (join)
					flags |= SEG_TF_HYPHEN;
				break;
			case C_APOS:
				if (!is_letterc(prev) || !is_letterc(c2) || clitic_len(t, le, p))
					break;
				if ((cp2 == 't' || cp2 == 'T') &&
				    (prev_cp == 'n' || prev_cp == 'N') && end - start >= 2 &&
				    !word_at(t, le, r)) {
					end--; /* "don't": "do" + "n't" */
					goto done;
				}
				join = true;
				break;
			default:
				break;
			}
		}
		if (!join)
			break;
		p = q;
		c = c2;
		cp = cp2;
		q = r;
	}
	/* A period right after the word may belong to it. */
	if (!at_end && c == C_PERIOD && is_letterc(prev) && !(q < le && t[q] == '.')) {
		size_t wl = end - start;
		bool abbr = false, nosplit = false;
		if (ndots && !(flags & SEG_TF_DIGIT) && (seg > maxseg ? seg : maxseg) <= 2) {
			abbr = true;
			nosplit = wl == 3 && ((lower((unsigned char)t[start]) == 'e' &&
			                       lower((unsigned char)t[start + 2]) == 'g') ||
			                      (lower((unsigned char)t[start]) == 'i' &&
			                       lower((unsigned char)t[start + 2]) == 'e'));
		} else if (!ndots && nchars == 1 && first == C_UPPER) {
			abbr = true; /* an initial */
		} else if (!ndots && !(flags & (SEG_TF_DIGIT | SEG_TF_HYPHEN)) &&
		           wl <= ABBR_MAXLEN) {
			switch (abbr_find(t + start, wl)) {
			case ABBR_NOSPLIT:
				abbr = nosplit = true;
				break;
			case ABBR_END:
				abbr = true;
				break;
			case ABBR_NUM:
				abbr = nosplit = digit_follows(t, le, q);
				break;
			default:
				break;
			}
		}
		if (abbr) {
			end = q;
			flags |= SEG_TF_ABBREV | (nosplit ? PF_NOSPLIT : 0);
		}
	}
done:
	if (first == C_UPPER)
		flags |= SEG_TF_CAP;
	else if (first == C_LOWER)
		flags |= PF_LOWER;
	if (has_upper && !has_lower)
		flags |= SEG_TF_UPPER;
	*endp = end;
	return push(z->d, start, end - start, letter ? SEG_TOK_WORD : SEG_TOK_NUMBER, flags);
}

/* Whether a quote at t[p] has an opening context before it. */
static bool opens_before(const struct tokenizer *z, size_t p)
{
	if (p <= z->ls)
		return true;
	const struct seg_doc *d = z->d;
	if (d->ntoks > z->first) {
		const struct seg_token *k = &d->toks[d->ntoks - 1];
		if (k->start + k->len == p && (k->flags & SEG_TF_OPEN))
			return true;
	}
	switch (class_before(z->t, z->ls, p)) {
	case C_SPACE:
	case C_OPEN:
	case C_QOPEN:
	case C_DASH:
	case C_HYPHEN:
		return true;
	default:
		return false;
	}
}

/* Whether a quote ending at q has a closing context after it. */
static bool closes_after(const struct tokenizer *z, size_t q)
{
	size_t r;
	int32_t cp;
	if (q >= z->le)
		return true;
	switch (class_at(z->t, z->le, q, &r, &cp)) {
	case C_SPACE:
	case C_PERIOD:
	case C_QEX:
	case C_ELLIPSIS:
	case C_PUNCT:
	case C_CLOSE:
	case C_QCLOSE:
	case C_DASH:
	case C_HYPHEN:
	case C_APOS:
	case C_DQUOTE:
		return true;
	default:
		return false;
	}
}

static unsigned quote_dir(const struct tokenizer *z, size_t p, size_t q, bool *open)
{
	bool before = opens_before(z, p), after = closes_after(z, q);
	unsigned dir;
	if (before != after)
		dir = before ? SEG_TF_OPEN : SEG_TF_CLOSE;
	else
		dir = *open ? SEG_TF_CLOSE : SEG_TF_OPEN;
	*open = dir == SEG_TF_OPEN;
	return dir;
}

/* "'90s", "’90": an apostrophe for omitted century digits. */
static size_t elision_len(const struct tokenizer *z, size_t p, size_t a)
{
	const char *t = z->t;
	size_t n = z->le, q = p + a;
	if (!opens_before(z, p) || q + 1 >= n || (unsigned)(t[q] - '0') >= 10 ||
	    (unsigned)(t[q + 1] - '0') >= 10)
		return 0;
	q += 2;
	if (q < n && t[q] == 's')
		q++;
	return word_at(t, n, q) ? 0 : q - p;
}

static int apostrophe(struct tokenizer *z, size_t p, size_t q, int32_t cp, size_t *endp)
{
	const char *t = z->t;
	size_t le = z->le, k;
	*endp = q;
	if (after_word(z, p)) {
		k = clitic_len(t, le, p);
		if (k) {
			*endp = p + k;
			return push(z->d, p, k, SEG_TOK_CLITIC, 0);
		}
		const struct seg_token *w = &z->d->toks[z->d->ntoks - 1];
		unsigned char last = (unsigned char)t[w->start + w->len - 1];
		if (w->kind == SEG_TOK_WORD && (last == 's' || last == 'S') && !z->sq_open &&
		    !word_at(t, le, q))
			return push(z->d, p, q - p, SEG_TOK_CLITIC, 0); /* "the Joneses'" */
		z->sq_open = false;
		return push(z->d, p, q - p, SEG_TOK_QUOTE, SEG_TF_CLOSE);
	}
	k = elision_len(z, p, q - p);
	if (k) {
		*endp = p + k;
		return push(z->d, p, k, t[p + k - 1] == 's' ? SEG_TOK_WORD : SEG_TOK_NUMBER,
		            SEG_TF_DIGIT);
	}
	unsigned dir;
	if (cp == '\'') {
		dir = quote_dir(z, p, q, &z->sq_open);
	} else {
		/* ’ is a closing quote unless it plainly opens one. */
		dir = opens_before(z, p) && !closes_after(z, q) ? SEG_TF_OPEN : SEG_TF_CLOSE;
		z->sq_open = dir == SEG_TF_OPEN;
	}
	return push(z->d, p, q - p, SEG_TOK_QUOTE, dir);
}

static int tokenize_line(struct tokenizer *z)
{
	const char *t = z->t;
	size_t p = z->ls, le = z->le;
	struct seg_doc *d = z->d;
	while (p < le) {
		size_t q, k;
		int32_t cp;
		int c = class_at(t, le, p, &q, &cp), rc;
		switch (c) {
		case C_SPACE:
			p = q;
			continue;
		case C_LOWER:
		case C_UPPER:
		case C_LETTER:
		case C_DIGIT:
			if ((cp == 'n' || cp == 'N') && after_word(z, p) &&
			    (k = nt_len(t, le, p))) {
				rc = push(d, p, k, SEG_TOK_CLITIC, 0);
				p += k;
			} else if ((cp == 'h' || cp == 'H') && (k = url_len(t, le, p))) {
				rc = push(d, p, k, SEG_TOK_WORD, 0);
				p += k;
			} else {
				rc = scan_word(z, p, q, c, cp, &p);
			}
			break;
		case C_PERIOD:
			for (k = q; k < le && t[k] == '.'; k++)
				;
			rc = push(d, p, k - p, SEG_TOK_PUNCT, k - p > 1 ? PF_ELLIPSIS : PF_PERIOD);
			p = k;
			break;
		case C_QEX:
			rc = push(d, p, q - p, SEG_TOK_PUNCT, PF_QEX);
			p = q;
			break;
		case C_ELLIPSIS:
			rc = push(d, p, q - p, SEG_TOK_PUNCT, PF_ELLIPSIS);
			p = q;
			break;
		case C_HYPHEN:
			if (cp == '-')
				for (; q < le && t[q] == '-'; q++)
					;
			/* fall through */
		case C_DASH:
			rc = push(d, p, q - p, SEG_TOK_PUNCT, PF_CONT);
			p = q;
			break;
		case C_PUNCT:
			rc = push(d, p, q - p, SEG_TOK_PUNCT, cp == ',' ? PF_CONT : 0);
			p = q;
			break;
		case C_OPEN:
			rc = push(d, p, q - p, SEG_TOK_PUNCT, SEG_TF_OPEN);
			p = q;
			break;
		case C_CLOSE:
			rc = push(d, p, q - p, SEG_TOK_PUNCT, SEG_TF_CLOSE);
			p = q;
			break;
		case C_APOS:
			rc = apostrophe(z, p, q, cp, &p);
			break;
		case C_DQUOTE:
			rc = push(d, p, q - p, SEG_TOK_QUOTE, quote_dir(z, p, q, &z->dq_open));
			p = q;
			break;
		case C_QOPEN:
			if (cp == 0x2018 && (k = elision_len(z, p, q - p))) {
				rc = push(d, p, k, SEG_TOK_WORD, SEG_TF_DIGIT);
				p += k;
				break;
			}
			if (cp == 0x2018 || cp == 0x201A)
				z->sq_open = true;
			else
				z->dq_open = true;
			rc = push(d, p, q - p, SEG_TOK_QUOTE, SEG_TF_OPEN);
			p = q;
			break;
		case C_QCLOSE:
			z->dq_open = false;
			rc = push(d, p, q - p, SEG_TOK_QUOTE, SEG_TF_CLOSE);
			p = q;
			break;
		default: /* symbols, invalid bytes */
			rc = push(d, p, q - p, SEG_TOK_SYMBOL, 0);
			p = q;
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}

static unsigned width(const char *t, size_t a, size_t b)
{
	size_t w = 0;
	for (size_t i = a; i < b; i++)
		w += ((unsigned char)t[i] & 0xC0) != 0x80;
	return w > UINT_MAX ? UINT_MAX : (unsigned)w;
}

static bool small_word_tok(const struct seg_doc *d, const struct seg_token *k)
{
	return k->kind == SEG_TOK_WORD && (k->flags & PF_LOWER) &&
	       is_small_word(d->text + k->start, k->len);
}

/* Whether the break between a line ending in `last` and the next line
 * starting with `first` looks like hard wrapping. */
static bool wraps(const struct seg_doc *d, const struct seg_token *last,
                  const struct seg_token *first)
{
	if (last->flags & (PF_TERMINAL | SEG_TF_ABBREV | SEG_TF_CLOSE))
		return false;
	return (first->flags & PF_LOWER) ||
	       (last->kind == SEG_TOK_PUNCT && d->text[last->start] == ',') ||
	       small_word_tok(d, last);
}

struct docinfo {
	unsigned maxwidth;
	bool wrapped;
};

static int tokenize(struct seg_doc *d, struct docinfo *di)
{
	const char *t = d->text;
	size_t len = d->len, pos = 0;
	bool blank = true;
	struct tokenizer z = {d, t, 0, 0, 0, false, false};
	while (pos < len) {
		const char *nl = memchr(t + pos, '\n', len - pos);
		size_t le = nl ? (size_t)(nl - t) : len;
		size_t first = d->ntoks;
		if (is_boilerplate(t + pos, le - pos)) {
			d->boilerplate_lines++;
		} else {
			z.ls = pos;
			z.le = le;
			z.first = first;
			z.dq_open = z.sq_open = false;
			int rc = tokenize_line(&z);
			if (rc)
				return rc;
			if (d->ntoks == first) {
				blank = true;
			} else {
				struct seg_token *f = &d->toks[first], *l = &d->toks[d->ntoks - 1];
				f->flags |= SEG_TF_LINE_START | (blank ? PF_BLANK : 0);
				if (!blank && wraps(d, &d->toks[first - 1], f))
					di->wrapped = true;
				unsigned w = width(t, f->start, l->start + l->len);
				if (w > di->maxwidth)
					di->maxwidth = w;
				blank = false;
			}
		}
		pos = le + 1;
	}
	return 0;
}

/* ------------------------------------------------------------- pass 2 */

struct line {
	size_t a, b;    /* tokens [a, b) */
	unsigned width; /* code points */
	bool blank;     /* after a blank line or the start of the text */
	bool heading;
	bool terminal; /* ends (closers aside) in . ? ! … */
	bool nosplit;  /* ... in an abbreviation that never ends a sentence */
	bool cont;     /* ... in a comma or a dash */
};

struct splitter {
	struct seg_doc *d;
	struct docinfo di;
	size_t sb; /* first token of the sentence being built */
	bool para; /* the next sentence starts a paragraph */
};

static void line_at(const struct seg_doc *d, size_t a, struct line *L)
{
	const struct seg_token *tk = d->toks;
	size_t b = a + 1;
	while (b < d->ntoks && !(tk[b].flags & SEG_TF_LINE_START))
		b++;
	size_t e = b - 1;
	while (e > a && (tk[e].flags & SEG_TF_CLOSE))
		e--;
	L->a = a;
	L->b = b;
	L->width = width(d->text, tk[a].start, tk[b - 1].start + tk[b - 1].len);
	L->blank = tk[a].flags & PF_BLANK;
	L->heading = false;
	L->terminal = tk[e].flags & PF_TERMINAL;
	L->nosplit = tk[e].flags & PF_NOSPLIT;
	L->cont = tk[e].flags & PF_CONT;
}

static bool is_heading(const struct splitter *sp, const struct line *L, const struct line *prev)
{
	const struct seg_doc *d = sp->d;
	const struct seg_token *tk = d->toks;
	if (L->terminal || L->nosplit || L->cont || L->b - L->a > 4 * SEG_HEADING_MAX_WORDS)
		return false;
	size_t e = L->b - 1, f = L->a;
	while (e > L->a && (tk[e].flags & SEG_TF_CLOSE))
		e--;
	if (tk[e].kind == SEG_TOK_PUNCT || (tk[e].flags & SEG_TF_OPEN))
		return false;
	while (f < e && (tk[f].flags & SEG_TF_OPEN))
		f++;
	if (!(tk[f].kind == SEG_TOK_NUMBER ||
	      (tk[f].kind == SEG_TOK_WORD && (tk[f].flags & (SEG_TF_CAP | SEG_TF_DIGIT)))))
		return false;
	unsigned words = 0, content = 0, caps = 0;
	for (size_t i = L->a; i < L->b; i++) {
		const struct seg_token *k = &tk[i];
		if (k->kind != SEG_TOK_WORD && k->kind != SEG_TOK_NUMBER)
			continue;
		if (++words > SEG_HEADING_MAX_WORDS)
			return false;
		if (k->kind == SEG_TOK_NUMBER || small_word_tok(d, k))
			continue;
		content++;
		caps += (k->flags & (SEG_TF_CAP | SEG_TF_UPPER)) != 0;
	}
	bool has_next = L->b < d->ntoks;
	bool next_blank = has_next && (tk[L->b].flags & PF_BLANK);
	if (L->blank && (!has_next || next_blank))
		return true; /* stands alone */
	if (!L->blank && prev &&
	    (prev->nosplit || prev->cont ||
	     !(prev->heading || prev->terminal || !sp->di.wrapped || prev->width > LONG_LINE)))
		return false; /* the previous line leaves a sentence open */
	if (has_next && !next_blank && (tk[L->b].flags & PF_LOWER))
		return false;
	if (sp->di.wrapped && (unsigned long)L->width * 10 >= (unsigned long)sp->di.maxwidth * 6)
		return false; /* as wide as the wrapped lines around it */
	return caps * 2 > content;
}

/* Whether the first token of a line marks a list item. */
static bool is_bullet(const struct seg_doc *d, size_t i)
{
	const struct seg_token *k = &d->toks[i];
	if (k->kind == SEG_TOK_PUNCT)
		return !(k->flags & SEG_TF_OPEN);
	if (k->kind == SEG_TOK_SYMBOL) {
		size_t n = d->len, p = k->start;
		int32_t cp = utf8_next(d->text, n, &p);
		return cp == '*' || (cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_SO);
	}
	if (k->kind == SEG_TOK_NUMBER && k->len <= 3 && i + 1 < d->ntoks) {
		const struct seg_token *n = k + 1;
		char c = d->text[n->start];
		return n->start == k->start + k->len && n->len == 1 && (c == '.' || c == ')');
	}
	return false;
}

/* Whether the line break between L and N (NULL: the end) ends a sentence
 * whatever the tokens around it say. */
static bool force_break(const struct splitter *sp, const struct line *L, const struct line *N)
{
	if (!N || N->blank || L->heading || N->heading)
		return true;
	if ((sp->d->toks[N->a].flags & PF_LOWER) || L->nosplit || L->cont)
		return false;
	if (is_bullet(sp->d, N->a) || !sp->di.wrapped)
		return true;
	return L->width > LONG_LINE;
}

enum { T_PERIOD, T_QEX, T_ELLIPSIS, T_ABBREV, T_NOSPLIT };

static int term_type(unsigned flags)
{
	if (flags & PF_PERIOD)
		return T_PERIOD;
	if (flags & PF_QEX)
		return T_QEX;
	if (flags & PF_ELLIPSIS)
		return T_ELLIPSIS;
	return flags & PF_NOSPLIT ? T_NOSPLIT : T_ABBREV;
}

/* Whether capitalised words (a speaker's name and title) and then a verb of
 * speech start at token k: `Trump asked`, `Gen. Smith said`. */
static bool speech_follows(const struct seg_doc *d, size_t k)
{
	for (size_t n = 0; k < d->ntoks && n < 4; k++, n++) {
		const struct seg_token *w = &d->toks[k];
		if (w->kind != SEG_TOK_WORD)
			return false;
		if (n == 0 && !(w->flags & SEG_TF_ABBREV) && is_opener(d->text + w->start, w->len))
			return false; /* "Nobody answered": a new sentence */
		if (w->flags & PF_LOWER)
			return is_speech_verb(d->text + w->start, w->len);
		if (!(w->flags & SEG_TF_CAP))
			return false;
	}
	return false;
}

/* Whether a run of terminal punctuation of type `type` at token i, whose
 * closers end before token k, ends a sentence; `quoted` says the run ends
 * with a closing quote. */
static bool ends_sentence(const struct splitter *sp, int type, size_t i, size_t k, bool quoted)
{
	const struct seg_doc *d = sp->d;
	const struct seg_token *tk = d->toks;
	if (type == T_NOSPLIT)
		return false;
	while (k < d->ntoks && (tk[k].flags & SEG_TF_OPEN))
		k++;
	if (k >= d->ntoks)
		return true;
	const struct seg_token *n = &tk[k];
	if (n->kind == SEG_TOK_PUNCT || n->kind == SEG_TOK_CLITIC || n->kind == SEG_TOK_QUOTE)
		return false;
	switch (type) {
	case T_PERIOD:
		/* "1. The first point": a list number, not a sentence. */
		if (i > 0 && tk[i - 1].kind == SEG_TOK_NUMBER &&
		    (tk[i - 1].flags & SEG_TF_LINE_START) && tk[i - 1].len <= 3)
			return false;
		/* fall through */
	case T_QEX:
		if (n->flags & PF_LOWER)
			return false;
		return !(type == T_QEX && quoted && speech_follows(d, k));
	default: /* an ellipsis, "U.S.", "Inc.", an initial */
		return n->kind == SEG_TOK_WORD && (n->flags & SEG_TF_CAP) &&
		       is_opener(d->text + n->start, n->len);
	}
}

static int emit(struct splitter *sp, size_t tb, size_t te, unsigned flags)
{
	struct seg_doc *d = sp->d;
	if (te <= tb)
		return 0;
	if (d->nsents == d->cap_sents && grow((void **)&d->sents, &d->cap_sents, sizeof *d->sents))
		return -ENOMEM;
	unsigned words = 0, qwords = 0;
	bool inq = false, quote = false, number = false;
	for (size_t i = tb; i < te; i++) {
		const struct seg_token *k = &d->toks[i];
		switch (k->kind) {
		case SEG_TOK_WORD:
			if ((k->flags & SEG_TF_DIGIT) && (unsigned)(d->text[k->start] - '0') < 10)
				number = true;
			words++;
			qwords++;
			break;
		case SEG_TOK_NUMBER:
			number = true;
			words++;
			qwords++;
			break;
		case SEG_TOK_QUOTE:
			/* Quoted speech: three words or more inside quotes (one
			 * or two are a scare quote or a term), or before a
			 * closing quote opened in an earlier sentence. */
			if (k->flags & SEG_TF_OPEN) {
				inq = true;
				qwords = 0;
			} else {
				quote |= (inq ? qwords : words) >= 3;
				inq = false;
			}
			break;
		default:
			break;
		}
	}
	quote |= inq && qwords > 0; /* the quote goes on into the next sentence */
	if (sp->para)
		flags |= SEG_SF_PARA_START;
	sp->para = false;
	if (quote)
		flags |= SEG_SF_QUOTE;
	if (number)
		flags |= SEG_SF_NUMBER;
	const struct seg_token *f = &d->toks[tb], *l = &d->toks[te - 1];
	d->toks[tb].flags |= SEG_TF_SENT_START;
	d->sents[d->nsents++] = (struct seg_sentence){
	    f->start, l->start + l->len, (uint32_t)tb, (uint32_t)te, words, flags};
	return 0;
}

static int split_line(struct splitter *sp, const struct line *L, const struct line *N)
{
	const struct seg_token *tk = sp->d->toks;
	int rc;
	if (L->heading) {
		if ((rc = emit(sp, sp->sb, L->a, 0)))
			return rc;
		sp->para = true;
		rc = emit(sp, L->a, L->b, SEG_SF_HEADING);
		sp->sb = L->b;
		sp->para = true;
		return rc;
	}
	bool force = force_break(sp, L, N);
	for (size_t i = L->a; i < L->b; i++) {
		unsigned f = tk[i].flags;
		if (!(f & (PF_TERMINAL | SEG_TF_ABBREV)))
			continue;
		int type = term_type(f);
		bool quoted = false;
		size_t j = i;
		while (j + 1 < L->b && (tk[j + 1].flags & (PF_TERMINAL | SEG_TF_CLOSE))) {
			j++;
			if (tk[j].flags & PF_TERMINAL)
				type = term_type(tk[j].flags);
			quoted = tk[j].kind == SEG_TOK_QUOTE;
		}
		size_t k = j + 1;
		bool end = (k == L->b && force) || ends_sentence(sp, type, i, k, quoted);
		if (end) {
			if ((rc = emit(sp, sp->sb, k, 0)))
				return rc;
			sp->sb = k;
			/* In wrapped text a short line that ends a sentence
			 * ends its paragraph. */
			if (k == L->b && !force &&
			    (unsigned long)L->width * 10 < (unsigned long)sp->di.maxwidth * 6)
				sp->para = true;
		}
		i = j;
	}
	if (force) {
		if ((rc = emit(sp, sp->sb, L->b, 0)))
			return rc;
		sp->sb = L->b;
		sp->para = true;
	}
	return 0;
}

static int split(struct splitter *sp)
{
	struct seg_doc *d = sp->d;
	struct line cur, next;
	int rc;
	if (!d->ntoks)
		return 0;
	line_at(d, 0, &cur);
	cur.heading = is_heading(sp, &cur, NULL);
	for (;;) {
		bool have_next = cur.b < d->ntoks;
		if (have_next) {
			line_at(d, cur.b, &next);
			next.heading = is_heading(sp, &next, &cur);
		}
		if ((rc = split_line(sp, &cur, have_next ? &next : NULL)))
			return rc;
		if (!have_next)
			break;
		cur = next;
	}
	return emit(sp, sp->sb, d->ntoks, 0);
}

/* ------------------------------------------------------------- public */

void seg_doc_init(struct seg_doc *d)
{
	memset(d, 0, sizeof *d);
}

void seg_doc_free(struct seg_doc *d)
{
	if (!d)
		return;
	free(d->toks);
	free(d->sents);
	memset(d, 0, sizeof *d);
}

int seg_split(struct seg_doc *d, const char *text, size_t len)
{
	d->text = text;
	d->len = len;
	d->ntoks = d->nsents = d->boilerplate_lines = 0;
	if (len > UINT32_MAX)
		return -EINVAL;
	if (!len)
		return 0;
	struct splitter sp = {d, {0, false}, 0, true};
	int rc = tokenize(d, &sp.di);
	if (!rc)
		rc = split(&sp);
	for (size_t i = 0; i < d->ntoks; i++)
		d->toks[i].flags &= TF_PUBLIC;
	if (rc)
		d->ntoks = d->nsents = 0;
	return rc;
}

size_t seg_words(const struct seg_doc *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nsents; i++)
		n += d->sents[i].words;
	return n;
}
