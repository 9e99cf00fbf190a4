/* bench-capture: what core-smileback costs the UI thread per message, against
 * libpurple's own HTML logger writing the same message, in the same run.
 *
 * The built plugin is loaded into headless libpurple (tests/common).  For each
 * round:
 *   - plugin: "wrote-im-msg" is emitted for N distinct messages, SPACING_S
 *     apart, with only the plugin connected, i.e. exactly the plugin's handler
 *     (key, time, digest, size bucket, ledger update, queued write);
 *   - the commit of those writes: the plugin's timer hands the queue to the
 *     store's writer thread, so it costs the UI thread a hand-over only; its
 *     size is printed for information, measured as the unload time with N
 *     queued messages minus the unload time with none (unload = waiting for
 *     the final commit + close);
 *   - baseline: purple_log_write() of the same N messages to an HTML log, what
 *     Pidgin does for every message when logging is on.
 * The medians over the rounds are printed with the ratio handler / HTML
 * logger, the UI-thread cost per message.  Goal (docs/design.md, "Performance budgets"): at most
 * 1.0.  A benchmark prints, it never fails on a timing.
 */
#include <stdio.h>

#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
#define MESSAGES 2000
#define ROUNDS 7
/* Seconds between two messages of the benchmark's chat: a lively one. */
#define SPACING_S 7

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_double);
  return values[n / 2];
}

/* A typical IM line, distinct per @i so none is a duplicate. */
static char *
message_text (guint round, guint i)
{
  return g_strdup_printf ("Hey, are we still on for <b>lunch</b> tomorrow? I can do 12:%02u "
                          "at the usual place (round %u, message %u)",
                          i % 60, round, i);
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (int argc, char **argv)
{
  double handler_us[ROUNDS], commit_us[ROUNDS], logger_us[ROUNDS];
  PurpleAccount *account;
  PurpleConversation *conv;
  char **texts;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  purple_prefs_set_string ("/purple/logging/format", "html");
  account = sb_test_prpl_account_new ("bench");
  sb_test_prpl_add_buddy (account, "buddy");
  texts = g_new0 (char *, MESSAGES + 1);

  for (guint round = 0; round < ROUNDS; round++)
    {
      PurplePlugin *plugin;
      PurpleLog *log;
      gint64 start;
      double unload_full, unload_empty;
      time_t now = time (NULL);
      /* Each round's chat comes after the previous round's, in real order. */
      time_t first = now - (time_t) (ROUNDS - round) * MESSAGES * SPACING_S;
      PurpleConvMessage *newest;

      for (guint i = 0; i < MESSAGES; i++)
        {
          g_free (texts[i]);
          texts[i] = message_text (round, i);
        }

      /* The conversation, with one line in its history as in real use (the
       * handler reads the newest line's time). */
      plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
      g_assert_nonnull (plugin);
      sb_test_prpl_receive (account, "buddy", "hello", PURPLE_MESSAGE_RECV, first - 1);
      conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, "buddy", account);

      newest = purple_conversation_get_message_history (conv)->data;
      start = g_get_monotonic_time ();
      for (guint i = 0; i < MESSAGES; i++)
        {
          /* As if libpurple had just written line i: its time is the newest
           * history line's, which the handler reads. */
          newest->when = first + (time_t) i * SPACING_S;
          purple_signal_emit (purple_conversations_get_handle (), "wrote-im-msg", account,
                              "buddy", texts[i], conv, PURPLE_MESSAGE_RECV);
        }
      handler_us[round] = seconds_since (start) * 1e6 / MESSAGES;

      start = g_get_monotonic_time ();
      purple_plugin_unload (plugin);
      unload_full = seconds_since (start);
      plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
      start = g_get_monotonic_time ();
      purple_plugin_unload (plugin);
      unload_empty = seconds_since (start);
      commit_us[round] = MAX (0.0, unload_full - unload_empty) * 1e6 / MESSAGES;

      /* Baseline: the HTML logger, same messages. */
      log = purple_log_new (PURPLE_LOG_IM, "buddy", account, conv, now, NULL);
      purple_log_write (log, PURPLE_MESSAGE_RECV, "buddy", now, "warm-up: open the file");
      start = g_get_monotonic_time ();
      for (guint i = 0; i < MESSAGES; i++)
        purple_log_write (log, PURPLE_MESSAGE_RECV, "buddy", now, texts[i]);
      logger_us[round] = seconds_since (start) * 1e6 / MESSAGES;
      purple_log_free (log);
      purple_conversation_destroy (conv);
    }

  {
    double handler = median (handler_us, ROUNDS);
    double commit = median (commit_us, ROUNDS);
    double logger = median (logger_us, ROUNDS);

    printf ("capture: %d messages x %d rounds, medians per message\n", MESSAGES, ROUNDS);
    printf ("  core-smileback wrote-im-msg handler (UI thread): %8.2f us\n", handler);
    printf ("  libpurple HTML logger, purple_log_write (UI thread): %8.2f us\n", logger);
    printf ("  SQLite commit on the store's writer thread (not UI): %8.2f us\n", commit);
    printf ("  ratio handler / HTML logger: %.3f (goal: at most 1.0)\n", handler / logger);
  }

  g_strfreev (texts);
  sb_test_purple_shutdown ();
  return 0;
}
