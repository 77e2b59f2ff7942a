/* conf: flags, environment twins, defaults and errors. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "conf.h"

static const char *endpoint, *format;
static long workers;
static int verbose;

static const struct conf_opt opts[] = {
    {"endpoint", "ND_TEST_ENDPOINT", CONF_STR, "tcp://*:1", "where", &endpoint, 0, 0, NULL},
    {"workers", "ND_TEST_WORKERS", CONF_INT, "2", "how many", &workers, 1, 8, NULL},
    {"format", "ND_TEST_FORMAT", CONF_STR, "json", "form", &format, 0, 0, "json|text"},
    {"verbose", "ND_TEST_VERBOSE", CONF_BOOL, "0", "chatty", &verbose, 0, 0, NULL},
};
static const struct conf_spec spec = {"t", "[options] FILE...", "test", opts, 4, NULL};

static int parse(int argc, const char **argv, int *first, struct buf *err)
{
	static char *copy[16];
	for (int i = 0; i < argc; i++)
		copy[i] = (char *)argv[i];
	buf_reset(err);
	return conf_parse(&spec, argc, copy, first, err);
}

static void defaults_apply(void)
{
	const char *argv[] = {"t"};
	struct buf err = BUF_INIT;
	int first;
	unsetenv("ND_TEST_WORKERS");
	CHECK_INT(parse(1, argv, &first, &err), CONF_OK);
	CHECK_STR(endpoint, "tcp://*:1");
	CHECK_INT(workers, 2);
	CHECK_INT(verbose, 0);
	CHECK_INT(first, 1);
	buf_free(&err);
}

static void environment_then_flags_win(void)
{
	const char *argv[] = {"t", "--workers=5"};
	struct buf err = BUF_INIT;
	int first;
	setenv("ND_TEST_WORKERS", "3", 1);
	setenv("ND_TEST_FORMAT", "text", 1);
	CHECK_INT(parse(2, argv, &first, &err), CONF_OK);
	CHECK_INT(workers, 5);
	CHECK_STR(format, "text");
	unsetenv("ND_TEST_WORKERS");
	unsetenv("ND_TEST_FORMAT");
	buf_free(&err);
}

static void positionals_may_be_mixed_with_flags(void)
{
	const char *argv[] = {"t", "a.txt", "--workers", "4", "-", "--verbose", "b.txt"};
	struct buf err = BUF_INIT;
	int first;
	CHECK_INT(parse(7, argv, &first, &err), CONF_OK);
	CHECK_INT(workers, 4);
	CHECK_INT(verbose, 1);
	CHECK_INT(first, 4);
	buf_free(&err);
}

static void bad_values_name_the_setting(void)
{
	struct buf err = BUF_INIT;
	int first;
	const char *a1[] = {"t", "--workers", "nine"};
	CHECK_INT(parse(3, a1, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "--workers") && strstr(err.p, "not a whole number"));
	const char *a2[] = {"t", "--workers=9"};
	CHECK_INT(parse(2, a2, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "out of range"));
	const char *a3[] = {"t", "--format=xml"};
	CHECK_INT(parse(2, a3, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "json|text"));
	setenv("ND_TEST_WORKERS", "zero", 1);
	const char *a4[] = {"t"};
	CHECK_INT(parse(1, a4, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "ND_TEST_WORKERS"));
	unsetenv("ND_TEST_WORKERS");
	buf_free(&err);
}

static void unknown_flags_are_named(void)
{
	struct buf err = BUF_INIT;
	int first;
	const char *a1[] = {"t", "--wokers=3"};
	CHECK_INT(parse(2, a1, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "unknown option --wokers"));
	const char *a2[] = {"t", "-x"};
	CHECK_INT(parse(2, a2, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "unknown option -x"));
	const char *a3[] = {"t", "--endpoint"};
	CHECK_INT(parse(2, a3, &first, &err), -EINVAL);
	CHECK(strstr(err.p, "needs a value"));
	buf_free(&err);
}

static const struct check_case cases[] = {
    CASE(defaults_apply, "defaults apply when nothing is set"),
    CASE(environment_then_flags_win, "the environment overrides defaults and flags override both"),
    CASE(positionals_may_be_mixed_with_flags, "positionals may be mixed with flags"),
    CASE(bad_values_name_the_setting, "bad values are refused naming the setting"),
    CASE(unknown_flags_are_named, "unknown flags and missing values are refused"),
};
CHECK_MAIN(cases)
