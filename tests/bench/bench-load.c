/* bench-load: how long opening a large history takes (what loading the plugin
 * costs), against replaying it: reading every stored event back, the least a
 * design without stored summaries would pay, in the same run.  Prints figures;
 * never fails on time.
 *
 *   bench-load [BUDDIES] [EVENTS_PER_BUDDY]   (default 5000 x 200 = 1 million;
 *                                              5000 x 2000 is ten years of history)
 */
#include <smileback/smileback.h>
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int argc, char **argv)
{
  guint n_buddies = argc > 1 ? (guint) atoi (argv[1]) : 5000;
  guint per_buddy = argc > 2 ? (guint) atoi (argv[2]) : 200;
  g_autofree char *dir = sb_test_make_tmpdir ("sb-bench-load-XXXXXX");
  g_autofree char *db = g_build_filename (dir, "smileback.db", NULL);
  const gint64 now = 1800000000;
  const gint64 ten_years = 3650 * SB_DAY;
  g_autoptr (GError) error = NULL;

  /* Ten years of history per buddy, written through the bulk (import) path. */
  gint64 start = g_get_monotonic_time ();
  {
    g_autoptr (SbLedger) ledger = sb_ledger_open (db, NULL, now, &error);
    g_assert_no_error (error);
    g_autoptr (GRand) rand = g_rand_new_with_seed (1);
    g_autoptr (GArray) events = g_array_sized_new (FALSE, FALSE, sizeof (SbEvent), per_buddy);
    for (guint b = 0; b < n_buddies; b++)
      {
        g_autofree char *name = g_strdup_printf ("buddy%u@example.org", b);
        g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@example.org", name);
        g_array_set_size (events, 0);
        gint64 t = now - ten_years;
        gint64 step = ten_years / per_buddy;
        for (guint i = 0; i < per_buddy; i++)
          {
            t += g_rand_int_range (rand, 1, (gint32) MIN (step * 2, G_MAXINT32 - 1));
            SbEvent e = { .time = MIN (t, now), .direction = g_rand_boolean (rand),
                          .kind = SB_EVENT_MESSAGE, .source = SB_SOURCE_IMPORT,
                          .digest = (guint64) b * per_buddy + i + 1 };
            g_array_append_val (events, e);
          }
        if (!sb_ledger_add_events (ledger, key, (SbEvent *) events->data, events->len, now, NULL,
                                   &error))
          g_error ("%s", error->message);
      }
    if (!sb_ledger_flush (ledger, &error))
      g_error ("%s", error->message);
  }
  double build = seconds_since (start);
  GStatBuf st;
  g_stat (db, &st);

  /* What loading the plugin costs: open the ledger (summaries + recent episodes). */
  start = g_get_monotonic_time ();
  g_autoptr (SbLedger) ledger = sb_ledger_open (db, NULL, now, &error);
  g_assert_no_error (error);
  double open = seconds_since (start);

  /* The baseline: read every event back, as a replay would. */
  start = g_get_monotonic_time ();
  guint64 read = 0;
  SbStore *store = sb_ledger_get_store (ledger);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  for (guint b = 1; b <= n_buddies; b++)
    {
      g_array_set_size (all, 0);
      if (!sb_store_load_events (store, b, G_MININT64, all, &error))
        g_error ("%s", error->message);
      read += all->len;
    }
  double replay = seconds_since (start);

  printf ("history: %u buddies x %u events = %" G_GUINT64_FORMAT " events, %.1f MB on disk "
          "(built in %.1f s)\n",
          n_buddies, per_buddy, read, st.st_size / 1e6, build);
  printf ("open (summaries, recent episodes, integrity check): %.1f ms\n", open * 1e3);
  printf ("baseline, reading every event back: %.1f ms\n", replay * 1e3);
  printf ("ratio open / replay (lower is better): %.3f\n", open / replay);

  g_clear_pointer (&ledger, sb_ledger_free);
  sb_test_remove_tree (dir);
  return 0;
}
