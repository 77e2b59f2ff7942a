/* Unit tests for lib/utf8.c: strict decoding, validation, encoding and
 * repair by maximal subparts. */
#include "check.h"

#include <stdlib.h>

#include "buf.h"
#include "utf8.h"

/* Repair s[0..n) and compare with the expected text and count. */
static int repaired(const char *s, size_t n, const char *want, size_t want_count)
{
	struct buf b = BUF_INIT;
	size_t count = 99;
	int ok = utf8_repair(&b, s, n, &count) == 0 && count == want_count && b.p &&
	         b.len == strlen(want) && memcmp(b.p, want, b.len) == 0 && b.p[b.len] == 0;
	buf_free(&b);
	return ok;
}

static void test_ascii(void)
{
	const char *s = "Hi!";
	size_t i = 0;
	CHECK_INT(utf8_next(s, 3, &i), 'H');
	CHECK_INT(i, 1);
	CHECK_INT(utf8_next(s, 3, &i), 'i');
	CHECK_INT(utf8_next(s, 3, &i), '!');
	CHECK_INT(i, 3);
	CHECK_INT(utf8_next(s, 3, &i), -1); /* at the end: nothing to decode */
	CHECK_INT(i, 3);
	CHECK(utf8_valid("", 0));
	CHECK(utf8_valid("plain ASCII text, long enough for the 8-byte scan", 50));
}

static void test_valid_sequences(void)
{
	/* U+007F, U+0080, U+07FF, U+0800, U+FFFD, U+FFFF, U+10000, U+10FFFF,
	 * and "é", "’", "😀" from real text. */
	static const struct {
		const char *s;
		int32_t cp;
	} v[] = {
	    {"\x7F", 0x7F},
	    {"\xC2\x80", 0x80},
	    {"\xDF\xBF", 0x7FF},
	    {"\xE0\xA0\x80", 0x800},
	    {"\xEF\xBF\xBD", 0xFFFD},
	    {"\xEF\xBF\xBF", 0xFFFF},
	    {"\xED\x9F\xBF", 0xD7FF},
	    {"\xEE\x80\x80", 0xE000},
	    {"\xF0\x90\x80\x80", 0x10000},
	    {"\xF4\x8F\xBF\xBF", 0x10FFFF},
	    {"\xC3\xA9", 0xE9},
	    {"\xE2\x80\x99", 0x2019},
	    {"\xF0\x9F\x98\x80", 0x1F600},
	};
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		size_t n = strlen(v[k].s), i = 0;
		CHECK_INT(utf8_next(v[k].s, n, &i), v[k].cp);
		CHECK_INT(i, n);
		CHECK(utf8_valid(v[k].s, n));
		char enc[4];
		CHECK_INT(utf8_encode(v[k].cp, enc), n);
		CHECK(memcmp(enc, v[k].s, n) == 0);
	}
}

static void test_valid_untouched(void)
{
	const char *s = "Zelenskyy met Erdoğan — “No,” he said; 3 € and 😀 too.";
	size_t n = strlen(s);
	CHECK(utf8_valid(s, n));
	CHECK(repaired(s, n, s, 0));
}

static void test_overlong(void)
{
	size_t i = 0;
	/* "/" as 2, 3 and 4 bytes, and NUL as C0 80. */
	CHECK(!utf8_valid("\xC0\xAF", 2));
	CHECK(!utf8_valid("\xE0\x80\xAF", 3));
	CHECK(!utf8_valid("\xF0\x80\x80\xAF", 4));
	CHECK(!utf8_valid("\xC0\x80", 2));
	CHECK(!utf8_valid("\xC1\xBF", 2));
	CHECK(!utf8_valid("\xE0\x9F\xBF", 3));     /* U+07FF in 3 bytes */
	CHECK(!utf8_valid("\xF0\x8F\xBF\xBF", 4)); /* U+FFFF in 4 bytes */
	/* C0 is never a lead byte: one subpart, then 0xAF another. */
	CHECK_INT(utf8_next("\xC0\xAF", 2, &i), -1);
	CHECK_INT(i, 1);
	/* E0 80: E0 cannot be followed by 80, so E0 alone is the subpart. */
	i = 0;
	CHECK_INT(utf8_next("\xE0\x80\xAF", 3, &i), -1);
	CHECK_INT(i, 1);
	CHECK(repaired("a\xE0\x80\xAF"
	               "b",
	               5,
	               "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
	               "b",
	               3));
	CHECK(
	    repaired("\xF0\x80\x80\xAF", 4, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4));
}

static void test_surrogates(void)
{
	size_t i = 0;
	CHECK(!utf8_valid("\xED\xA0\x80", 3));             /* U+D800 */
	CHECK(!utf8_valid("\xED\xBF\xBF", 3));             /* U+DFFF */
	CHECK(!utf8_valid("\xED\xA0\xBD\xED\xB8\x80", 6)); /* a CESU-8 pair */
	CHECK_INT(utf8_next("\xED\xA0\x80", 3, &i), -1);
	CHECK_INT(i, 1);
	CHECK(repaired("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3));
}

static void test_above_max(void)
{
	size_t i = 0;
	CHECK(!utf8_valid("\xF4\x90\x80\x80", 4)); /* U+110000 */
	CHECK(!utf8_valid("\xF5\x80\x80\x80", 4));
	CHECK(!utf8_valid("\xF8\x88\x80\x80\x80", 5)); /* old 5-byte form */
	CHECK(!utf8_valid("\xFF", 1));
	CHECK_INT(utf8_next("\xF4\x90\x80\x80", 4, &i), -1);
	CHECK_INT(i, 1);
	CHECK(
	    repaired("\xF4\x90\x80\x80", 4, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4));
	CHECK(repaired("x\xFEy\xFF", 4, "x\xEF\xBF\xBDy\xEF\xBF\xBD", 2));
}

static void test_truncated_at_end(void)
{
	size_t i = 0;
	/* The first three bytes of "😀": one maximal subpart, one U+FFFD. */
	CHECK_INT(utf8_next("\xF0\x9F\x98", 3, &i), -1);
	CHECK_INT(i, 3);
	CHECK(!utf8_valid("ok\xE2\x80", 4));
	CHECK(!utf8_valid("\xC3", 1));
	CHECK(repaired("end\xF0\x9F\x98", 6, "end\xEF\xBF\xBD", 1));
	CHECK(repaired("end\xE2\x80", 5, "end\xEF\xBF\xBD", 1));
	CHECK(repaired("end\xC3", 4, "end\xEF\xBF\xBD", 1));
}

static void test_truncated_inside(void)
{
	/* A lead byte whose sequence is cut by an ASCII byte: the subpart is
	 * replaced and the ASCII byte kept. */
	size_t i = 0;
	CHECK_INT(utf8_next("\xE2\x80"
	                    "a",
	                    3, &i),
	          -1);
	CHECK_INT(i, 2);
	CHECK(repaired("\xE2\x80"
	               "a\xC3"
	               "b",
	               5,
	               "\xEF\xBF\xBD"
	               "a\xEF\xBF\xBD"
	               "b",
	               2));
	/* ... or by another lead byte, which starts a valid sequence. */
	CHECK(repaired("\xE2\xC3\xA9", 3, "\xEF\xBF\xBD\xC3\xA9", 1));
}

static void test_lone_continuation(void)
{
	size_t i = 0;
	CHECK_INT(utf8_next("\x80", 1, &i), -1);
	CHECK_INT(i, 1);
	CHECK(!utf8_valid("a\x80"
	                  "b",
	                  3));
	/* Each stray continuation byte is its own subpart. */
	CHECK(repaired("a\x80\xBF"
	               "b",
	               4,
	               "a\xEF\xBF\xBD\xEF\xBF\xBD"
	               "b",
	               2));
	/* The Unicode standard's own example (section 3.9, U+FFFD). */
	CHECK(repaired("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 13,
	               "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
	               "b\xEF\xBF\xBD"
	               "c\xEF\xBF\xBD\xEF\xBF\xBD"
	               "d",
	               6));
}

static void test_replacement_count(void)
{
	struct buf b = BUF_INIT;
	size_t count = 0;
	/* Latin-1 text read as UTF-8: each accented byte is one replacement. */
	const char *latin1 = "caf\xE9 na\xEFve r\xE9sum\xE9";
	CHECK_INT(utf8_repair(&b, latin1, strlen(latin1), &count), 0);
	CHECK_INT(count, 4);
	CHECK(utf8_valid(b.p, b.len));
	CHECK_STR(b.p, "caf\xEF\xBF\xBD na\xEF\xBF\xBDve r\xEF\xBF\xBDsum\xEF\xBF\xBD");
	/* repair appends; a NULL count is allowed. */
	CHECK_INT(utf8_repair(&b, "\xFF", 1, NULL), 0);
	CHECK_INT(b.len, strlen(latin1) + 4 * 2 + 3);
	buf_free(&b);
	/* An empty input gives an empty, terminated buffer. */
	CHECK_INT(utf8_repair(&b, "", 0, &count), 0);
	CHECK_INT(count, 0);
	CHECK(b.p && b.len == 0 && b.p[0] == 0);
	buf_free(&b);
}

static void test_encode_invalid(void)
{
	char out[4];
	/* Not scalar values: encoded as U+FFFD, never as ill-formed bytes. */
	CHECK_INT(utf8_encode(0xD800, out), 3);
	CHECK(memcmp(out, "\xEF\xBF\xBD", 3) == 0);
	CHECK_INT(utf8_encode(0x110000, out), 3);
	CHECK_INT(utf8_encode(-1, out), 3);
	CHECK_INT(utf8_encode(0, out), 1);
	CHECK_INT(out[0], 0);
}

static void test_random_round_trip(void)
{
	/* Repair of any bytes is valid, keeps valid input, and repairing the
	 * result again changes nothing. */
	unsigned long x = 12345;
	struct buf a = BUF_INIT, b = BUF_INIT;
	char s[64];
	for (int round = 0; round < 20000; round++) {
		size_t n = round % 64;
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			unsigned v = (unsigned)(x >> 56);
			/* Bias towards lead and continuation bytes. */
			s[i] = (char)(v < 64 ? 'a' + v % 26 : v);
		}
		size_t count;
		buf_reset(&a);
		buf_reset(&b);
		CHECK_INT(utf8_repair(&a, s, n, &count), 0);
		CHECK(utf8_valid(a.p, a.len));
		CHECK(count == 0 || !utf8_valid(s, n));
		CHECK(count != 0 || (a.len == n && memcmp(a.p, s, n) == 0));
		CHECK_INT(utf8_repair(&b, a.p, a.len, &count), 0);
		CHECK_INT(count, 0);
		CHECK(b.len == a.len && memcmp(a.p, b.p, a.len) == 0);
	}
	buf_free(&a);
	buf_free(&b);
}

/* clang-format off */
static const struct check_case cases[] = {
	CASE(test_ascii, "ascii decodes byte by byte"),
	CASE(test_valid_sequences, "valid 1 to 4 byte sequences decode and encode"),
	CASE(test_valid_untouched, "valid text is left untouched by repair"),
	CASE(test_overlong, "overlong forms are invalid"),
	CASE(test_surrogates, "surrogates are invalid"),
	CASE(test_above_max, "code points above U+10FFFF are invalid"),
	CASE(test_truncated_at_end, "a sequence truncated at the end is one replacement"),
	CASE(test_truncated_inside, "a sequence cut short keeps the byte that cut it"),
	CASE(test_lone_continuation, "lone continuation bytes are one replacement each"),
	CASE(test_replacement_count, "repair counts its replacements"),
	CASE(test_encode_invalid, "encoding a non scalar value gives U+FFFD"),
	CASE(test_random_round_trip, "repair of random bytes is valid and idempotent"),
};
/* clang-format on */

CHECK_MAIN(cases)
