/* Tests of idf.h: the background table's file and weights. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "idf.h"

static const char *tmp(const char *what)
{
	static char p[2][64];
	static int k;
	k ^= 1;
	snprintf(p[k], sizeof p[k], "/tmp/nd-idf-%s-%d", what, (int)getpid());
	return p[k];
}

static void test_round_trip(void)
{
	uint64_t terms[] = {42, 7, 1000, 0};
	uint32_t df[] = {90, 1, 50, 3};
	const char *path = tmp("rt");
	CHECK_INT(idf_save(path, "test-1", 100, terms, df, 4), 0);
	struct idf *t;
	CHECK_INT(idf_load(path, &t), 0);
	CHECK_INT(idf_docs(t), 100);
	CHECK_INT(idf_size(t), 4);
	CHECK_STR(idf_name(t), "test-1");
	/* Rare terms weigh more than common ones; unknown ones the most. */
	double common = idf_weight(t, 42), mid = idf_weight(t, 1000), rare = idf_weight(t, 7);
	double unknown = idf_weight(t, 999999);
	CHECK(common < mid && mid < rare && rare < unknown);
	CHECK(common > 1.0 && common < 1.2);   /* log(101/91) + 1 */
	CHECK(unknown > 5.6 && unknown < 5.7); /* log(101) + 1 */
	idf_free(t);
	remove(path);
}

static void test_errors(void)
{
	uint64_t terms[] = {1, 2, 3};
	uint32_t df[] = {1, 2, 3};
	const char *good = tmp("good"), *bad = tmp("bad");
	CHECK_INT(idf_save(good, "x", 10, terms, df, 3), 0);
	struct idf *t = NULL;
	CHECK_INT(idf_load("/nonexistent/idf.model", &t), IDF_ENOENT);
	FILE *in = fopen(good, "rb"), *out = fopen(bad, "wb");
	CHECK(in && out);
	char b[256];
	size_t n = fread(b, 1, sizeof b, in);
	fclose(in);
	fwrite(b, 1, n - 5, out); /* truncated */
	fclose(out);
	CHECK_INT(idf_load(bad, &t), IDF_EFORMAT);
	b[8] = 9; /* format version */
	out = fopen(bad, "wb");
	fwrite(b, 1, n, out);
	fclose(out);
	CHECK_INT(idf_load(bad, &t), IDF_EVERSION);
	b[8] = 1;
	b[n - 10] ^= 0x40; /* an entry */
	out = fopen(bad, "wb");
	fwrite(b, 1, n, out);
	fclose(out);
	CHECK_INT(idf_load(bad, &t), IDF_EFORMAT);
	CHECK(t == NULL);
	CHECK(strstr(idf_strerror(IDF_EVERSION), "version"));
	remove(good);
	remove(bad);
}

static void test_committed_table(void)
{
	struct idf *t;
	int rc = idf_load(check_source_path("models/idf.model"), &t);
	if (rc)
		check_fail(__FILE__, __LINE__, "models/idf.model: %s", idf_strerror(rc));
	CHECK_INT(rc, 0);
	CHECK(idf_docs(t) >= 100);
	CHECK(idf_size(t) > 1000);
	idf_free(t);
}

static const struct check_case cases[] = {
    CASE(test_round_trip, "a table reads back with rare terms weighing most"),
    CASE(test_errors, "missing truncated corrupt and wrong version tables are refused"),
    CASE(test_committed_table, "the committed table loads"),
};

CHECK_MAIN(cases)
