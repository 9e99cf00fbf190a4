/* test-lifecycle: core-smileback loads and unloads cleanly, many times.
 *
 * Each cycle loads the built .so into headless libpurple, checks that its IPC
 * calls, signals and /smileback command exist, records one message, unloads,
 * and checks that all of them are gone.  After the loop the database holds
 * every message (pending writes are flushed on unload).  The heap in use must
 * not grow across 50 cycles: measured exactly with AddressSanitizer's
 * allocator when the build uses it (-Db_sanitize=address; LeakSanitizer then
 * also checks the whole process at exit), coarsely with glibc's mallinfo2()
 * otherwise.  G_SLICE=always-malloc (tests/purple/meson.build) keeps GLib's
 * slice caches out of the count.
 */
#include <malloc.h>
#include <string.h>

#include <smileback-purple/sb-ipc.h>
#include <smileback/smileback.h>

#include "sb-test-purple.h"

#if defined(__SANITIZE_ADDRESS__)
#define SB_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_TEST_ASAN 1
#endif
#endif

#ifdef SB_TEST_ASAN
/* From the sanitizer runtime (clang's sanitizer/allocator_interface.h, which
 * GCC does not install): bytes currently allocated and not freed. */
size_t __sanitizer_get_current_allocated_bytes (void);
#endif

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
#define CYCLES 50
#define WARM_UP_CYCLES 3

/* Heap growth tolerated over half the cycles: less than one small string
 * per cycle, so any per-cycle leak shows. */
#define GROWTH_LIMIT_BYTES (CYCLES / 2 * 16)

static PurpleAccount *me;

static gsize
heap_in_use (void)
{
#ifdef SB_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes ();
#else
  return mallinfo2 ().uordblks;
#endif
}

static gboolean
command_registered (void)
{
  GList *names = purple_cmd_list (NULL);
  gboolean found = g_list_find_custom (names, "smileback", (GCompareFunc) g_strcmp0) != NULL;

  g_list_free (names);
  return found;
}

static gboolean
ipc_registered (PurplePlugin *plugin, const char *name)
{
  return purple_plugin_ipc_get_params (plugin, name, NULL, NULL, NULL);
}

static void
assert_published (PurplePlugin *plugin, gboolean expected)
{
  static const char *const calls[] = { SB_IPC_GET_STATS,     SB_IPC_GET_HINT,
                                       SB_IPC_GET_HINT_KIND, SB_IPC_GET_TOOLTIP,
                                       SB_IPC_FOREACH_BUDDY, SB_IPC_GET_MONTHLY };
  int n_values = -1;
  PurpleValue *ret = NULL;
  PurpleValue **values = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (calls); i++)
    g_assert_cmpint (ipc_registered (plugin, calls[i]), ==, expected);
  g_assert_cmpint (command_registered (), ==, expected);
  /* The values stay libpurple's: borrowed, never freed here.  Once the
   * plugin unregistered its signals, libpurple complains that the instance
   * has none: that complaint is the proof. */
  if (expected)
    {
      purple_signal_get_values (plugin, SB_SIGNAL_BUDDY_CHANGED, &ret, &n_values, &values);
      g_assert_cmpint (n_values, ==, 3);
      purple_signal_get_values (plugin, SB_SIGNAL_PROMPT, &ret, &n_values, &values);
      g_assert_cmpint (n_values, ==, 1);
    }
  else
    {
      g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*instance_data != NULL*");
      purple_signal_get_values (plugin, SB_SIGNAL_BUDDY_CHANGED, &ret, &n_values, &values);
      g_test_assert_expected_messages ();
      g_assert_cmpint (n_values, ==, -1);
    }
}

static void
one_cycle (guint i)
{
  PurplePlugin *plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_autofree char *text = g_strdup_printf ("message %u", i);

  g_assert_nonnull (plugin);
  g_assert_true (purple_plugin_is_loaded (plugin));
  assert_published (plugin, TRUE);
  /* A received line (libpurple's own send path keeps ~200 bytes per send
   * whether or not a plugin is loaded); the conversation's history, which
   * would grow by one line a cycle, is cleared. */
  sb_test_prpl_receive (me, "cycler", text, PURPLE_MESSAGE_RECV, time (NULL));
  purple_conversation_clear_message_history (
    purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, "cycler", me));
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_false (purple_plugin_is_loaded (plugin));
  assert_published (plugin, FALSE);
}

/* /lifecycle/load-unload: CYCLES cycles, no growth, every message kept. */
static void
test_load_unload (void)
{
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  g_autoptr (SbLedger) ledger = NULL;
  g_autoptr (SbBuddyKey) key = NULL;
  g_autoptr (GError) error = NULL;
  SbParams params;
  const SbStats *stats;
  gint64 growth[2];

  sb_test_prpl_add_buddy (me, "cycler");
  for (guint i = 0; i < WARM_UP_CYCLES; i++)
    one_cycle (i);
  /* Two halves: a leak grows the heap in both, a one-off growth (a hash table
   * of libpurple's doubling its buckets) only in one. */
  for (guint half = 0; half < 2; half++)
    {
      gsize before = heap_in_use ();

      for (guint i = 0; i < CYCLES / 2; i++)
        one_cycle (WARM_UP_CYCLES + half * (CYCLES / 2) + i);
      growth[half] = (gint64) heap_in_use () - (gint64) before;
    }
  g_test_message ("heap growth over %d cycles: %" G_GINT64_FORMAT " then %" G_GINT64_FORMAT
                  " bytes",
                  CYCLES / 2, growth[0], growth[1]);
#ifdef SB_TEST_ASAN
  g_assert_cmpint (MIN (growth[0], growth[1]), <, GROWTH_LIMIT_BYTES);
#else
  /* glibc's arenas keep freed memory around, so mallinfo2() only shows gross
   * leaks; the exact check runs in the AddressSanitizer build. */
  g_assert_cmpint (MIN (growth[0], growth[1]), <, 100 * GROWTH_LIMIT_BYTES);
#endif

  /* Everything recorded reached the file, though no flush timer ever fired. */
  sb_params_init (&params);
  ledger = sb_ledger_open (db_path, &params, time (NULL), &error);
  g_assert_no_error (error);
  key = sb_buddy_key_new (SB_TEST_PRPL_ID, "me", "cycler");
  stats = sb_ledger_get_stats (ledger, key);
  g_assert_nonnull (stats);
  g_assert_cmpuint (stats->all.messages_received, ==, WARM_UP_CYCLES + CYCLES);
  g_assert_cmpuint (stats->all.episodes, ==, 1);
}

/* /lifecycle/unloaded-plugin-records-nothing: signals really are disconnected. */
static void
test_unloaded_records_nothing (void)
{
  g_autofree char *db_path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  g_autoptr (SbLedger) ledger = NULL;
  g_autoptr (SbBuddyKey) key = NULL;
  g_autoptr (GError) error = NULL;
  SbParams params;

  sb_test_prpl_receive (me, "while-unloaded", "anyone?", PURPLE_MESSAGE_RECV, time (NULL));
  sb_params_init (&params);
  ledger = sb_ledger_open (db_path, &params, time (NULL), &error);
  g_assert_no_error (error);
  key = sb_buddy_key_new (SB_TEST_PRPL_ID, "me", "while-unloaded");
  g_assert_null (sb_ledger_get_stats (ledger, key));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  me = sb_test_prpl_account_new ("me");

  g_test_add_func ("/lifecycle/load-unload", test_load_unload);
  g_test_add_func ("/lifecycle/unloaded-plugin-records-nothing", test_unloaded_records_nothing);

  status = g_test_run ();
  sb_test_purple_shutdown ();
  return status;
}
