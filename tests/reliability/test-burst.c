/* test-burst: thousands of messages from one buddy within the same second
 * cost the main thread about the same per message as a few.
 *
 * BURST messages from one new buddy, all stamped with the same second, are
 * received back to back; the time the main thread spends on them is printed
 * per message beside that of a burst a quarter as long, and their ratio
 * (near 1 when the cost is linear), and beside the same two bursts received
 * with the plugin unloaded: libpurple's own cost, the baseline.  No check is
 * on a timing: every message must be stored.
 */
#include <string.h>

#include <smileback-purple/sb-ipc.h>

#include "sb-reliability.h"
#include "sb-test-purple.h"

#define BURST 4000

static PurpleAccount *me;

/* Receives @n messages from @who in one second; returns the time taken in
 * microseconds and adds the texts to @texts. */
static gint64
burst (const char *who, guint n, GPtrArray *texts)
{
  time_t second = time (NULL);
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      char *text = g_strdup_printf ("burst %s message %u", who, i);
      sb_test_prpl_receive (me, who, text, PURPLE_MESSAGE_RECV, second);
      g_ptr_array_add (texts, text);
    }
  return g_get_monotonic_time () - start;
}

/* /burst/one-second */
static void
test_burst (void)
{
  g_autofree char *db = sb_rel_db_path ();
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);

  g_assert_nonnull (plugin);
  (void) burst ("warm-up", 100, texts);
  gint64 small = burst ("quarter", BURST / 4, texts);
  gint64 large = burst ("whole", BURST, texts);
  double per_small = (double) small / (BURST / 4);
  double per_large = (double) large / BURST;
  g_test_message ("burst: %d messages from one buddy in one second took %.3f s on the main "
                  "thread (%.1f us each); %d took %.3f s (%.1f us each); ratio per message %.2f",
                  BURST, large / 1e6, per_large, BURST / 4, small / 1e6, per_small,
                  per_large / per_small);

  guint stored = sb_rel_wait_stored (db, (char **) texts->pdata, texts->len, 20000);
  g_assert_cmpuint (stored, ==, texts->len);
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_true (sb_rel_integrity_ok (db));

  g_autoptr (GPtrArray) unrecorded = g_ptr_array_new_with_free_func (g_free);
  gint64 base_small = burst ("quarter-unloaded", BURST / 4, unrecorded);
  gint64 base_large = burst ("whole-unloaded", BURST, unrecorded);
  g_test_message ("burst baseline, plugin unloaded: %.1f us each for %d, %.1f us each for %d; "
                  "ratio per message %.2f",
                  (double) base_large / BURST, BURST, (double) base_small / (BURST / 4), BURST / 4,
                  ((double) base_large / BURST) / ((double) base_small / (BURST / 4)));
}

static void
add_tests (void)
{
  g_test_add_func ("/burst/one-second", test_burst);
}

int
main (int argc, char **argv)
{
  return sb_rel_main (argc, argv, &me, add_tests);
}
