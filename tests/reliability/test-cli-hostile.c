/* test-cli-hostile: the `smileback` command facing what it should not find.
 *
 * The commands that only read (report, buddy, due, export, check) on a text
 * file, a folder, a FIFO, a missing file, a file without permission, a
 * damaged and a newer history: each says what it found and exits 1, never
 * hangs, and leaves the folder as it was (nothing renamed, created or
 * written).  A read-only history in a read-only folder is reported.  import
 * on a log tree with symlink loops, a FIFO and unreadable files, and on a
 * 200 MB log file (generated, and a 200 MB line of nothing): a clear line,
 * no hang.
 *
 * Run as root, the permission cases run the command as nobody (uid 65534),
 * since root reads any file; without root they run as the user.
 */
#include <smileback/smileback.h>
#include "sb-test-damage.h"
#include "sb-test-util.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* nobody, on Debian */
#define NOBODY 65534
/* Generous: for a hung command, not a measurement. */
#define TIMEOUT_S 240

typedef SbTestHistory Fixture;

typedef struct
{
  int status; /* the exit status; -1 when killed or crashed */
  char *out;
  char *err;
  gboolean timed_out;
  gboolean done;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
drop_to_nobody (gpointer data)
{
  if (geteuid () == 0 && (setgroups (0, NULL) != 0 || setgid (NOBODY) != 0 || setuid (NOBODY) != 0))
    _exit (127);
}

static void
communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;
  (void) g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out,
                                               &run->err, NULL);
  run->done = TRUE;
}

static gboolean
time_out (gpointer data)
{
  Run *run = data;
  run->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the built command with @args (NULL-terminated), as nobody when
 * @as_nobody and root; kills it (by its PID, through GSubprocess) after
 * TIMEOUT_S. */
static void
run_cli (Run *run, gboolean as_nobody, const char *const *args)
{
  g_autofree char *exe = g_build_filename (g_getenv ("SMILEBACK_BUILD_ROOT"), "plugin", "cli",
                                           "smileback", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, exe);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (as_nobody)
    g_subprocess_launcher_set_child_setup (launcher, drop_to_nobody, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = g_subprocess_launcher_spawnv (
    launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  *run = (Run){ .status = -1 };
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated, run);
  guint timer = g_timeout_add_seconds (TIMEOUT_S, time_out, run);
  while (!run->done)
    {
      if (run->timed_out)
        g_subprocess_force_exit (process);
      g_main_context_iteration (NULL, TRUE);
    }
  if (!run->timed_out)
    g_source_remove (timer);
  g_assert_true (g_subprocess_wait (process, NULL, NULL));
  if (g_subprocess_get_if_exited (process))
    run->status = g_subprocess_get_exit_status (process);
  g_test_message ("smileback %s -> %d: %s", args[0], run->status,
                  run->err != NULL ? g_strstrip (run->err) : "");
}

/* The commands that only read, each on the database @db. */
static GPtrArray *
reading_commands (const char *db)
{
  GPtrArray *commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *const lines[][6] = {
    { "report", "--db", db, NULL },         { "report", "--json", "--db", db, NULL },
    { "buddy", "--db", db, "bob", NULL },   { "due", "--db", db, NULL },
    { "export", "--db", db, NULL },         { "check", "--db", db, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    g_ptr_array_add (commands, g_strdupv ((char **) lines[i]));
  return commands;
}

/* Every reading command on @db exits 1 saying @what (on stderr, or for
 * check on stdout), in time, and the folder @dir is as it was. */
static void
assert_refused_by_readers (const char *dir, const char *db, const char *what, gboolean as_nobody)
{
  g_autofree char *listing = sb_test_damage_listing (dir);
  g_autofree char *digest = sb_test_damage_digest (db);
  g_autoptr (GPtrArray) commands = reading_commands (db);
  for (guint i = 0; i < commands->len; i++)
    {
      g_auto (Run) run = { 0 };
      run_cli (&run, as_nobody, g_ptr_array_index (commands, i));
      g_assert_false (run.timed_out);
      g_assert_cmpint (run.status, ==, 1);
      g_autofree char *both = g_strconcat (run.out, run.err, NULL);
      if (strstr (both, what) == NULL)
        g_error ("“%s” not said in: %s", what, both);
    }
  g_autofree char *listing_after = sb_test_damage_listing (dir);
  g_autofree char *digest_after = sb_test_damage_digest (db);
  g_assert_cmpstr (listing_after, ==, listing);
  g_assert_cmpstr (digest_after, ==, digest);
}

/* /cli-hostile/not-a-database: a text file given as the database. */
static void
test_not_a_database (Fixture *f, gconstpointer data)
{
  g_assert_true (g_file_set_contents (f->db, "my notes: buy milk\n", -1, NULL));
  assert_refused_by_readers (f->dir, f->db, "not a Smile Back database", FALSE);
}

/* /cli-hostile/folder */
static void
test_folder (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (g_mkdir (f->db, 0700), ==, 0);
  assert_refused_by_readers (f->dir, f->db, "a folder", FALSE);
}

/* /cli-hostile/fifo: opening a FIFO for reading would wait for a writer. */
static void
test_fifo (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (mkfifo (f->db, 0600), ==, 0);
  assert_refused_by_readers (f->dir, f->db, "not a regular file", FALSE);
}

/* /cli-hostile/missing */
static void
test_missing (Fixture *f, gconstpointer data)
{
  assert_refused_by_readers (f->dir, f->db, "no such file", FALSE);
}

/* /cli-hostile/orphan-wal: a -wal without its database is named, and left
 * where it is. */
static void
test_orphan_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *from = g_build_filename (f->dir, "elsewhere", "smileback.db", NULL);
  g_autofree char *elsewhere = g_path_get_dirname (from);
  g_assert_cmpint (g_mkdir (elsewhere, 0700), ==, 0);
  sb_test_damage_fill (from, 3, 10);
  sb_test_damage_crash_copy (from, f->db, FALSE);
  sb_test_remove_tree (elsewhere);
  assert_refused_by_readers (f->dir, f->db, "no such file", FALSE);
  const char *const check[] = { "check", "--db", f->db, NULL };
  g_auto (Run) run = { 0 };
  run_cli (&run, FALSE, check);
  g_assert_nonnull (strstr (run.err, "smileback.db-wal, the log of changes"));
}

/* /cli-hostile/damaged: a history cut in half. */
static void
test_damaged (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 30, 100);
  sb_test_damage_truncate (f->db, 0.4);
  assert_refused_by_readers (f->dir, f->db, "smileback.db", FALSE);
}

/* /cli-hostile/newer */
static void
test_newer (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 3, 10);
  sb_test_damage_set_version (f->db, SB_STORE_SCHEMA_VERSION + 1);
  assert_refused_by_readers (f->dir, f->db, "newer", FALSE);
}

/* TRUE when the permission cases can mean something: as root they run the
 * command as nobody; as another user they need chmod to bind that user. */
static gboolean
permissions_bind (const char *probe)
{
  if (geteuid () == 0)
    return TRUE;
  g_assert_cmpint (g_chmod (probe, 0), ==, 0);
  gboolean bound = access (probe, R_OK) != 0;
  g_assert_cmpint (g_chmod (probe, 0600), ==, 0);
  return bound;
}

/* /cli-hostile/no-permission: a history the user may not read. */
static void
test_no_permission (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 3, 10);
  if (!permissions_bind (f->db))
    {
      g_test_skip ("this user reads files whatever their mode");
      return;
    }
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (f->db, 0600), ==, 0);
  assert_refused_by_readers (f->dir, f->db, "no permission", TRUE);
}

/* /cli-hostile/read-only-history: a history mode 0444 in a folder mode 0555
 * (a backup, another user's copy) is reported; nothing appears beside it. */
static void
test_read_only_history (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 3, 10);
  g_autofree char *listing = sb_test_damage_listing (f->dir);
  g_assert_cmpint (g_chmod (f->db, 0444), ==, 0);
  g_assert_cmpint (g_chmod (f->dir, 0555), ==, 0);
  const char *const report[] = { "report", "--db", f->db, NULL };
  g_auto (Run) run = { 0 };
  run_cli (&run, TRUE, report);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "buddy0@example.org"));
  const char *const check[] = { "check", "--db", f->db, NULL };
  g_auto (Run) checked = { 0 };
  run_cli (&checked, TRUE, check);
  g_assert_cmpint (checked.status, ==, 0);
  g_autofree char *listing_after = sb_test_damage_listing (f->dir);
  g_assert_cmpstr (listing_after, ==, listing);
  g_assert_cmpint (g_chmod (f->dir, 0700), ==, 0);
}

/* A Pidgin HTML log of @n received lines (bob), about @bytes long when
 * @bytes > 0, at @path. */
static void
write_log (const char *path, gsize bytes)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  FILE *out = fopen (path, "w");
  g_assert_nonnull (out);
  fputs (SB_TEST_HTML_HEAD, out);
  gsize written = 0;
  for (guint i = 0; written < bytes || i == 0; i++)
    {
      guint s = i % 86400;
      written += (gsize) fprintf (out, "<font color=\"#A82F2F\"><font size=\"2\">(%02u:%02u:%02u)"
                                       "</font> <b>bob:</b></font> line %u<br/>\n",
                                  s / 3600, s / 60 % 60, s % 60, i);
    }
  g_assert_cmpint (fclose (out), ==, 0);
}

#define LOG_DIR "logs/jabber/me@example.org/bob@example.org"

/* /cli-hostile/import-symlink-loops: links that lead back up the tree, two
 * links that point at each other and a FIFO in the tree end nothing. */
static void
test_import_symlink_loops (Fixture *f, gconstpointer data)
{
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);
  g_autofree char *log = g_build_filename (f->dir, LOG_DIR, "2024-01-01.120000+0000UTC.html", NULL);
  write_log (log, 0);
  g_autofree char *up = g_build_filename (f->dir, LOG_DIR, "up", NULL);
  g_autofree char *a = g_build_filename (logs, "a", NULL);
  g_autofree char *b = g_build_filename (logs, "b", NULL);
  g_assert_cmpint (symlink ("../../..", up), ==, 0);
  g_assert_cmpint (symlink ("b", a), ==, 0);
  g_assert_cmpint (symlink ("a", b), ==, 0);
  /* And a FIFO named like a log, which a blocking open would wait on. */
  g_autofree char *fifo = g_build_filename (f->dir, LOG_DIR, "2024-01-02.120000+0000UTC.html",
                                            NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  const char *const import[] = { "import", "--db", f->db, logs, NULL };
  g_auto (Run) run = { 0 };
  run_cli (&run, FALSE, import);
  g_assert_false (run.timed_out);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Imported 1 file"));
}

/* /cli-hostile/import-unreadable: a log file and a folder the user may not
 * read are skipped with a reason; the rest is imported. */
static void
test_import_unreadable (Fixture *f, gconstpointer data)
{
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);
  g_autofree char *good = g_build_filename (f->dir, LOG_DIR, "2024-01-01.120000+0000UTC.html", NULL);
  g_autofree char *locked = g_build_filename (f->dir, LOG_DIR, "2024-01-02.120000+0000UTC.html",
                                              NULL);
  write_log (good, 0);
  write_log (locked, 0);
  if (!permissions_bind (locked))
    {
      g_test_skip ("this user reads files whatever their mode");
      return;
    }
  /* nobody may enter the folders and write the database, not read @locked. */
  g_autofree char *path = g_strdup (locked);
  while (strlen (path) >= strlen (f->dir))
    {
      g_assert_cmpint (chown (path, NOBODY, NOBODY), ==, 0);
      char *parent = g_path_get_dirname (path);
      g_free (path);
      path = parent;
    }
  g_assert_cmpint (chown (locked, 0, 0), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0600), ==, 0);
  const char *const import[] = { "import", "--db", f->db, logs, NULL };
  g_auto (Run) run = { 0 };
  run_cli (&run, TRUE, import);
  g_assert_false (run.timed_out);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Imported 1 file"));
  g_assert_nonnull (strstr (run.out, "Skipped 1 file"));
}

/* /cli-hostile/import-200mb: a 200 MB log (about two million lines), then a
 * 200 MB file holding one line of nothing (sparse): a clear line each, no
 * hang, no crash.  Both deleted after. */
static void
test_import_200mb (Fixture *f, gconstpointer data)
{
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);
  g_autofree char *big = g_build_filename (f->dir, LOG_DIR, "2024-01-03.120000+0000UTC.html", NULL);
  write_log (big, 200 * 1024 * 1024);
  const char *const import[] = { "import", "--db", f->db, logs, NULL };
  gint64 start = g_get_monotonic_time ();
  g_auto (Run) run = { 0 };
  run_cli (&run, FALSE, import);
  g_test_message ("200 MB log imported in %.1f s: %s", (g_get_monotonic_time () - start) / 1e6,
                  run.out);
  g_assert_false (run.timed_out);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Imported 1 file"));
  g_assert_cmpint (g_remove (big), ==, 0);

  g_autofree char *line = g_build_filename (f->dir, LOG_DIR, "2024-01-04.120000+0000UTC.html",
                                            NULL);
  g_assert_true (g_file_set_contents (line, "", 0, NULL));
  g_assert_cmpint (truncate (line, 200 * 1024 * 1024), ==, 0);
  start = g_get_monotonic_time ();
  g_auto (Run) again = { 0 };
  run_cli (&again, FALSE, import);
  g_test_message ("200 MB line read in %.1f s: %s", (g_get_monotonic_time () - start) / 1e6,
                  again.out);
  g_assert_false (again.timed_out);
  g_assert_cmpint (again.status, >=, 0);
  g_assert_cmpint (again.status, <=, 1);
  g_assert_true (strlen (again.out) + strlen (again.err) > 0);
  g_assert_cmpint (g_remove (line), ==, 0);
}

/* /cli-hostile/clean-mark-while-running: report and import while the plugin
 * (the owner, here in this process) has the file open leave it marked
 * unclean: a crash of the plugin afterwards still brings the full check. */
static void
test_clean_mark_while_running (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 3, 10);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) owner = sb_store_open (f->db, &error);
  g_assert_no_error (error);
  g_autofree char *logs = g_build_filename (f->dir, "logs", NULL);
  g_autofree char *log = g_build_filename (f->dir, LOG_DIR, "2024-01-01.120000+0000UTC.html", NULL);
  write_log (log, 0);
  const char *const report[] = { "report", "--db", f->db, NULL };
  const char *const import[] = { "import", "--db", f->db, logs, NULL };
  const char *const *const commands[] = { report, import };
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto (Run) run = { 0 };
      run_cli (&run, FALSE, commands[i]);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 0);
    }
  g_clear_pointer (&owner, sb_store_free);
  g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func)                                                                            \
  g_test_add (path, Fixture, NULL, sb_test_history_setup, func, sb_test_history_teardown)
  ADD ("/cli-hostile/not-a-database", test_not_a_database);
  ADD ("/cli-hostile/folder", test_folder);
  ADD ("/cli-hostile/fifo", test_fifo);
  ADD ("/cli-hostile/missing", test_missing);
  ADD ("/cli-hostile/orphan-wal", test_orphan_wal);
  ADD ("/cli-hostile/damaged", test_damaged);
  ADD ("/cli-hostile/newer", test_newer);
  ADD ("/cli-hostile/no-permission", test_no_permission);
  ADD ("/cli-hostile/read-only-history", test_read_only_history);
  ADD ("/cli-hostile/import-symlink-loops", test_import_symlink_loops);
  ADD ("/cli-hostile/import-unreadable", test_import_unreadable);
  ADD ("/cli-hostile/clean-mark-while-running", test_clean_mark_while_running);
  ADD ("/cli-hostile/import-200mb", test_import_200mb);
#undef ADD
  return g_test_run ();
}
