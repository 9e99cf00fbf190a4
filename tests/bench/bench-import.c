/* Log import throughput against `wc -l` over the same files, in the same run.
 *
 * Generates a libpurple log tree of at least 50 MB in a temporary folder
 * (HTML in the 2.13 and 2.14 styles and TXT, several buddies and accounts,
 * days of conversation with rollovers), then times:
 *   1. `wc -l` over every file (spawned, one process), the baseline;
 *   2. the reader alone (sb_log_file_read over every file);
 *   3. the full import into a fresh database (SbImport).
 * Prints MB/s, messages/s and the ratio import/wc (goal: >= 0.25).  Never fails
 * on a timing; removes its tree.
 *
 *   meson test -C BUILD --benchmark import        (or run bench-import [MB])
 */
#include <smileback/smileback.h>
#include <smileback/sb-import.h>
#include <smileback/sb-log-reader.h>

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#define DEFAULT_MB 52
#define FILE_TARGET_BYTES (64 * 1024)

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

/* One log file of about FILE_TARGET_BYTES; returns its number of lines. */
static guint
write_log (const char *dir, int style, GDateTime *start, const char *buddy, GRand *rand,
           guint64 *bytes)
{
  g_autofree char *stamp = g_date_time_format (start, "%Y-%m-%d.%H%M%S%z");
  const char *ext = style == 2 ? "txt" : "html";
  g_autofree char *name = g_strdup_printf ("%sCET.%s", stamp, ext);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GString) out = g_string_sized_new (FILE_TARGET_BYTES + 1024);

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
  while (out->len < FILE_TARGET_BYTES)
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

/* Processor time of the whole process (every thread), user + system: steadier
 * than wall time on a busy machine. */
static double
cpu_seconds (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec
         + usage.ru_stime.tv_usec / 1e6;
}

int
main (int argc, char **argv)
{
  guint64 target = (argc > 1 ? (guint64) atoi (argv[1]) : DEFAULT_MB) * 1024 * 1024;
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("sb-bench-import-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *logdir = g_build_filename (root, "logs", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GTimeZone) cet = g_time_zone_new_identifier ("+01:00");
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  /* the tree: 2 accounts x 100 buddies, files until the target size */
  guint64 bytes = 0;
  guint lines = 0;
  g_autoptr (GDateTime) day = g_date_time_new (cet, 2012, 1, 1, 9, 0, 0);
  for (guint i = 0; bytes < target; i++)
    {
      const char *account = i % 2 == 0 ? "me%40example.org" : "me%40other.example";
      g_autofree char *buddy = g_strdup_printf ("buddy%03u@example.org", (i / 2) % 100);
      g_autofree char *folder = g_strdup_printf ("buddy%03u%%40example.org", (i / 2) % 100);
      g_autofree char *dir = g_build_filename (logdir, "jabber", account, folder, NULL);
      g_mkdir_with_parents (dir, 0700);
      g_autoptr (GDateTime) start = g_date_time_add_seconds (day, (gint64) i * 3 * 3600);
      lines += write_log (dir, i % 5 == 4 ? 2 : (int) (i % 2), start, buddy, rand, &bytes);
      g_autofree char *stamp = g_date_time_format (start, "%Y-%m-%d.%H%M%S%z");
      g_ptr_array_add (files, g_strdup_printf ("%s/%sCET.%s", dir, stamp, i % 5 == 4 ? "txt" : "html"));
    }
  double mb = bytes / (1024.0 * 1024.0);
  printf ("tree: %u files, %.1f MB, %u lines\n", files->len, mb, lines);

  /* 1. wc -l, from the page cache like the rest */
  g_autoptr (GPtrArray) wc_argv = g_ptr_array_new ();
  g_ptr_array_add (wc_argv, (gpointer) "wc");
  g_ptr_array_add (wc_argv, (gpointer) "-l");
  for (guint i = 0; i < files->len; i++)
    g_ptr_array_add (wc_argv, files->pdata[i]);
  g_ptr_array_add (wc_argv, NULL);
  double wc_s = G_MAXDOUBLE;
  for (int run = 0; run < 3; run++)
    {
      gint64 t0 = g_get_monotonic_time ();
      int status = 0;
      if (!g_spawn_sync (NULL, (char **) wc_argv->pdata, NULL,
                         G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                         &status, &error))
        g_error ("wc: %s", error->message);
      wc_s = MIN (wc_s, seconds_since (t0));
    }
  printf ("wc -l:        %7.3f s  %8.1f MB/s\n", wc_s, mb / wc_s);

  /* 2. the reader alone */
  const guint8 secret[32] = "bench-secret-bench-secret-bench";
  gint64 t0 = g_get_monotonic_time ();
  guint parsed = 0;
  for (guint i = 0; i < files->len; i++)
    {
      SbLogReaderOptions options = { .secret = secret, .secret_len = sizeof secret, .peer = NULL };
      g_autoptr (SbLogFile) log = sb_log_file_read (files->pdata[i], &options, NULL);
      if (log != NULL)
        parsed += log->events->len;
    }
  double read_s = seconds_since (t0);
  printf ("reader:       %7.3f s  %8.1f MB/s  %10.0f messages/s  (%u messages)\n", read_s,
          mb / read_s, parsed / read_s, parsed);

  /* 3. the whole import into a fresh database */
  g_autofree char *db = g_build_filename (root, "smileback.db", NULL);
  SbParams params = SB_PARAMS_DEFAULT;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (SbLedger) ledger = sb_ledger_open (db, &params, now, &error);
  g_assert_no_error (error);
  t0 = g_get_monotonic_time ();
  double cpu0 = cpu_seconds ();
  SbImportProgress progress;
  double last_step_s = 0;
  {
    g_autoptr (SbImport) import = sb_import_new (ledger, logdir, NULL);
    /* in slices of 50 ms as a UI would run it, so the last step (the search
     * for automated texts across every file, after at most a slice of files)
     * can be told apart */
    gboolean more = TRUE;
    while (more)
      {
        gint64 step_t0 = g_get_monotonic_time ();
        more = sb_import_step (import, 0, 50 * 1000, now, &error);
        last_step_s = seconds_since (step_t0);
      }
    if (error != NULL)
      g_error ("import: %s", error->message);
    progress = *sb_import_get_progress (import);
  }
  double import_s = seconds_since (t0);
  double import_cpu_s = cpu_seconds () - cpu0;
  printf ("import:       %7.3f s  %8.1f MB/s  %10.0f messages/s  (%u messages, %d episodes)\n",
          import_s, mb / import_s, progress.events / import_s, progress.events,
          progress.episodes);
  printf ("  processor time (all threads): %.3f s\n", import_cpu_s);
  printf ("  of which the last step (a slice of files + automated texts: %u marked): %.3f s\n",
          progress.automated, last_step_s);
  printf ("ratio reader/wc: %.3f\n", wc_s / read_s);
  printf ("ratio import/wc: %.3f  (goal >= 0.25)\n", wc_s / import_s);

  g_clear_pointer (&ledger, sb_ledger_free);
  remove_tree (root);
  return 0;
}
