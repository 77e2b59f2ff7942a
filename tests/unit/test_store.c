/* store: a real SQLite file, idempotent inserts, reopening. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store.h"

static char path[64];

static void temp_store(void)
{
	snprintf(path, sizeof path, "/tmp/nd-store-test-%d.db", (int)getpid());
	unlink(path);
}

static void cleanup(void)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static void a_digest_is_stored_once(void)
{
	temp_store();
	struct buf err = BUF_INIT;
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	int ins = -1, ok = -1;
	CHECK_INT(store_put(s, "a1", 1, 10, "{}", 2, "\x08\x01", 2, &ins, &err), 0);
	CHECK_INT(ins, 1);
	CHECK_INT(store_put(s, "a1", 1, 11, "{\"x\":1}", 7, "", 0, &ins, &err), 0);
	CHECK_INT(ins, 0);
	CHECK_INT(store_has(s, "a1", &ok), 1);
	CHECK_INT(ok, 1);
	CHECK_INT(store_has(s, "zz", &ok), 0);
	CHECK_INT(store_put(s, "a2", 0, 12, "{}", 2, "", 0, &ins, &err), 0);
	CHECK_INT(store_has(s, "a2", &ok), 1);
	CHECK_INT(ok, 0);
	CHECK_INT(store_count(s), 2);
	store_close(s);

	/* Survives reopening. */
	s = store_open(path, &err);
	CHECK(s != NULL);
	CHECK_INT(store_count(s), 2);
	store_close(s);
	cleanup();
	buf_free(&err);
}

static void a_batch_is_stored_together_or_not_at_all(void)
{
	temp_store();
	struct buf err = BUF_INIT;
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	int ins = -1, ok = -1;
	CHECK_INT(store_begin(s, &err), 0);
	CHECK_INT(store_put(s, "b1", 1, 10, "{}", 2, "", 0, &ins, &err), 0);
	CHECK_INT(ins, 1);
	CHECK_INT(store_put(s, "b2", 1, 10, "{}", 2, "", 0, &ins, &err), 0);
	/* The batch sees its own rows, and a repeat in it is no insert. */
	CHECK_INT(store_has(s, "b1", &ok), 1);
	CHECK_INT(store_put(s, "b1", 1, 11, "{}", 2, "", 0, &ins, &err), 0);
	CHECK_INT(ins, 0);
	store_rollback(s);
	CHECK_INT(store_count(s), 0);
	CHECK_INT(store_has(s, "b1", &ok), 0);

	CHECK_INT(store_begin(s, &err), 0);
	CHECK_INT(store_put(s, "b1", 1, 10, "{}", 2, "", 0, &ins, &err), 0);
	CHECK_INT(store_put(s, "b2", 0, 10, "{}", 2, "", 0, &ins, &err), 0);
	CHECK_INT(store_commit(s, &err), 0);
	/* A rollback with no transaction open does nothing. */
	store_rollback(s);
	store_close(s);
	s = store_open(path, &err);
	CHECK(s != NULL);
	CHECK_INT(store_count(s), 2);
	CHECK_INT(store_has(s, "b2", &ok), 1);
	CHECK_INT(ok, 0);
	/* Committing with nothing begun is an error that names the cause. */
	CHECK(store_commit(s, &err) == -EIO);
	CHECK(strstr(err.p, "cannot commit a store transaction") != NULL);
	store_close(s);
	cleanup();
	buf_free(&err);
}

static int page_size_of(const char *file)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int size = -1;
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		size = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return size;
}

static void a_new_store_has_4_kib_pages_and_an_old_one_keeps_its_own(void)
{
	temp_store();
	struct buf err = BUF_INIT;
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	int ins = -1;
	CHECK_INT(store_put(s, "a1", 1, 10, "{}", 2, "", 0, &ins, &err), 0);
	store_close(s);
	CHECK_INT(page_size_of(path), 4096);
	cleanup();

	/* A store made with other pages (16 KiB, as earlier versions made
	 * them) opens and keeps them. */
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA page_size=16384; CREATE TABLE t (x)", NULL, NULL, NULL),
	          SQLITE_OK);
	sqlite3_close(db);
	s = store_open(path, &err);
	CHECK(s != NULL);
	CHECK_INT(store_put(s, "a2", 1, 10, "{}", 2, "", 0, &ins, &err), 0);
	CHECK_INT(store_count(s), 1);
	store_close(s);
	CHECK_INT(page_size_of(path), 16384);
	cleanup();
	buf_free(&err);
}

static long wal_size(void)
{
	char p[80];
	snprintf(p, sizeof p, "%s-wal", path);
	return check_file_size(p);
}

/* Batches of 32 rows of 16 KB (about 600 KB with their pages), b of them. */
static void put_batches(struct store *s, int first, int n, int pause_ms, long *most)
{
	static char json[16000];
	memset(json, 'x', sizeof json);
	struct buf err = BUF_INIT;
	int ins = 0;
	for (int b = first; b < first + n; b++) {
		CHECK_INT(store_begin(s, &err), 0);
		for (int i = 0; i < 32; i++) {
			char id[32];
			snprintf(id, sizeof id, "a%d-%d", b, i);
			CHECK_INT(store_put(s, id, 1, 10, json, sizeof json, "", 0, &ins, &err), 0);
		}
		CHECK_INT(store_commit(s, &err), 0);
		long w = wal_size();
		if (w > *most)
			*most = w;
		if (pause_ms)
			usleep((useconds_t)pause_ms * 1000);
	}
	buf_free(&err);
}

/* 20 MiB of digests in batches with pauses between them, as the sink
 * commits: the store's thread copies the log into the database every
 * STORE_CHECKPOINT_BYTES (not at SQLite's default of 1000 pages, 16 MiB
 * with these pages), so the log never grows much past that mark, and no
 * commit copies it itself. */
static void the_log_is_checkpointed_every_two_mib_beside_the_writer(void)
{
	temp_store();
	struct buf err = BUF_INIT;
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	long most = 0;
	put_batches(s, 0, 40, 20, &most);
	CHECK_INT(store_count(s), 40 * 32);
	unsigned long bg = 0, in = 0;
	store_checkpoints(s, &bg, &in);
	CHECK(bg >= 3); /* 20 MiB of log, one every 2 MiB, whatever the timing */
	CHECK_INT((long)in, 0);
	CHECK(most > 0);
	/* The mark, what came while the thread copied, and one batch. */
	CHECK(most < STORE_CHECKPOINT_BYTES + (2L << 20));
	store_close(s);
	cleanup();
	buf_free(&err);
}

/* The same without pauses: the thread's checkpoints trail the newest
 * commit and the log could never start over; the writer's commit copies
 * the rest once it reaches STORE_WAL_MAX_BYTES. */
static void a_writer_without_pauses_bounds_the_log_itself(void)
{
	temp_store();
	struct buf err = BUF_INIT;
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	long most = 0;
	put_batches(s, 0, 60, 0, &most);
	CHECK_INT(store_count(s), 60 * 32);
	CHECK(most > 0);
	CHECK(most < STORE_WAL_MAX_BYTES + (1L << 20));
	store_close(s);
	/* Closing copied everything and removed the log. */
	CHECK_INT(wal_size(), -1);
	s = store_open(path, &err);
	CHECK(s != NULL);
	CHECK_INT(store_count(s), 60 * 32);
	store_close(s);
	cleanup();
	buf_free(&err);
}

/* Another process reading the store (the sqlite3 shell, a consumer)
 * holds old pages of the log in use while its read lasts: no checkpoint may
 * overwrite them, and none may wait for it, or every commit would stall
 * for the busy timeout (5 s). */
static void a_long_reader_elsewhere_stalls_no_commit(void)
{
	temp_store();
	struct buf err = BUF_INIT;
	struct store *s = store_open(path, &err);
	CHECK(s != NULL);
	long most = 0;
	put_batches(s, 0, 2, 0, &most);
	sqlite3 *reader = NULL;
	CHECK_INT(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	CHECK_INT(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_prepare_v2(reader, "SELECT count(*) FROM digests", -1, &st, NULL),
	          SQLITE_OK);
	CHECK_INT(sqlite3_step(st), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(st, 0), 2 * 32);
	sqlite3_finalize(st);
	/* Past STORE_WAL_MAX_BYTES, with the read still open. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	put_batches(s, 2, 20, 0, &most);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(most > STORE_WAL_MAX_BYTES); /* the log could not start over */
	CHECK(secs < 4.0);                 /* 20 commits, none waited 5 s */
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(reader);
	CHECK_INT(store_count(s), 22 * 32);
	store_close(s);
	cleanup();
	buf_free(&err);
}

static void an_unwritable_path_is_a_clear_error(void)
{
	struct buf err = BUF_INIT;
	struct store *s = store_open("/nonexistent-dir/x.db", &err);
	CHECK(s == NULL);
	CHECK(strstr(err.p, "cannot open store /nonexistent-dir/x.db") != NULL);
	buf_free(&err);
	store_close(NULL);
}

static const struct check_case cases[] = {
    CASE(a_digest_is_stored_once, "a digest is stored once and survives reopening"),
    CASE(a_batch_is_stored_together_or_not_at_all, "a batch is stored together or not at all"),
    CASE(a_new_store_has_4_kib_pages_and_an_old_one_keeps_its_own,
         "a new store has 4 KiB pages and an old one keeps its own"),
    CASE(the_log_is_checkpointed_every_two_mib_beside_the_writer,
         "the write-ahead log is copied into the store every 2 MiB, beside the writer"),
    CASE(a_writer_without_pauses_bounds_the_log_itself,
         "a writer without pauses bounds the write-ahead log itself"),
    CASE(a_long_reader_elsewhere_stalls_no_commit,
         "a long read elsewhere stalls no commit and loses nothing"),
    CASE(an_unwritable_path_is_a_clear_error, "an unwritable path is a clear error"),
};
CHECK_MAIN(cases)
