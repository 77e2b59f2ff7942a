/* terms: see terms.h. */
#include "terms.h"

#include <errno.h>
#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

// clang-format off
static const char *const stop_words[] = {
	"a", "about", "above", "according", "across", "after", "afterwards", "again",
	"against", "ago", "all", "almost", "along", "already", "also", "although", "always",
	"am", "among", "amid", "an", "and", "another", "any", "are", "aren't", "around", "as",
	"at", "back", "be", "became", "because", "become", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did",
	"didn't", "do", "does", "doesn't", "doing", "don't", "down", "during", "each",
	"either", "else", "even", "ever", "every", "few", "for", "from", "further", "get",
	"gets", "got", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he",
	"he'd", "he'll", "her", "here", "hers", "herself", "him", "himself", "his", "how",
	"however", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "including", "into", "is",
	"isn't", "it", "its", "itself", "just", "last", "least", "less", "like", "made",
	"make", "many", "may", "me", "might", "more", "most", "mostly", "mr", "mrs", "ms",
	"much", "must", "my", "myself", "near", "neither", "never", "next", "no", "nor",
	"not", "now", "of", "off", "often", "on", "once", "one", "only", "onto", "or", "other",
	"others", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps", "put",
	"rather", "really", "said", "same", "say", "saying", "says", "see", "seen", "several",
	"she", "she'd", "she'll", "should", "shouldn't", "since", "so", "some", "still",
	"such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
	"there", "these", "they", "they'd", "they'll", "they're", "they've", "this", "those",
	"though", "through", "thus", "to", "told", "too", "toward", "towards", "two", "under",
	"until", "up", "upon", "us", "very", "via", "was", "wasn't", "we", "we'd", "we'll",
	"we're", "we've", "well", "were", "weren't", "what", "when", "where", "whether",
	"which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without",
	"won't", "would", "wouldn't", "yes", "yet", "you", "you'd", "you'll", "you're",
	"you've", "your", "yours", "yourself", "yourselves",
};

#define NSTOP (sizeof stop_words / sizeof stop_words[0])

/* The stop words in an open-addressing set keyed by their hash; built once. */
#define STOP_SLOTS 1024
static struct {
	uint64_t h;
	const char *w;
	size_t len;
} stop_set[STOP_SLOTS];
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static void build_stop_once(void)
{
	for (size_t i = 0; i < NSTOP; i++) {
		size_t len = strlen(stop_words[i]);
		uint64_t h = terms_hash(stop_words[i], len);
		size_t j = (size_t)h & (STOP_SLOTS - 1);
		while (stop_set[j].w)
			j = (j + 1) & (STOP_SLOTS - 1);
		stop_set[j].h = h;
		stop_set[j].w = stop_words[i];
		stop_set[j].len = len;
	}
}

static void sort_stop(void)
{
	pthread_once(&stop_once, build_stop_once);
}

bool terms_is_stop(const char *s, size_t n)
{
	sort_stop();
	uint64_t h = terms_hash(s, n);
	for (size_t j = (size_t)h & (STOP_SLOTS - 1); stop_set[j].w; j = (j + 1) & (STOP_SLOTS - 1))
		if (stop_set[j].h == h && stop_set[j].len == n && !memcmp(stop_set[j].w, s, n))
			return true;
	return false;
}

uint64_t terms_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

int terms_init(struct terms *t)
{
	memset(t, 0, sizeof *t);
	sort_stop();
	t->stemmer = sb_stemmer_new("english", NULL);
	return t->stemmer ? 0 : -ENOMEM;
}

void terms_free(struct terms *t)
{
	if (t->stemmer)
		sb_stemmer_delete(t->stemmer);
	free(t->low);
	free(t->toks);
	memset(t, 0, sizeof *t);
}

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static int32_t next_cp(const char *s, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	if (c < 0x80) {
		(*i)++;
		return c;
	}
	utf8proc_int32_t cp;
	utf8proc_ssize_t r =
	    utf8proc_iterate((const utf8proc_uint8_t *)s + *i, (utf8proc_ssize_t)(n - *i), &cp);
	if (r < 1) {
		(*i)++;
		return -1;
	}
	*i += (size_t)r;
	return cp;
}

static bool is_letter_cp(int32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return true;
	default:
		return false;
	}
}

static bool is_word_cp(int32_t c)
{
	if (c < 0)
		return false;
	if (c < 0x80)
		return is_letter_cp(c) || (c >= '0' && c <= '9');
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

static bool is_space_cp(int32_t c)
{
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
		return true;
	if (c < 0x80)
		return false;
	int cat = utf8proc_category(c);
	return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP;
}

static int low_append_cp(struct terms *t, int32_t c)
{
	if (grow(&t->low, &t->lowcap, t->lowlen + 4, 1))
		return -ENOMEM;
	if (c < 0x80) {
		t->low[t->lowlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		return 0;
	}
	t->lowlen += (size_t)utf8proc_encode_char(utf8proc_tolower(c),
	                                          (utf8proc_uint8_t *)t->low + t->lowlen);
	return 0;
}

/* The term of a content word: the hash of its stem. */
static uint64_t stem_term(struct terms *t, const char *w, size_t n)
{
	const sb_symbol *st = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)n);
	if (!st)
		return terms_hash(w, n);
	return terms_hash((const char *)st, (size_t)sb_stemmer_length(t->stemmer));
}

int terms_tokenize(struct terms *t, const char *s, size_t n)
{
	t->ntoks = 0;
	t->lowlen = 0;
	bool brk = false;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		int32_t c = next_cp(s, n, &j);
		if (!is_word_cp(c)) {
			if (!is_space_cp(c))
				brk = true;
			i = j;
			continue;
		}
		size_t start = t->lowlen, ncp = 0;
		bool letter = false;
		for (;;) {
			if (low_append_cp(t, c))
				return -ENOMEM;
			ncp++;
			letter = letter || is_letter_cp(c);
			i = j;
			if (i >= n)
				break;
			c = next_cp(s, n, &j);
			if (is_word_cp(c))
				continue;
			bool apos = c == '\'' || c == 0x2019;
			bool hyph = c == '-' || c == 0x2010 || c == 0x2011;
			if ((apos || hyph) && j < n) {
				size_t k = j;
				int32_t d = next_cp(s, n, &k);
				if (is_word_cp(d)) {
					if (low_append_cp(t, apos ? '\'' : '-'))
						return -ENOMEM;
					ncp++;
					i = j;
					c = d;
					j = k;
					continue;
				}
			}
			break;
		}
		size_t len = t->lowlen - start;
		const char *w = t->low + start;
		if (len > 2 && w[len - 2] == '\'' && w[len - 1] == 's') {
			len -= 2;
			ncp -= 2;
			t->lowlen -= 2;
		}
		if (grow(&t->toks, &t->captoks, t->ntoks + 1, sizeof *t->toks))
			return -ENOMEM;
		struct terms_tok *tk = &t->toks[t->ntoks++];
		tk->off = start;
		tk->len = len;
		if (!letter)
			tk->kind = TERMS_NUMBER;
		else if (ncp < 2 || terms_is_stop(w, len))
			tk->kind = TERMS_STOP;
		else
			tk->kind = TERMS_CONTENT;
		tk->term = tk->kind == TERMS_CONTENT && t->stemmer && !t->no_stem
		               ? stem_term(t, w, len)
		               : terms_hash(w, len);
		tk->brk = brk;
		brk = false;
	}
	return 0;
}
