/* sb-test-damage.h: damaged, foreign and hostile files for the reliability
 * suite: what a disk error, a crash or a person can leave where Smile Back
 * expects its history, and the means to prove a file was not touched. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A history at @db (created as the plugin creates it, then closed cleanly)
 * with @n_buddies buddies of @per_buddy messages each, years in the past. */
void sb_test_damage_fill (const char *db, guint n_buddies, guint per_buddy);

/* The SHA-256 of @path's bytes (hex), NULL when it is not a regular file.
 * Caller frees. */
char *sb_test_damage_digest (const char *path);

/* The names in @dir, sorted, one a line.  Caller frees. */
char *sb_test_damage_listing (const char *dir);

/* The names in @dir that start with @prefix, sorted.  Caller frees. */
GStrv sb_test_damage_find (const char *dir, const char *prefix);

/* Overwrites the first @n bytes of a leaf page of the events table, in the
 * middle of them, with random bytes from @seed, in place. */
void sb_test_damage_events_page (const char *db, gsize n, guint32 seed);

/* Cuts @db to @fraction of its size, in place. */
void sb_test_damage_truncate (const char *db, double fraction);

/* Sets @db's PRAGMA user_version (a future schema, say). */
void sb_test_damage_set_version (const char *db, int version);

/* Events the crash copy below holds in its -wal only. */
#define SB_TEST_DAMAGE_WAL_EVENTS 40

/* Leaves at @db what a crash leaves: copies of the history @from and of its
 * -wal (when @with_database is FALSE, of the -wal only), taken while an owner
 * holds SB_TEST_DAMAGE_WAL_EVENTS more events, committed, in the -wal. */
void sb_test_damage_crash_copy (const char *from, const char *db, gboolean with_database);

/* The value of the clean-close mark in @db's meta table (-1 when none),
 * read on a connection of its own (which sees the -wal). */
int sb_test_damage_clean_mark (const char *db);

/* Events stored in @db, read on a connection of its own. */
gint64 sb_test_damage_count_events (const char *db);

G_END_DECLS
