/* test-crash: a client killed with SIGKILL in the middle of a stream of IMs
 * loses at most the last second, and never the database.
 *
 * KILLS times, a child (this program with "--child stream") loads
 * core-smileback into headless libpurple and receives about 200 IMs a second
 * from a few buddies, appending "index monotonic-time" to a log file after
 * each message was handled (the kernel keeps what was written when the
 * process dies).  The parent kills it by its PID at a random moment, then
 * checks that the database passes PRAGMA integrity_check and holds every
 * message handled more than CRASH_WINDOW_US before the kill, and prints the
 * messages lost per kill (median, max) and how far back the loss reached.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <smileback/smileback.h>

#include "sb-reliability.h"
#include "sb-test-prosody.h"
#include "sb-test-purple.h"

#define KILLS 20
#define BUDDIES 5
/* One message every 5 ms: 200 a second. */
#define STREAM_INTERVAL_MS 5
/* What the brief allows to be lost: the last second before the kill. */
#define CRASH_WINDOW_US G_USEC_PER_SEC

static char *
message_text (guint i)
{
  return g_strdup_printf ("crash test message %u", i);
}

/* ---- the child: a client receiving a stream ----------------------------- */

typedef struct
{
  PurpleAccount *account;
  int log_fd;
  guint next;
} Stream;

static gboolean
stream_tick (gpointer data)
{
  Stream *stream = data;
  g_autofree char *who = g_strdup_printf ("friend%u", stream->next % BUDDIES);
  g_autofree char *text = message_text (stream->next);
  g_autofree char *line = NULL;

  sb_test_prpl_receive (stream->account, who, text, PURPLE_MESSAGE_RECV, time (NULL));
  line = g_strdup_printf ("%u %" G_GINT64_FORMAT "\n", stream->next, g_get_monotonic_time ());
  g_assert_cmpint (write (stream->log_fd, line, strlen (line)), ==, (gssize) strlen (line));
  stream->next++;
  return G_SOURCE_CONTINUE;
}

/* Prints the user directory, then streams until killed. */
static int
child_stream (const char *log_path)
{
  Stream stream = { 0 };

  sb_test_purple_init ();
  g_assert_nonnull (sb_test_purple_load_plugin (SB_REL_PLUGIN));
  stream.account = sb_test_prpl_account_new ("me");
  stream.log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (stream.log_fd, >=, 0);
  printf ("%s\n", sb_test_purple_user_dir ());
  fflush (stdout);
  g_timeout_add (STREAM_INTERVAL_MS, stream_tick, &stream);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

/* ---- the parent --------------------------------------------------------- */

/* One logged message: its index and when it was handled. */
typedef struct
{
  guint index;
  gint64 handled;
} Handled;

static GArray *
read_log (const char *path)
{
  g_autofree char *contents = NULL;
  GArray *handled = g_array_new (FALSE, FALSE, sizeof (Handled));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      Handled h;
      if (sscanf (lines[i], "%u %" G_GINT64_FORMAT, &h.index, &h.handled) == 2)
        g_array_append_val (handled, h);
    }
  return handled;
}

/* One kill: *@lost messages handled before the kill are missing, the oldest
 * of them handled *@window_us before it. */
static void
one_kill (guint round, gint64 *lost, gint64 *window_us, double *rate)
{
  g_autofree char *log_dir = g_dir_make_tmp ("smileback-crash-XXXXXX", NULL);
  g_autofree char *log_path = g_build_filename (log_dir, "handled.log", NULL);
  const char *args[] = { "--child", "stream", log_path, NULL };
  int out = -1;
  GPid pid = sb_rel_spawn (args, &out);
  g_autofree char *user_dir = sb_rel_read_line (out);
  close (out);
  g_assert_nonnull (user_dir);

  /* a random moment, 0.8 to 2.3 s into the stream */
  g_usleep ((gulong) g_test_rand_int_range (800, 2300) * 1000);
  gint64 killed = g_get_monotonic_time ();
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (sb_rel_wait (pid), ==, -SIGKILL);

  g_autofree char *db = g_build_filename (user_dir, "smileback.db", NULL);
  g_assert_true (sb_rel_integrity_ok (db));
  g_autoptr (GArray) handled = read_log (log_path);
  g_autoptr (GHashTable) stored = sb_rel_stored_digests (db);
  g_autoptr (GError) error = NULL;
  guint8 secret[32];
  g_assert_true (sb_ledger_read_secret (db, secret, sizeof secret, &error));
  *lost = 0;
  *window_us = 0;
  for (guint i = 0; i < handled->len; i++)
    {
      const Handled *h = &g_array_index (handled, Handled, i);
      g_autofree char *text = message_text (h->index);
      gint64 digest = (gint64) sb_text_digest (secret, sizeof secret, text);
      if (g_hash_table_contains (stored, &digest))
        continue;
      (*lost)++;
      *window_us = MAX (*window_us, killed - h->handled);
      if (killed - h->handled > CRASH_WINDOW_US)
        g_error ("kill %u: message %u, handled %" G_GINT64_FORMAT " ms before the kill, is lost",
                 round, h->index, (killed - h->handled) / 1000);
    }
  gint64 span = handled->len > 1 ? g_array_index (handled, Handled, handled->len - 1).handled
                                     - g_array_index (handled, Handled, 0).handled
                                 : 0;
  *rate = span > 0 ? (handled->len - 1) * 1e6 / span : 0;
  g_test_message ("kill %u: %u messages handled (%.0f/s), %" G_GINT64_FORMAT " lost", round,
                  handled->len, *rate, *lost);
  sb_test_rm_rf (user_dir);
  sb_test_rm_rf (log_dir);
}

/* /crash/sigkill-during-stream */
static void
test_sigkill (void)
{
  gint64 lost[KILLS], windows[KILLS];
  gint64 max_lost = 0, max_window = 0;
  double rate = 0, sum_rate = 0;

  for (guint i = 0; i < KILLS; i++)
    {
      one_kill (i, &lost[i], &windows[i], &rate);
      sum_rate += rate / KILLS;
      max_lost = MAX (max_lost, lost[i]);
      max_window = MAX (max_window, windows[i]);
    }
  g_test_message ("crash: %d SIGKILLs at %.0f msg/s: integrity_check ok every time; messages lost "
                  "per kill: median %" G_GINT64_FORMAT ", max %" G_GINT64_FORMAT
                  "; the oldest lost was handled %" G_GINT64_FORMAT " ms (median) / %"
                  G_GINT64_FORMAT " ms (max) before the kill",
                  KILLS, sum_rate, sb_rel_median (lost, KILLS), max_lost,
                  sb_rel_median (windows, KILLS) / 1000, max_window / 1000);
}

int
main (int argc, char **argv)
{
  int status = 0;

  if (sb_rel_child_main (argc, argv, &status))
    return status;
  if (argc == 4 && strcmp (argv[1], "--child") == 0 && strcmp (argv[2], "stream") == 0)
    return child_stream (argv[3]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crash/sigkill-during-stream", test_sigkill);
  return g_test_run ();
}
