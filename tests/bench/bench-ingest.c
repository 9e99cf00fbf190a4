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

/* Events per measured round. */
#define ROUND 10000

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

  /* Rounds that alternate ours and the baseline, keeping each one's best
   * round: on a shared machine the minimum is the cost, the rest is noise. */
  GRand *rand = g_rand_new_with_seed (42);
  gsize key_len = 0;
  const guint8 *secret = sb_ledger_get_secret (ledger, &key_len);
  g_autoptr (GArray) events = g_array_sized_new (FALSE, FALSE, sizeof (SbEvent), ROUND);
  g_autoptr (GPtrArray) touched = g_ptr_array_sized_new (ROUND);
  gint64 t = t0;
  double caller = G_MAXDOUBLE, caller_hint = G_MAXDOUBLE, base = G_MAXDOUBLE;
  gint64 start = g_get_monotonic_time ();
  for (guint done = 0; done < n_events; done += ROUND)
    {
      /* The round's messages, made before the clock starts. */
      g_array_set_size (events, 0);
      g_ptr_array_set_size (touched, 0);
      for (guint i = 0; i < ROUND; i++)
        {
          t += g_rand_int_range (rand, 1, 600);
          SbEvent event = { .time = t, .direction = g_rand_boolean (rand) ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
                            .kind = SB_EVENT_MESSAGE, .size_bucket = 2 };
          g_array_append_val (events, event);
          g_ptr_array_add (touched, g_ptr_array_index (keys, g_rand_int_range (rand, 0, (gint32) n_buddies)));
        }

      /* What the plugin's message handler does on the UI thread: digest the
       * text, record the event, now and then hand the queue to the writer;
       * in the second half the buddy list also reads the buddy's figures
       * after each message, as a UI redrawing the row does. */
      for (int with_hint = 0; with_hint <= 1; with_hint++)
        {
          guint first = with_hint ? ROUND / 2 : 0, last = with_hint ? ROUND : ROUND / 2;
          gint64 c0 = g_get_monotonic_time ();
          for (guint i = first; i < last; i++)
            {
              SbEvent *event = &g_array_index (events, SbEvent, i);
              const SbBuddyKey *key = g_ptr_array_index (touched, i);
              event->digest
                = sb_text_digest (secret, key_len, "see you soon, and bring the <b>cake</b>") + done + i;
              if (!sb_ledger_add_event (ledger, key, event, event->time, NULL, &error))
                g_error ("%s", error->message);
              if (i % EVENTS_PER_FLUSH == EVENTS_PER_FLUSH - 1
                  && !sb_ledger_flush_in_background (ledger, &error))
                g_error ("%s", error->message);
              if (with_hint && sb_ledger_get_stats (ledger, key) == NULL)
                g_error ("no figures after a message");
            }
          double per_event = (g_get_monotonic_time () - c0) / 1e6 / (last - first);
          if (with_hint)
            caller_hint = MIN (caller_hint, per_event);
          else
            caller = MIN (caller, per_event);
        }

      base = MIN (base, baseline_seconds (dir, ROUND) / ROUND);
    }
  if (!sb_ledger_flush (ledger, &error))
    g_error ("%s", error->message);
  double total = (g_get_monotonic_time () - start) / 1e6;
  g_rand_free (rand);

  /* Reopening: summaries are loaded, not recomputed. */
  g_clear_pointer (&ledger, sb_ledger_free);
  gint64 open_start = g_get_monotonic_time ();
  ledger = sb_ledger_open (db, NULL, t, &error);
  g_assert_no_error (error);
  double reopen = (g_get_monotonic_time () - open_start) / 1e6;

  printf ("events: %u over %u buddies, in rounds of %d\n", n_events, n_buddies, ROUND);
  printf ("ingest to disk (ledger + store + writer thread, baseline rounds included): %.0f events/s\n",
          n_events / total);
  printf ("caller thread per event (digest + ledger + hand-over), best round: %.2f us\n", caller * 1e6);
  printf ("the same plus the buddy's figures read back after each message: %.2f us\n",
          caller_hint * 1e6);
  printf ("baseline, html log line + fflush per event, best round: %.2f us\n", base * 1e6);
  printf ("ratio caller thread / baseline (goal <= 1.0): %.2f\n", caller / base);
  printf ("ratio with the figures read back / baseline: %.2f\n", caller_hint / base);
  printf ("reopen with %u buddies: %.1f ms\n", n_buddies, reopen * 1e3);

  g_clear_pointer (&ledger, sb_ledger_free);
  sb_test_remove_tree (dir);
  return 0;
}
