/* Unit tests for lib/text.c: normalisation of article text. */
#include "check.h"

#include "buf.h"
#include "text.h"
#include "utf8.h"

/* Normalise s and keep the result and stats in statics for the checks. */
static struct buf out = BUF_INIT;
static struct text_stats st;

static const char *norm_n(const char *s, size_t n)
{
	st.invalid_utf8 = st.removed_controls = 99;
	if (text_normalize(&out, s, n, &st))
		return NULL;
	return out.p;
}

static const char *norm(const char *s)
{
	return norm_n(s, strlen(s));
}

static void test_invalid_bytes(void)
{
	CHECK_STR(norm("caf\xE9 au lait \xFF\xFE!"),
	          "caf\xEF\xBF\xBD au lait \xEF\xBF\xBD\xEF\xBF\xBD!");
	CHECK_INT(st.invalid_utf8, 3);
	CHECK_INT(st.removed_controls, 0);
	CHECK(utf8_valid(out.p, out.len));
	CHECK_STR(norm("fine"), "fine");
	CHECK_INT(st.invalid_utf8, 0);
}

static void test_crlf(void)
{
	CHECK_STR(norm("one\r\ntwo\rthree\nfour"), "one\ntwo\nthree\nfour");
	/* CR LF CR LF is a blank line, not two. */
	CHECK_STR(norm("para one.\r\n\r\npara two."), "para one.\n\npara two.");
	CHECK_INT(st.removed_controls, 0);
}

static void test_unicode_spaces(void)
{
	/* NBSP, thin space U+2009, narrow NBSP U+202F, ideographic space,
	 * en quad U+2000 and a tab all become one plain space. */
	CHECK_STR(
	    norm("10\xC2\xA0km, 5\xE2\x80\x89%, 3\xE2\x80\xAFh\tand\xE3\x80\x80so\xE2\x80\x80on"),
	    "10 km, 5 %, 3 h and so on");
	CHECK_INT(st.removed_controls, 0);
}

static void test_zero_width_removed(void)
{
	/* A BOM at the start, a zero-width space, a soft hyphen, an LRM and a
	 * word joiner inside words are removed and counted. */
	CHECK_STR(norm("\xEF\xBB\xBFKy\xE2\x80\x8Biv co\xC2\xADop\xE2\x80\x8E"
	               "era\xE2\x81\xA0tion"),
	          "Kyiv cooperation");
	CHECK_INT(st.removed_controls, 5);
	/* Other control characters too, but not the visible Arabic number sign. */
	CHECK_STR(norm("a\x01"
	               "b\x7F"
	               "c\xC2\x9F"
	               "d \xD8\x80"
	               "1"),
	          "abcd \xD8\x80"
	          "1");
	CHECK_INT(st.removed_controls, 3);
}

static void test_collapse_spaces(void)
{
	CHECK_STR(norm("too    many \t spaces"), "too many spaces");
	/* A removed character between spaces does not keep two spaces. */
	CHECK_STR(norm("a \xE2\x80\x8B b"), "a b");
	/* Spaces at line starts and ends go; so does white space at both ends. */
	CHECK_STR(norm("  \n\n  Title  \n   Body text.   \n\n  "), "Title\nBody text.");
}

static void test_collapse_blank_lines(void)
{
	CHECK_STR(norm("one\n\n\n\n\ntwo\n \n \t\n  \nthree"), "one\n\ntwo\n\nthree");
	/* Unicode line and paragraph separators, VT and FF are line breaks. */
	CHECK_STR(norm("a\xE2\x80\xA8"
	               "b\xE2\x80\xA9"
	               "c\fd\ve"),
	          "a\nb\n\nc\nd\ne");
}

static void test_nfc(void)
{
	/* "e" + combining acute composes to "é"; "Å" as A + ring, and the
	 * Angstrom sign, both become U+00C5. */
	CHECK_STR(norm("Caf"
	               "e\xCC\x81"),
	          "Caf\xC3\xA9");
	CHECK_STR(norm("A\xCC\x8A \xE2\x84\xAB"), "\xC3\x85 \xC3\x85");
	/* Already composed text is unchanged, and compatibility forms
	 * (the "ﬁ" ligature) are kept. */
	CHECK_STR(norm("Erdo\xC4\x9F"
	               "an \xEF\xAC\x81ne"),
	          "Erdo\xC4\x9F"
	          "an \xEF\xAC\x81ne");
	/* A zero-width space between a letter and its accent does not block
	 * composition. */
	CHECK_STR(norm("e\xE2\x80\x8B\xCC\x81"), "\xC3\xA9");
}

static void test_quotes_preserved(void)
{
	const char *s = "\xE2\x80\x9CNo,\xE2\x80\x9D he said \xE2\x80\x94 Putin\xE2\x80\x99s "
	                "\xE2\x80\x98plan\xE2\x80\x99 \xC2\xAB"
	                "non\xC2\xBB \xE2\x80\x93 \"ok\" 'x'";
	CHECK_STR(norm(s), s);
	CHECK_INT(st.invalid_utf8, 0);
	CHECK_INT(st.removed_controls, 0);
}

static void test_empty(void)
{
	CHECK_STR(norm(""), "");
	CHECK_INT(out.len, 0);
	CHECK_INT(st.invalid_utf8, 0);
	CHECK_STR(norm(" \n\t\r\n \xC2\xA0\xEF\xBB\xBF "), "");
	CHECK_INT(out.len, 0);
	CHECK_STR(norm_n(NULL, 0), "");
	/* NULL stats are allowed. */
	CHECK_INT(text_normalize(&out, "x", 1, NULL), 0);
	CHECK_STR(out.p, "x");
}

static void test_replaces_contents(void)
{
	struct buf b = BUF_INIT;
	CHECK_INT(buf_append_str(&b, "old contents"), 0);
	CHECK_INT(text_normalize(&b, "new", 3, NULL), 0);
	CHECK_STR(b.p, "new");
	CHECK_INT(b.len, 3);
	buf_free(&b);
}

static void test_idempotent(void)
{
	/* Normalising normalised text changes nothing, for random input. */
	unsigned long x = 99;
	static const char *const pieces[] = {
	    " ",
	    "  ",
	    "\n",
	    "\r\n",
	    "\t",
	    "\xC2\xA0",
	    "\xE2\x80\x8B",
	    "\xEF\xBB\xBF",
	    "e",
	    "\xCC\x81",
	    "\xE2\x80\x99",
	    "\xFF",
	    "\xE2\x80",
	    ".",
	    "A",
	    "\x01",
	    "\xE2\x80\xA9",
	    "\xD9\x85",
	    "\xE0\xA5\x98",
	    "\xE2\x84\xAB",
	};
	struct buf once = BUF_INIT;
	for (int round = 0; round < 3000; round++) {
		char s[256];
		size_t n = 0;
		for (int k = 0; k < 40; k++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			const char *p = pieces[(x >> 33) % (sizeof pieces / sizeof pieces[0])];
			memcpy(s + n, p, strlen(p));
			n += strlen(p);
		}
		CHECK_INT(text_normalize(&once, s, n, NULL), 0);
		CHECK(utf8_valid(once.p, once.len));
		CHECK(once.len == 0 || (once.p[0] != ' ' && once.p[0] != '\n'));
		CHECK(once.len == 0 ||
		      (once.p[once.len - 1] != ' ' && once.p[once.len - 1] != '\n'));
		CHECK(!strstr(once.p, "  ") && !strstr(once.p, "\n\n\n") &&
		      !strstr(once.p, " \n") && !strstr(once.p, "\n ") && !strchr(once.p, '\r') &&
		      !strchr(once.p, '\t'));
		CHECK_STR(norm_n(once.p, once.len), once.p);
		CHECK_INT(st.invalid_utf8 + st.removed_controls, 0);
	}
	buf_free(&once);
}

/* clang-format off */
static const struct check_case cases[] = {
	CASE(test_invalid_bytes, "invalid bytes are replaced and counted"),
	CASE(test_crlf, "CR LF and lone CR become LF"),
	CASE(test_unicode_spaces, "NBSP thin space and other spaces become a space"),
	CASE(test_zero_width_removed, "zero width characters BOM and controls are removed"),
	CASE(test_collapse_spaces, "runs of spaces collapse and line ends are trimmed"),
	CASE(test_collapse_blank_lines, "three or more newlines collapse to a blank line"),
	CASE(test_nfc, "text is composed to NFC"),
	CASE(test_quotes_preserved, "typographic quotes and dashes are preserved"),
	CASE(test_empty, "empty input gives empty output"),
	CASE(test_replaces_contents, "the output buffer contents are replaced"),
	CASE(test_idempotent, "normalisation is idempotent on random input"),
};
/* clang-format on */

CHECK_MAIN(cases)
