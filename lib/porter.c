/*
 * porter: see porter.h.
 *
 * The word is b[0..k]; each step looks at its end. m() is Porter's measure
 * of the stem b[0..j] (the number of vowel-consonant sequences, [C](VC)^m[V]),
 * which every rule consults before cutting a suffix, so that short words keep
 * their endings ("sing" does not lose "ing"). ends() sets j to the end of the
 * stem left by a suffix, setto() replaces the suffix. Indices are signed
 * because the stem may be empty (j == -1).
 */
#include "porter.h"

#include <stdbool.h>
#include <string.h>

struct stem {
	char *b;
	long k; /* last index of the word */
	long j; /* last index of the stem in the current rule */
};

static bool cons(const struct stem *z, long i)
{
	switch (z->b[i]) {
	case 'a':
	case 'e':
	case 'i':
	case 'o':
	case 'u':
		return false;
	case 'y':
		return i == 0 ? true : !cons(z, i - 1);
	default:
		return true;
	}
}

static int measure(const struct stem *z)
{
	int n = 0;
	long i = 0;
	for (;;) {
		if (i > z->j)
			return n;
		if (!cons(z, i))
			break;
		i++;
	}
	i++;
	for (;;) {
		for (;;) {
			if (i > z->j)
				return n;
			if (cons(z, i))
				break;
			i++;
		}
		i++;
		n++;
		for (;;) {
			if (i > z->j)
				return n;
			if (!cons(z, i))
				break;
			i++;
		}
		i++;
	}
}

static bool vowel_in_stem(const struct stem *z)
{
	for (long i = 0; i <= z->j; i++)
		if (!cons(z, i))
			return true;
	return false;
}

static bool double_cons(const struct stem *z, long j)
{
	return j >= 1 && z->b[j] == z->b[j - 1] && cons(z, j);
}

/* cvc(i): b[i-2..i] is consonant-vowel-consonant and b[i] is not w, x or y
 * (-e restored in "hop(e)", not in "snow"). */
static bool cvc(const struct stem *z, long i)
{
	if (i < 2 || !cons(z, i) || cons(z, i - 1) || !cons(z, i - 2))
		return false;
	char c = z->b[i];
	return c != 'w' && c != 'x' && c != 'y';
}

static bool ends(struct stem *z, const char *s)
{
	long len = (long)strlen(s);
	if (len > z->k + 1 || memcmp(z->b + z->k - len + 1, s, (size_t)len) != 0)
		return false;
	z->j = z->k - len;
	return true;
}

static void setto(struct stem *z, const char *s)
{
	long len = (long)strlen(s);
	memcpy(z->b + z->j + 1, s, (size_t)len);
	z->k = z->j + len;
}

static void replace_if_m(struct stem *z, const char *s)
{
	if (measure(z) > 0)
		setto(z, s);
}

/* Plurals and -ed / -ing. */
static void step1ab(struct stem *z)
{
	if (z->b[z->k] == 's') {
		if (ends(z, "sses"))
			z->k -= 2;
		else if (ends(z, "ies"))
			setto(z, "i");
		else if (z->b[z->k - 1] != 's')
			z->k--;
	}
	if (ends(z, "eed")) {
		if (measure(z) > 0)
			z->k--;
	} else if ((ends(z, "ed") || ends(z, "ing")) && vowel_in_stem(z)) {
		z->k = z->j;
		if (ends(z, "at"))
			setto(z, "ate");
		else if (ends(z, "bl"))
			setto(z, "ble");
		else if (ends(z, "iz"))
			setto(z, "ize");
		else if (double_cons(z, z->k)) {
			z->k--;
			char c = z->b[z->k];
			if (c == 'l' || c == 's' || c == 'z')
				z->k++;
		} else {
			z->j = z->k;
			if (measure(z) == 1 && cvc(z, z->k))
				setto(z, "e");
		}
	}
}

/* Terminal y to i when there is another vowel in the stem. */
static void step1c(struct stem *z)
{
	if (ends(z, "y") && vowel_in_stem(z))
		z->b[z->k] = 'i';
}

struct rule {
	const char *from, *to;
};

/* Apply the first rule whose suffix ends the word (if its stem has m > 0). */
static void apply_rules(struct stem *z, const struct rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ends(z, r[i].from)) {
			replace_if_m(z, r[i].to);
			return;
		}
}

/* Double suffixes to single ones. */
static void step2(struct stem *z)
{
	static const struct rule rules[] = {
	    {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},
	    {"izer", "ize"},    {"bli", "ble"},     {"alli", "al"},     {"entli", "ent"},
	    {"eli", "e"},       {"ousli", "ous"},   {"ization", "ize"}, {"ation", "ate"},
	    {"ator", "ate"},    {"alism", "al"},    {"iveness", "ive"}, {"fulness", "ful"},
	    {"ousness", "ous"}, {"aliti", "al"},    {"iviti", "ive"},   {"biliti", "ble"},
	    {"logi", "log"},
	};
	if (z->k < 1)
		return;
	/* The reference implementation switches on the penultimate letter and
	 * tries only that letter's rules, in this order; checking every rule
	 * in the same order gives the same result because no two suffixes of
	 * different groups end one another. */
	apply_rules(z, rules, sizeof rules / sizeof rules[0]);
}

/* -ic-, -full, -ness etc. */
static void step3(struct stem *z)
{
	static const struct rule rules[] = {
	    {"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
	    {"ical", "ic"},  {"ful", ""},   {"ness", ""},
	};
	apply_rules(z, rules, sizeof rules / sizeof rules[0]);
}

/* Takes off -ant, -ence etc. in context <c>vcvc<v> (m > 1). */
static void step4(struct stem *z)
{
	static const char *const suffixes[] = {
	    "al",  "ance", "ence", "er",  "ic",  "able", "ible", "ant", "ement", "ment",
	    "ent", "ion",  "ou",   "ism", "ate", "iti",  "ous",  "ive", "ize",
	};
	bool hit = false;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0] && !hit; i++) {
		if (!ends(z, suffixes[i]))
			continue;
		/* -ion only after s or t */
		if (!strcmp(suffixes[i], "ion") &&
		    !(z->j >= 0 && (z->b[z->j] == 's' || z->b[z->j] == 't')))
			return;
		hit = true;
	}
	if (hit && measure(z) > 1)
		z->k = z->j;
}

/* Final -e when m > 1 (or m == 1 and not *o), and -ll to -l when m > 1. */
static void step5(struct stem *z)
{
	z->j = z->k;
	if (z->b[z->k] == 'e') {
		int a = measure(z);
		if (a > 1 || (a == 1 && !cvc(z, z->k - 1)))
			z->k--;
	}
	/* As in the reference, the -ll test measures the stem before any -e
	 * was cut. */
	if (z->b[z->k] == 'l' && double_cons(z, z->k) && measure(z) > 1)
		z->k--;
}

size_t porter_stem(char *w, size_t n)
{
	if (n <= 2 || n > 1024)
		return n;
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return n;
	struct stem z = {w, (long)n - 1, 0};
	step1ab(&z);
	if (z.k > 0) {
		step1c(&z);
		step2(&z);
		step3(&z);
		step4(&z);
		step5(&z);
	}
	return (size_t)(z.k + 1);
}
