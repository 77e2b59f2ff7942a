/* Unit tests for porter: outputs of Porter's reference implementation. */
#include "check.h"

#include <string.h>

#include "porter.h"

static int stem_is(const char *word, const char *want)
{
	char w[64];
	size_t n = strlen(word);
	memcpy(w, word, n);
	n = porter_stem(w, n);
	w[n] = 0;
	if (strcmp(w, want)) {
		check_fail(__FILE__, __LINE__, "stem(%s) = %s, want %s", word, w, want);
		return 0;
	}
	return 1;
}

static int all(const char *const (*pairs)[2], size_t n)
{
	int ok = 1;
	for (size_t i = 0; i < n; i++)
		ok &= stem_is(pairs[i][0], pairs[i][1]);
	return ok;
}

#define ALL(pairs) CHECK(all(pairs, sizeof pairs / sizeof pairs[0]))

static void test_step1(void)
{
	static const char *const pairs[][2] = {
	    {"caresses", "caress"}, {"ponies", "poni"},       {"ties", "ti"},
	    {"caress", "caress"},   {"cats", "cat"},          {"feed", "feed"},
	    {"agreed", "agre"},     {"plastered", "plaster"}, {"bled", "bled"},
	    {"motoring", "motor"},  {"sing", "sing"},         {"conflated", "conflat"},
	    {"troubled", "troubl"}, {"sized", "size"},        {"hopping", "hop"},
	    {"tanned", "tan"},      {"falling", "fall"},      {"hissing", "hiss"},
	    {"fizzed", "fizz"},     {"failing", "fail"},      {"filing", "file"},
	    {"happy", "happi"},     {"sky", "sky"},
	};
	ALL(pairs);
}

static void test_step2_3(void)
{
	static const char *const pairs[][2] = {
	    {"relational", "relat"},   {"conditional", "condit"},     {"rational", "ration"},
	    {"valenci", "valenc"},     {"digitizer", "digit"},        {"conformabli", "conform"},
	    {"radicalli", "radic"},    {"differentli", "differ"},     {"vileli", "vile"},
	    {"analogousli", "analog"}, {"vietnamization", "vietnam"}, {"predication", "predic"},
	    {"operator", "oper"},      {"feudalism", "feudal"},       {"decisiveness", "decis"},
	    {"hopefulness", "hope"},   {"callousness", "callous"},    {"formaliti", "formal"},
	    {"sensitiviti", "sensit"}, {"sensibiliti", "sensibl"},    {"triplicate", "triplic"},
	    {"formative", "form"},     {"formalize", "formal"},       {"electriciti", "electr"},
	    {"electrical", "electr"},  {"hopeful", "hope"},           {"goodness", "good"},
	};
	ALL(pairs);
}

static void test_step4_5(void)
{
	static const char *const pairs[][2] = {
	    {"revival", "reviv"},
	    {"allowance", "allow"},
	    {"inference", "infer"},
	    {"airliner", "airlin"},
	    {"gyroscopic", "gyroscop"},
	    {"adjustable", "adjust"},
	    {"defensible", "defens"},
	    {"irritant", "irrit"},
	    {"replacement", "replac"},
	    {"adjustment", "adjust"},
	    {"dependent", "depend"},
	    {"adoption", "adopt"},
	    {"homologou", "homolog"},
	    {"communism", "commun"},
	    {"activate", "activ"},
	    {"angulariti", "angular"},
	    {"homologous", "homolog"},
	    {"effective", "effect"},
	    {"bowdlerize", "bowdler"},
	    {"probate", "probat"},
	    {"rate", "rate"},
	    {"cease", "ceas"},
	    {"controll", "control"},
	    {"roll", "roll"},
	    {"generalizations", "gener"},
	    {"oscillators", "oscil"},
	};
	ALL(pairs);
}

static void test_running_runs(void)
{
	static const char *const pairs[][2] = {
	    {"running", "run"},
	    {"runs", "run"},
	    {"run", "run"},
	    {"ran", "ran"},
	};
	ALL(pairs);
}

static void test_short_and_foreign(void)
{
	static const char *const pairs[][2] = {
	    {"is", "is"},
	    {"as", "as"},
	    {"abc1s", "abc1s"},
	    {"Cats", "Cats"},
	};
	ALL(pairs);
}

static const struct check_case cases[] = {
    CASE(test_step1, "plurals and -ed -ing follow the reference"),
    CASE(test_step2_3, "double suffixes follow the reference"),
    CASE(test_step4_5, "-ant -ence and final -e follow the reference"),
    CASE(test_running_runs, "running and runs stem to run"),
    CASE(test_short_and_foreign, "short words and non-letters are left alone"),
};
CHECK_MAIN(cases)
