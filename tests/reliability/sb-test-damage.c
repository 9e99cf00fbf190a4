/* sb-test-damage.c: damaged, foreign and hostile files for the reliability
 * suite. */
#include "sb-test-damage.h"

#include <smileback/smileback.h>

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

/* 2015-01-01: old enough that no window of the ledger reads it at start. */
#define PAST 1420070400

static void
add_buddy_events (SbLedger *ledger, const char *name, guint n, gint64 start)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@example.org", name);
  g_autoptr (GArray) events = g_array_sized_new (FALSE, FALSE, sizeof (SbEvent), n);
  for (guint i = 0; i < n; i++)
    {
      SbEvent e = { .time = start + i * 3700, .direction = i % 3 == 0 ? SB_DIRECTION_OUT
                                                                         : SB_DIRECTION_IN,
                    .kind = SB_EVENT_MESSAGE, .source = SB_SOURCE_IMPORT,
                    .digest = g_str_hash (name) * 100003u + i + 1 };
      g_array_append_val (events, e);
    }
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_add_events (ledger, key, (SbEvent *) events->data, events->len,
                                       start + n * 3700, NULL, &error));
  g_assert_no_error (error);
}

void
sb_test_damage_fill (const char *db, guint n_buddies, guint per_buddy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (db, NULL, PAST + 400 * SB_DAY, &error);
  g_assert_no_error (error);
  for (guint b = 0; b < n_buddies; b++)
    {
      g_autofree char *name = g_strdup_printf ("buddy%u@example.org", b);
      add_buddy_events (ledger, name, per_buddy, PAST);
    }
  g_assert_true (sb_ledger_flush (ledger, &error));
}

char *
sb_test_damage_digest (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  /* Never read a FIFO: that would wait for a writer. */
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || !g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

GStrv
sb_test_damage_find (const char *dir, const char *prefix)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (const char *name; listing != NULL && (name = g_dir_read_name (listing)) != NULL;)
    if (g_str_has_prefix (name, prefix))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

char *
sb_test_damage_listing (const char *dir)
{
  g_auto (GStrv) names = sb_test_damage_find (dir, "");
  return g_strjoinv ("\n", names);
}

/* The pages of the events table's leaves, read through SQLite's dbstat on a
 * connection that changes nothing. */
static GArray *
events_leaves (const char *db)
{
  g_autofree char *uri = g_strconcat ("file:", db, "?immutable=1", NULL);
  sqlite3 *handle = NULL;
  g_assert_cmpint (sqlite3_open_v2 (uri, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
                   ==, SQLITE_OK);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (handle, "SELECT pageno FROM dbstat WHERE name = 'events'"
                                               " AND pagetype = 'leaf' ORDER BY pageno",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 page = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (pages, page);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return pages;
}

void
sb_test_damage_events_page (const char *db, gsize n, guint32 seed)
{
  g_autoptr (GArray) pages = events_leaves (db);
  g_assert_cmpuint (pages->len, >, 2);
  gint64 page = g_array_index (pages, gint64, pages->len / 2);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *bytes = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  int fd = g_open (db, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  /* Page numbers count from 1; Smile Back's files use SQLite's 4096-byte pages. */
  g_assert_cmpint (pwrite (fd, bytes, n, (off_t) (page - 1) * 4096), ==, (ssize_t) n);
  close (fd);
}

void
sb_test_damage_truncate (const char *db, double fraction)
{
  GStatBuf st;
  g_assert_cmpint (g_stat (db, &st), ==, 0);
  g_assert_cmpint (truncate (db, (off_t) (st.st_size * fraction)), ==, 0);
}

void
sb_test_damage_set_version (const char *db, int version)
{
  sqlite3 *handle = NULL;
  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", version);
  g_assert_cmpint (sqlite3_exec (handle, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (to, 0600), ==, 0);
}

void
sb_test_damage_crash_copy (const char *from, const char *db, gboolean with_database)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (from, NULL, PAST + 400 * SB_DAY, &error);
  g_assert_no_error (error);
  add_buddy_events (ledger, "late@example.org", SB_TEST_DAMAGE_WAL_EVENTS, PAST + 300 * SB_DAY);
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_autofree char *from_wal = g_strconcat (from, "-wal", NULL);
  g_autofree char *db_wal = g_strconcat (db, "-wal", NULL);
  if (with_database)
    copy_file (from, db);
  copy_file (from_wal, db_wal);
}

static gint64
query (const char *db, const char *sql)
{
  /* Read-write, though it only reads: the last connection to close deletes
   * the -wal and -shm a reader of a WAL file makes, a read-only one cannot.
   * A -wal that was there stays as it is, not copied into the file. */
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  gboolean had_wal = g_file_test (wal, G_FILE_TEST_EXISTS);
  sqlite3 *handle = NULL;
  g_assert_cmpint (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  if (had_wal)
    sqlite3_db_config (handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  gint64 value = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return value;
}

int
sb_test_damage_clean_mark (const char *db)
{
  return (int) query (db, "SELECT value FROM meta WHERE key = 'clean'");
}

gint64
sb_test_damage_count_events (const char *db)
{
  return query (db, "SELECT count(*) FROM events");
}
