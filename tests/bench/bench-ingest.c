/* bench-ingest: how fast the ledger + store take events, and what one event
 * costs the caller's thread, against appending and flushing a Pidgin-HTML-log
 * line to a file (what libpurple's own HTML logger does for every message) in
 * the same run.  Prints figures; never fails on time.
 *
 *   bench-ingest [EVENTS] [BUDDIES]     (default 200000 events, 500 buddies)
 */
#include <smileback/smileback.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

/* The plugin hands writes to the store's writer thread from a timer every few
 * seconds; a busy user writes a few messages a second, so a hand-over every 20
 * events is pessimistic. */
#define EVENTS_PER_FLUSH 20

/* The baseline: one HTML log line per message, written and flushed as
 * libpurple's html_logger_write() does. */
static double
baseline_seconds (const char *dir, guint n_events)
{
  g_autofree char *path = g_build_filename (dir, "2024-01-01.000000+0000UTC.html", NULL);
  FILE *log = fopen (path, "a");
  g_assert_nonnull (log);
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < n_events; i++)
    {
      g_autofree char *escaped = g_markup_escape_text ("see you soon, and bring the <b>cake</b>", -1);
      fprintf (log,
               "<font color=\"#A82F2F\"><font size=\"2\">(%02u:%02u:%02u)</font> <b>bob:</b></font> "
               "%s<br/>\n",
               (i / 3600) % 24, (i / 60) % 60, i % 60, escaped);
      fflush (log);
    }
  gint64 elapsed = g_get_monotonic_time () - start;
  fclose (log);
  return elapsed / 1e6;
}

int
main (int argc, char **argv)
{
  guint n_events = argc > 1 ? (guint) atoi (argv[1]) : 200000;
  guint n_buddies = argc > 2 ? (guint) atoi (argv[2]) : 500;
  g_autofree char *dir = sb_test_make_tmpdir ("sb-bench-XXXXXX");
  g_autofree char *db = g_build_filename (dir, "smileback.db", NULL);

  const gint64 t0 = 1500000000;
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (db, NULL, t0, &error);
  g_assert_no_error (error);

  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
  for (guint b = 0; b < n_buddies; b++)
    {
      g_autofree char *name = g_strdup_printf ("buddy%u@example.org", b);
      g_ptr_array_add (keys, sb_buddy_key_new ("prpl-jabber", "me@example.org", name));
    }

  GRand *rand = g_rand_new_with_seed (42);
  gsize key_len = 0;
  const guint8 *secret = sb_ledger_get_secret (ledger, &key_len);
  gint64 t = t0;
  double caller = 0, hint = 0;
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < n_events; i++)
    {
      t += g_rand_int_range (rand, 1, 600);
      SbEvent event = {
        .time = t,
        .direction = g_rand_boolean (rand) ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
        .kind = SB_EVENT_MESSAGE,
        .size_bucket = 2,
      };
      const SbBuddyKey *key = g_ptr_array_index (keys, g_rand_int_range (rand, 0, (gint32) n_buddies));

      /* What the plugin's message handler does on the UI thread: digest the
       * text, record the event, now and then hand the queue over. */
      gint64 c0 = g_get_monotonic_time ();
      event.digest = sb_text_digest (secret, key_len, "see you soon, and bring the <b>cake</b>") + i;
      if (!sb_ledger_add_event (ledger, key, &event, t, NULL, &error))
        g_error ("%s", error->message);
      if (i % EVENTS_PER_FLUSH == EVENTS_PER_FLUSH - 1 && !sb_ledger_flush_in_background (ledger, &error))
        g_error ("%s", error->message);
      gint64 c1 = g_get_monotonic_time ();
      caller += (c1 - c0) / 1e6;

      /* What the buddy list then asks: the figures, from memory. */
      if (sb_ledger_get_stats (ledger, key) == NULL)
        g_error ("no figures after a message");
      hint += (g_get_monotonic_time () - c1) / 1e6;
    }
  if (!sb_ledger_flush (ledger, &error))
    g_error ("%s", error->message);
  double total = (g_get_monotonic_time () - start) / 1e6;
  g_rand_free (rand);

  double base = baseline_seconds (dir, n_events);

  /* Reopening: summaries are loaded, not recomputed. */
  g_clear_pointer (&ledger, sb_ledger_free);
  gint64 open_start = g_get_monotonic_time ();
  ledger = sb_ledger_open (db, NULL, t, &error);
  g_assert_no_error (error);
  double reopen = (g_get_monotonic_time () - open_start) / 1e6;

  printf ("events: %u over %u buddies\n", n_events, n_buddies);
  printf ("ingest to disk (ledger + store + writer thread): %.0f events/s\n", n_events / total);
  printf ("caller thread per event (digest + ledger + hand-over): %.2f us\n", caller * 1e6 / n_events);
  printf ("figures recomputed for the hint after each event: %.2f us\n", hint * 1e6 / n_events);
  printf ("baseline, html log line + fflush per event: %.2f us\n", base * 1e6 / n_events);
  printf ("ratio caller thread / baseline (goal <= 1.0): %.2f\n", caller / base);
  printf ("ratio incl. the hint's recomputation / baseline: %.2f\n", (caller + hint) / base);
  printf ("reopen with %u buddies: %.1f ms\n", n_buddies, reopen * 1e3);

  g_clear_pointer (&ledger, sb_ledger_free);
  sb_test_remove_tree (dir);
  return 0;
}
