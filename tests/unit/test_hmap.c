/* hmap: insert, replace, delete, growth with tombstones. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "hmap.h"

static void put_get_delete(void)
{
	struct hmap m = {0};
	int a = 1, b = 2;
	CHECK(hmap_get(&m, "x") == NULL);
	CHECK_INT(hmap_put(&m, "x", &a), 0);
	CHECK(hmap_get(&m, "x") == &a);
	CHECK_INT(hmap_put(&m, "x", &b), 0);
	CHECK(hmap_get(&m, "x") == &b);
	CHECK_INT(m.count, 1);
	CHECK(hmap_del(&m, "x") == &b);
	CHECK(hmap_get(&m, "x") == NULL);
	CHECK(hmap_del(&m, "x") == NULL);
	CHECK_INT(m.count, 0);
	hmap_free(&m);
}

static void many_keys_with_churn(void)
{
	struct hmap m = {0};
	static char keys[20000][12];
	static char present[20000];
	memset(present, 0, sizeof present);
	for (int i = 0; i < 20000; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		CHECK_INT(hmap_put(&m, keys[i], keys[i]), 0);
		present[i] = 1;
		if (i % 3 == 0) {
			void *v = hmap_del(&m, keys[i / 2]);
			CHECK((v != NULL) == present[i / 2]);
			present[i / 2] = 0;
		}
	}
	size_t live = 0;
	for (int i = 0; i < 20000; i++) {
		void *v = hmap_get(&m, keys[i]);
		CHECK(v == (present[i] ? keys[i] : NULL));
		live += present[i];
	}
	CHECK_INT(live, m.count);
	hmap_free(&m);
}

static const struct check_case cases[] = {
    CASE(put_get_delete, "put, get, replace and delete"),
    CASE(many_keys_with_churn, "many keys with deletions stay consistent"),
};
CHECK_MAIN(cases)
