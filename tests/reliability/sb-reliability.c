/* sb-reliability.c: children, the lateness probe and the database checks of
 * the reliability suite (see the header). */
#include "sb-reliability.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <smileback/smileback.h>

#include "sb-test-purple.h"

/* "--hold-lock DB MS": takes the write lock, says "locked", holds it, rolls
 * back. */
static int
hold_lock (const char *db_path, guint ms)
{
  sqlite3 *db = NULL;
  if (sqlite3_open (db_path, &db) != SQLITE_OK)
    return 2;
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
    return 3;
  /* a write, so the lock is a writer's for certain */
  sqlite3_exec (db, "CREATE TABLE IF NOT EXISTS lock_holder (x)", NULL, NULL, NULL);
  printf ("locked\n");
  fflush (stdout);
  g_usleep ((gulong) ms * 1000);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return 0;
}

gboolean
sb_rel_child_main (int argc, char **argv, int *status)
{
  if (argc == 4 && strcmp (argv[1], "--hold-lock") == 0)
    {
      *status = hold_lock (argv[2], (guint) atoi (argv[3]));
      return TRUE;
    }
  return FALSE;
}

int
sb_rel_main (int argc, char **argv, PurpleAccount **me, void (*add_tests) (void))
{
  int status = 0;

  if (sb_rel_child_main (argc, argv, &status))
    return status;
  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  *me = sb_test_prpl_account_new ("me");
  add_tests ();
  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}

GPid
sb_rel_spawn (const char *const *args, int *out_fd)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  g_ptr_array_add (argv, g_file_read_link ("/proc/self/exe", NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  fflush (stdout);
  g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                            NULL, &pid, NULL, out_fd, NULL, &error);
  g_assert_no_error (error);
  return pid;
}

int
sb_rel_wait (GPid pid)
{
  int status = 0;
  while (waitpid (pid, &status, 0) < 0)
    ;
  g_spawn_close_pid (pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
}

int
sb_rel_wait_running (GPid pid)
{
  int status = 0;
  while (waitpid (pid, &status, WNOHANG) == 0)
    sb_test_purple_run_for (10);
  g_spawn_close_pid (pid);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
}

char *
sb_rel_read_line (int fd)
{
  GString *line = g_string_new (NULL);
  char c;
  while (read (fd, &c, 1) == 1)
    {
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }
  if (line->len > 0)
    return g_string_free (line, FALSE);
  g_string_free (line, TRUE);
  return NULL;
}

GPid
sb_rel_hold_lock (const char *db, guint ms)
{
  g_autofree char *ms_text = g_strdup_printf ("%u", ms);
  const char *args[] = { "--hold-lock", db, ms_text, NULL };
  int out = -1;
  GPid pid = sb_rel_spawn (args, &out);
  g_autofree char *line = sb_rel_read_line (out);
  close (out);
  g_assert_cmpstr (line, ==, "locked");
  return pid;
}

/* Involuntary context switches of the calling thread so far. */
static long
preemptions (void)
{
  struct rusage usage;
  return getrusage (RUSAGE_THREAD, &usage) == 0 ? usage.ru_nivcsw : 0;
}

static gboolean
probe_tick (gpointer data)
{
  SbRelProbe *probe = data;
  gint64 now = g_get_monotonic_time ();
  long nivcsw = preemptions ();
  gint64 late = now - probe->last - 10 * 1000;
  if (probe->last != 0 && nivcsw == probe->last_nivcsw)
    probe->max_late_us = MAX (probe->max_late_us, late);
  else if (probe->last != 0)
    probe->max_preempted_us = MAX (probe->max_preempted_us, late);
  probe->last = now;
  probe->last_nivcsw = nivcsw;
  probe->ticks++;
  return G_SOURCE_CONTINUE;
}

void
sb_rel_probe_start (SbRelProbe *probe)
{
  *probe = (SbRelProbe){ 0 };
  probe->id = g_timeout_add (10, probe_tick, probe);
}

void
sb_rel_probe_stop (SbRelProbe *probe)
{
  g_clear_handle_id (&probe->id, g_source_remove);
}

/* A connection to @db that only reads (read-write, since a read-only one
 * cannot open a WAL database whose -shm is gone). */
static sqlite3 *
open_read_only (const char *db_path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 2000);
  return db;
}

GHashTable *
sb_rel_stored_digests (const char *db_path)
{
  GHashTable *set = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  sqlite3 *db = open_read_only (db_path);
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db, "SELECT digest FROM events", -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        gint64 digest = sqlite3_column_int64 (stmt, 0);
        g_hash_table_add (set, g_memdup2 (&digest, sizeof digest));
      }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return set;
}

guint64
sb_rel_digest (const char *db_path, const char *text)
{
  guint8 secret[32];
  g_autoptr (GError) error = NULL;
  g_assert_true (sb_ledger_read_secret (db_path, secret, sizeof secret, &error));
  return sb_text_digest (secret, sizeof secret, text);
}

guint
sb_rel_count_stored (const char *db_path, char **texts, guint n)
{
  guint8 secret[32];
  g_autoptr (GError) error = NULL;
  if (!sb_ledger_read_secret (db_path, secret, sizeof secret, &error))
    return 0;
  g_autoptr (GHashTable) stored = sb_rel_stored_digests (db_path);
  guint found = 0;
  for (guint i = 0; i < n; i++)
    {
      gint64 digest = (gint64) sb_text_digest (secret, sizeof secret, texts[i]);
      found += g_hash_table_contains (stored, &digest) ? 1 : 0;
    }
  return found;
}

gboolean
sb_rel_integrity_ok (const char *db_path)
{
  sqlite3 *db = open_read_only (db_path);
  sqlite3_stmt *stmt = NULL;
  gboolean ok = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK
                && sqlite3_step (stmt) == SQLITE_ROW
                && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

char *
sb_rel_db_path (void)
{
  return g_build_filename (purple_user_dir (), "smileback.db", NULL);
}

guint
sb_rel_wait_stored (const char *db, char **texts, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint found = 0;
  while ((found = sb_rel_count_stored (db, texts, n)) < n && g_get_monotonic_time () < deadline)
    sb_test_purple_run_for (100);
  return found;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

gint64
sb_rel_median (gint64 *values, guint n)
{
  qsort (values, n, sizeof *values, compare_gint64);
  return values[n / 2];
}
