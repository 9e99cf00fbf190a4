/* Log import throughput against its floor, in the same run.
 *
 * Generates a libpurple log tree of at least 50 MB in a temporary folder
 * (HTML in the 2.13 and 2.14 styles and TXT, several buddies and accounts,
 * days of conversation with rollovers), then times:
 *   1. `wc -l` over every file (spawned, one process): reading the bytes;
 *   2. a bare insert of the same event rows (a plain prepared INSERT into a
 *      table of the store's events schema, one transaction): writing them;
 *   3. the reader alone (sb_log_file_read over every file);
 *   4. the full import into a fresh database (SbImport).
 * The floor is 1 + 2; the import's "fraction of the floor" is floor time /
 * import time (1.0 = as fast as the floor; higher is better, goal >= 0.7).
 * `wc -l`, the bare insert and the import each count their best of three
 * runs, so one slow run of the shared disk does not decide the ratio.
 * Then the same for 20,000 files of 2 KB: the cost per file beyond reading
 * its bytes, against the cost of reading them.  First, a log of 200 MB on one
 * line (its newlines lost): how long the reader takes to refuse it, and the
 * memory that costs.
 * Wall and processor times; never fails on a timing; removes its trees.
 *
 *   meson test -C BUILD --benchmark import        (or run bench-import [MB])
 */
#include <smileback/smileback.h>
#include <smileback/sb-import.h>
#include <smileback/sb-log-reader.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_MB 52
#define FILE_TARGET_BYTES (64 * 1024)
#define SMALL_FILES 20000
#define SMALL_FILE_BYTES 2048
#define ONE_LINE_MB 200

static const char *const words[] = {
  "hello", "how", "are", "you", "fine", "thanks", "see", "the", "new", "photos", "lunch",
  "tomorrow", "maybe", "call", "later", "&lt;3", "<b>great</b>", "ok", "sure", "weekend",
  "train", "late", "again", "coffee", "http://example.org/x", "haha", "really?", "nice",
};

static void
append_body (GString *out, GRand *rand)
{
  int n = g_rand_int_range (rand, 2, 18);
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))]);
    }
}

/* One log file of about @target bytes; returns its number of lines. */
static guint
write_log (const char *dir, int style, GDateTime *start, const char *buddy, GRand *rand,
           gsize target, guint64 *bytes)
{
  g_autofree char *stamp = g_date_time_format (start, "%Y-%m-%d.%H%M%S%z");
  const char *ext = style == 2 ? "txt" : "html";
  g_autofree char *name = g_strdup_printf ("%sCET.%s", stamp, ext);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GString) out = g_string_sized_new (target + 1024);

  if (style == 2)
    g_string_append_printf (out, "Conversation with %s at x on me@example.org (jabber)\n", buddy);
  else
    g_string_append_printf (out,
                            "<html><head><meta http-equiv=\"content-type\" content=\"text/html; "
                            "charset=UTF-8\"><title>Conversation with %s at x on me@example.org "
                            "(jabber)</title></head><body><h3>Conversation with %s</h3>\n",
                            buddy, buddy);
  g_autoptr (GDateTime) t = g_date_time_ref (start);
  guint lines = 0;
  while (out->len < target)
    {
      /* mostly seconds apart, sometimes hours: days of conversation */
      int gap = g_rand_int_range (rand, 0, 100) < 3 ? g_rand_int_range (rand, 3600, 30000)
                                                    : g_rand_int_range (rand, 1, 300);
      GDateTime *next = g_date_time_add_seconds (t, gap);
      g_date_time_unref (t);
      t = next;
      gboolean sent = g_rand_boolean (rand);
      g_autofree char *tod = g_date_time_format (t, "%H:%M:%S");
      if (style == 0)
        g_string_append_printf (out,
                                "<font color=\"#%s\"><font size=\"2\">(%s)</font> <b>%s:</b></font> ",
                                sent ? "16569E" : "A82F2F", tod, sent ? "Me" : buddy);
      else if (style == 1)
        g_string_append_printf (out,
                                "<span style=\"color: #%s\"><span style=\"font-size: smaller\">(%s)"
                                "</span> <b>%s:</b></span> ",
                                sent ? "16569E" : "A82F2F", tod, sent ? "Me" : buddy);
      else
        g_string_append_printf (out, "(%s) %s: ", tod, sent ? "Me" : buddy);
      append_body (out, rand);
      g_string_append (out, style == 0 ? "<br/>\n" : style == 1 ? "<br>\n" : "\n");
      lines++;
    }
  if (style != 2)
    g_string_append (out, "</body></html>\n");
  g_autoptr (GError) error = NULL;
  if (!g_file_set_contents (path, out->str, out->len, &error))
    g_error ("%s", error->message);
  *bytes += out->len;
  return lines;
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      if (dir != NULL)
        g_dir_close (dir);
    }
  g_remove (path);
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Processor time, user + system, of this process (every thread) or of its
 * waited-for children: steadier than wall time on a busy machine. */
static double
cpu_seconds (int who)
{
  struct rusage usage;
  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec
         + usage.ru_stime.tv_usec / 1e6;
}

/* A timed section: wall and processor seconds. */
typedef struct
{
  double wall, cpu;
  gint64 t0;
  double cpu0;
  int who;
} Timer;

static Timer
timer_start (int who)
{
  return (Timer){ 0, 0, g_get_monotonic_time (), cpu_seconds (who), who };
}

static void
timer_stop (Timer *t)
{
  t->wall = seconds_since (t->t0);
  t->cpu = cpu_seconds (t->who) - t->cpu0;
}

/* The best of @runs, by wall time. */
static void
keep_best (Timer *best, const Timer *t)
{
  if (best->wall == 0 || t->wall < best->wall)
    *best = *t;
}

/* A tree of @files files (0: until @target bytes) of about @file_bytes each;
 * their paths into @paths.  Returns the bytes written. */
static guint64
write_tree (const char *logdir, guint64 target, guint files, gsize file_bytes, GPtrArray *paths,
            guint *lines)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GTimeZone) cet = g_time_zone_new_identifier ("+01:00");
  g_autoptr (GDateTime) day = g_date_time_new (cet, 2012, 1, 1, 9, 0, 0);
  guint64 bytes = 0;
  /* 2 accounts x 100 buddies */
  for (guint i = 0; files > 0 ? i < files : bytes < target; i++)
    {
      const char *account = i % 2 == 0 ? "me%40example.org" : "me%40other.example";
      g_autofree char *buddy = g_strdup_printf ("buddy%03u@example.org", (i / 2) % 100);
      g_autofree char *folder = g_strdup_printf ("buddy%03u%%40example.org", (i / 2) % 100);
      g_autofree char *dir = g_build_filename (logdir, "jabber", account, folder, NULL);
      g_mkdir_with_parents (dir, 0700);
      g_autoptr (GDateTime) start = g_date_time_add_seconds (day, (gint64) i * 3 * 3600);
      int style = i % 5 == 4 ? 2 : (int) (i % 2);
      *lines += write_log (dir, style, start, buddy, rand, file_bytes, &bytes);
      g_autofree char *stamp = g_date_time_format (start, "%Y-%m-%d.%H%M%S%z");
      g_ptr_array_add (paths, g_strdup_printf ("%s/%sCET.%s", dir, stamp, style == 2 ? "txt" : "html"));
    }
  return bytes;
}

/* `wc -l` over @paths, from the page cache like the rest: best of three. */
static Timer
time_wc (const char *root, GPtrArray *paths)
{
  /* a list file and xargs: 20,000 paths do not fit in one command line */
  g_autofree char *list = g_build_filename (root, "files.list", NULL);
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < paths->len; i++)
    g_string_append_printf (text, "%s%c", (char *) paths->pdata[i], '\0');
  g_autoptr (GError) error = NULL;
  if (!g_file_set_contents (list, text->str, text->len, &error))
    g_error ("%s", error->message);
  const char *argv[] = { "xargs", "-0", "-a", list, "wc", "-l", NULL };
  Timer best = { 0 };
  for (int run = 0; run < 3; run++)
    {
      Timer t = timer_start (RUSAGE_CHILDREN);
      int status = 0;
      if (!g_spawn_sync (NULL, (char **) argv, NULL,
                         G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                         &status, &error))
        g_error ("wc: %s", error->message);
      timer_stop (&t);
      keep_best (&best, &t);
    }
  g_unlink (list);
  return best;
}

static const guint8 secret[32] = "bench-secret-bench-secret-bench";

/* An event row as the store keeps it. */
typedef struct
{
  gint64 buddy_id;
  SbEvent e;
} Row;

/* The reader alone over @paths; its events into @rows when not NULL. */
static Timer
time_reader (GPtrArray *paths, GArray *rows, guint *messages)
{
  Timer t = timer_start (RUSAGE_SELF);
  *messages = 0;
  for (guint i = 0; i < paths->len; i++)
    {
      SbLogReaderOptions options = { .secret = secret, .secret_len = sizeof secret };
      g_autoptr (SbLogFile) log = sb_log_file_read (paths->pdata[i], &options, NULL);
      if (log == NULL)
        continue;
      *messages += log->events->len;
      if (rows != NULL)
        for (guint k = 0; k < log->events->len; k++)
          {
            /* 2 accounts x 100 buddies, as in the tree */
            Row row = { (gint64) (i % 200) + 1, g_array_index (log->events, SbEvent, k) };
            g_array_append_val (rows, row);
          }
    }
  timer_stop (&t);
  return t;
}

static void
check_sqlite (int rc, sqlite3 *db)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE)
    g_error ("sqlite: %s", sqlite3_errmsg (db));
}

/* Removes the database at @path with its -wal and -shm. */
static void
remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

/* The rows inserted bare: a fresh database with the store's pragmas, the
 * events table of the store's schema, one prepared INSERT, one transaction. */
static Timer
time_bare_insert_once (const char *root, GArray *rows)
{
  g_autofree char *path = g_build_filename (root, "bare.db", NULL);
  remove_db (path);
  sqlite3 *db = NULL;
  check_sqlite (sqlite3_open (path, &db), db);
  check_sqlite (sqlite3_exec (db,
                              "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                              "CREATE TABLE events (buddy_id INTEGER NOT NULL,"
                              "  time INTEGER NOT NULL, direction INTEGER NOT NULL, kind INTEGER NOT NULL,"
                              "  digest INTEGER NOT NULL, source INTEGER NOT NULL, flags INTEGER NOT NULL,"
                              "  size_bucket INTEGER NOT NULL,"
                              "  PRIMARY KEY (buddy_id, time, direction, kind, digest)) WITHOUT ROWID;",
                              NULL, NULL, NULL),
                db);
  Timer t = timer_start (RUSAGE_SELF);
  sqlite3_stmt *stmt = NULL;
  check_sqlite (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), db);
  check_sqlite (sqlite3_prepare_v2 (db, "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    -1, &stmt, NULL),
                db);
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      const SbEvent *e = &row->e;
      sqlite3_bind_int64 (stmt, 1, row->buddy_id);
      sqlite3_bind_int64 (stmt, 2, e->time);
      sqlite3_bind_int (stmt, 3, e->direction);
      sqlite3_bind_int (stmt, 4, e->kind);
      sqlite3_bind_int64 (stmt, 5, (gint64) e->digest);
      sqlite3_bind_int (stmt, 6, e->source);
      sqlite3_bind_int (stmt, 7, (int) e->flags);
      sqlite3_bind_int (stmt, 8, e->size_bucket);
      check_sqlite (sqlite3_step (stmt), db);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  check_sqlite (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), db);
  timer_stop (&t);
  sqlite3_close (db);
  return t;
}

/* The disk and SQLite swing from run to run on a shared machine: the floor's
 * insert and the import are each timed RUNS times, and the best run of each
 * is compared. */
#define RUNS 3

static Timer
time_bare_insert (const char *root, GArray *rows)
{
  Timer best = { 0 };
  for (int run = 0; run < RUNS; run++)
    {
      Timer t = time_bare_insert_once (root, rows);
      keep_best (&best, &t);
    }
  return best;
}

/* Only getting the bytes of @paths into memory (open, read, close). */
static Timer
time_read_bytes (GPtrArray *paths)
{
  Timer t = timer_start (RUSAGE_SELF);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      if (!g_file_get_contents (paths->pdata[i], &data, &len, NULL))
        g_error ("cannot read %s", (char *) paths->pdata[i]);
    }
  timer_stop (&t);
  return t;
}

/* The whole import of @logdir into a fresh database at @db. */
static Timer
time_import_once (const char *logdir, const char *db, SbImportProgress *progress,
                  double *last_step_s)
{
  g_autoptr (GError) error = NULL;
  remove_db (db);
  SbParams params = SB_PARAMS_DEFAULT;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (SbLedger) ledger = sb_ledger_open (db, &params, now, &error);
  g_assert_no_error (error);
  Timer t = timer_start (RUSAGE_SELF);
  g_autoptr (SbImport) import = sb_import_new (ledger, logdir, NULL);
  /* in slices of 50 ms as a UI would run it, so the last step (the search
   * for automated texts across every file, after at most a slice of files)
   * can be told apart */
  gboolean more = TRUE;
  while (more)
    {
      gint64 step_t0 = g_get_monotonic_time ();
      more = sb_import_step (import, 0, 50 * 1000, now, &error);
      *last_step_s = seconds_since (step_t0);
    }
  if (error != NULL)
    g_error ("import: %s", error->message);
  *progress = *sb_import_get_progress (import);
  g_clear_pointer (&import, sb_import_free);
  g_clear_pointer (&ledger, sb_ledger_free);
  timer_stop (&t);
  return t;
}

/* The best of RUNS imports, each into a fresh database; *@progress and
 * *@last_step_s from that run. */
static Timer
time_import (const char *logdir, const char *db, SbImportProgress *progress, double *last_step_s)
{
  Timer best = { 0 };
  for (int run = 0; run < RUNS; run++)
    {
      SbImportProgress p;
      double last = 0;
      Timer t = time_import_once (logdir, db, &p, &last);
      if (best.wall == 0 || t.wall < best.wall)
        {
          *progress = p;
          *last_step_s = last;
        }
      keep_best (&best, &t);
    }
  return best;
}

static void
print_line (const char *what, const Timer *t, double mb)
{
  printf ("%-14s %7.3f s wall  %7.3f s cpu  %8.1f MB/s (wall)  %8.1f MB/s (cpu)\n", what, t->wall,
          t->cpu, mb / t->wall, mb / MAX (t->cpu, 1e-6));
}

/* The big tree: reading, inserting, importing, and the floor. */
static double
bench_big (const char *root, guint64 target)
{
  g_autofree char *logdir = g_build_filename (root, "logs", NULL);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint lines = 0;
  double mb = write_tree (logdir, target, 0, FILE_TARGET_BYTES, paths, &lines) / (1024.0 * 1024.0);
  printf ("tree: %u files, %.1f MB, %u lines\n", paths->len, mb, lines);

  Timer wc = time_wc (root, paths);
  print_line ("wc -l:", &wc, mb);
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (Row));
  guint messages = 0;
  Timer reader = time_reader (paths, rows, &messages);
  reader = time_reader (paths, NULL, &messages); /* again, without collecting the rows */
  print_line ("reader:", &reader, mb);
  Timer bare = time_bare_insert (root, rows);
  printf ("bare insert:   %7.3f s wall  %7.3f s cpu  (%u rows, one transaction; best of %d)\n",
          bare.wall, bare.cpu, rows->len, RUNS);

  g_autofree char *db = g_build_filename (root, "smileback.db", NULL);
  SbImportProgress progress;
  double last_step_s = 0;
  Timer import = time_import (logdir, db, &progress, &last_step_s);
  print_line ("import:", &import, mb);
  printf ("  best of %d; %u events, %d episodes; the last step (a slice of files + automated "
          "texts: %u marked): %.3f s\n",
          RUNS, progress.events, progress.episodes, progress.automated, last_step_s);
  printf ("reader: %.0f messages/s (cpu)\n", messages / MAX (reader.cpu, 1e-6));
  double floor_wall = wc.wall + bare.wall, floor_cpu = wc.cpu + bare.cpu;
  printf ("floor (wc -l + bare insert): %.3f s wall, %.3f s cpu\n", floor_wall, floor_cpu);
  printf ("import, fraction of the floor = floor time / import time (1 = as fast as the floor, "
          "higher is better, goal >= 0.7): %.3f wall, %.3f cpu\n",
          floor_wall / import.wall, floor_cpu / MAX (import.cpu, 1e-6));
  return reader.cpu / mb; /* processor seconds per MB read */
}

/* Many small files: what each costs beyond its bytes. */
static void
bench_small (const char *root, double reader_cpu_per_mb)
{
  g_autofree char *logdir = g_build_filename (root, "small", NULL);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint lines = 0;
  double mb = write_tree (logdir, 0, SMALL_FILES, SMALL_FILE_BYTES, paths, &lines) / (1024.0 * 1024.0);
  printf ("\nsmall files: %u files, %.1f MB, %u lines\n", paths->len, mb, lines);
  Timer wc = time_wc (root, paths);
  print_line ("wc -l:", &wc, mb);
  Timer bytes = time_read_bytes (paths);
  print_line ("read bytes:", &bytes, mb);
  guint messages = 0;
  Timer reader = time_reader (paths, NULL, &messages);
  print_line ("reader:", &reader, mb);
  g_autofree char *db = g_build_filename (root, "small.db", NULL);
  SbImportProgress progress;
  double last_step_s = 0;
  Timer import = time_import (logdir, db, &progress, &last_step_s);
  print_line ("import:", &import, mb);

  /* per file, processor time: getting the bytes (the system's open, read,
   * close), parsing them at the big tree's pace, and what is left: the
   * reader's own cost per file */
  double read_us = bytes.cpu * 1e6 / paths->len;
  double parse_us = reader_cpu_per_mb * mb * 1e6 / paths->len;
  double overhead_us = reader.cpu * 1e6 / paths->len - read_us - parse_us;
  printf ("per file (cpu): reader %.1f us = reading the file %.1f us + parsing its ~%d bytes at "
          "the big tree's pace %.1f us + per-file overhead %.1f us (%s the cost of reading it)\n",
          reader.cpu * 1e6 / paths->len, read_us, SMALL_FILE_BYTES, parse_us, overhead_us,
          overhead_us < read_us + parse_us ? "under" : "over");
  printf ("per file: import %.1f us cpu, wc -l %.1f us cpu\n", import.cpu * 1e6 / paths->len,
          wc.cpu * 1e6 / paths->len);
}

/* A 2.14 log of @mb MB whose newlines were lost, at @path: records for the
 * first @written MB, NULs after them (a sparse file: no time writing them). */
static void
write_one_line_log (const char *path, guint written, guint mb)
{
  g_autoptr (GString) chunk = g_string_new (NULL);
  while (chunk->len < 1024 * 1024)
    g_string_append (chunk, "<span style=\"color: #A82F2F\"><span style=\"font-size: smaller\">"
                            "(10:00:01)</span> <b>bob:</b></span> hello, how are you?<br> ");
  FILE *out = fopen (path, "wb");
  if (out == NULL)
    g_error ("cannot write %s", path);
  fputs ("<html><head><title>Conversation with bob</title></head><body> ", out);
  for (guint i = 0; i < written; i++)
    fwrite (chunk->str, 1, 1024 * 1024, out);
  fclose (out);
  if (truncate (path, (off_t) mb * 1024 * 1024) != 0)
    g_error ("cannot extend %s", path);
}

/* The peak memory of this process so far, in MB. */
static double
peak_mb (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

/* A log of ONE_LINE_MB MB on one line: refused, in how long, at what memory. */
static void
bench_one_line (const char *root)
{
  g_autofree char *path = g_build_filename (root, "2012-01-01.090000+0100CET.html", NULL);
  /* more records than SB_LOG_READER_MAX_LINE, the reader's limit */
  write_one_line_log (path, SB_LOG_READER_MAX_LINE / (1024 * 1024) + 8, ONE_LINE_MB);
  double peak_before = peak_mb ();
  g_autoptr (GError) error = NULL;
  Timer t = timer_start (RUSAGE_SELF);
  g_autoptr (SbLogFile) log = sb_log_file_read (path, NULL, &error);
  timer_stop (&t);
  printf ("one line of %d MB: %s, in %.3f s wall, %.3f s cpu; peak memory %.0f MB -> %.0f MB\n\n",
          ONE_LINE_MB, log != NULL ? "read" : error->message, t.wall, t.cpu, peak_before, peak_mb ());
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  guint64 target = (argc > 1 ? (guint64) atoi (argv[1]) : DEFAULT_MB) * 1024 * 1024;
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("sb-bench-import-XXXXXX", &error);
  g_assert_no_error (error);
  bench_one_line (root);
  double reader_cpu_per_mb = bench_big (root, target);
  bench_small (root, reader_cpu_per_mb);
  remove_tree (root);
  return 0;
}
