/* test-lock: another process holds the database's write lock for ten
 * seconds while messages flow; the client's main loop never waits on it and
 * every message is written once the lock goes.
 *
 * The buddies "known0".."known4" are recorded in a first session, so the
 * second session loads them from the store.  Then a child holds BEGIN
 * EXCLUSIVE for LOCK_MS while about 200 IMs a second arrive: from the known
 * buddies in order, from a new buddy every NEW_EVERY messages (a buddy the
 * store has never seen) and, every OLD_EVERY messages, one three days old
 * from a known buddy (older than what memory holds: its place among the
 * episodes needs the store).  A 10 ms timer measures how late the main loop
 * runs; it must never be later than MAX_LATE_MS (ticks where the kernel
 * preempted the thread are printed apart: sb-reliability.h).  After the lock
 * goes, every message must be in the database.
 */
#include <string.h>

#include "sb-reliability.h"
#include "sb-test-purple.h"

#define LOCK_MS 10000
#define KNOWN 5
#define NEW_EVERY 20
#define OLD_EVERY 25
#define MAX_LATE_MS 50
/* Two messages every 10 ms: 200 a second. */
#define TICK_MS 10
#define PER_TICK 2

static PurpleAccount *me;

typedef struct
{
  GPtrArray *texts; /* every message sent, to find in the database */
  gint64 stop_at;   /* monotonic us */
  guint n_new, n_old;
} Flow;

/* The next message of the flow: its sender, text and time. */
static void
flow_send (Flow *flow)
{
  guint i = flow->texts->len;
  g_autofree char *who = NULL;
  time_t when = time (NULL);
  char *text = g_strdup_printf ("lock test message %u", i);

  if (i % NEW_EVERY == 0)
    {
      who = g_strdup_printf ("new%u", flow->n_new++);
    }
  else if (i % OLD_EVERY == 1)
    {
      who = g_strdup_printf ("known%u", i % KNOWN);
      when -= 3 * 24 * 3600 + (time_t) i;
      flow->n_old++;
    }
  else
    who = g_strdup_printf ("known%u", i % KNOWN);
  sb_test_prpl_receive (me, who, text, PURPLE_MESSAGE_RECV, when);
  g_ptr_array_add (flow->texts, text);
}

static gboolean
flow_tick (gpointer data)
{
  Flow *flow = data;
  if (g_get_monotonic_time () >= flow->stop_at)
    return G_SOURCE_REMOVE;
  for (guint k = 0; k < PER_TICK; k++)
    flow_send (flow);
  return G_SOURCE_CONTINUE;
}

/* A first session records the known buddies, so the next loads them. */
static void
record_known_buddies (const char *db)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);

  for (guint i = 0; i < KNOWN; i++)
    {
      g_autofree char *who = g_strdup_printf ("known%u", i);
      char *text = g_strdup_printf ("hello from known%u", i);
      sb_test_prpl_receive (me, who, text, PURPLE_MESSAGE_RECV, time (NULL) - 60);
      g_ptr_array_add (texts, text);
    }
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_cmpuint (sb_rel_count_stored (db, (char **) texts->pdata, texts->len), ==, KNOWN);
}

/* /lock/ten-seconds */
static void
test_lock (void)
{
  g_autofree char *db = sb_rel_db_path ();
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  Flow flow = { texts, 0, 0, 0 };
  SbRelProbe probe;

  record_known_buddies (db);
  g_assert_nonnull (sb_test_purple_load_plugin (SB_REL_PLUGIN));
  sb_test_purple_run_for (200);

  GPid locker = sb_rel_hold_lock (db, LOCK_MS);
  gint64 locked_at = g_get_monotonic_time ();
  sb_rel_probe_start (&probe);
  flow.stop_at = locked_at + (LOCK_MS - 1000) * 1000;
  g_timeout_add (TICK_MS, flow_tick, &flow);
  g_assert_cmpint (sb_rel_wait_running (locker), ==, 0);
  gint64 late_during_lock = probe.max_late_us;
  gint64 released_at = g_get_monotonic_time ();
  /* the catch-up after the lock, still measured (the test's own reads of the
   * database, every 100 ms, count too) */
  guint stored = sb_rel_wait_stored (db, (char **) texts->pdata, texts->len, 10000);
  gint64 all_written_ms = (g_get_monotonic_time () - released_at) / 1000;
  sb_test_purple_run_for (1000);
  sb_rel_probe_stop (&probe);
  g_test_message ("lock: %u messages (%u from new buddies, %u three days old) during a %d s "
                  "write lock; main loop at most %" G_GINT64_FORMAT " ms late (%"
                  G_GINT64_FORMAT " ms during the lock; %" G_GINT64_FORMAT " ms on ticks the "
                  "kernel preempted; %u ticks); %u of %u written, all within %" G_GINT64_FORMAT
                  " ms of the lock going",
                  texts->len, flow.n_new, flow.n_old, LOCK_MS / 1000, probe.max_late_us / 1000,
                  late_during_lock / 1000, probe.max_preempted_us / 1000, probe.ticks, stored,
                  texts->len, all_written_ms);
  g_assert_cmpuint (stored, ==, texts->len);
  g_assert_cmpint (probe.max_late_us, <, MAX_LATE_MS * 1000);
  g_assert_true (sb_rel_integrity_ok (db));
}

static void
add_tests (void)
{
  g_test_add_func ("/lock/ten-seconds", test_lock);
}

int
main (int argc, char **argv)
{
  return sb_rel_main (argc, argv, &me, add_tests);
}
