/* test-lock-lifecycle: the database locked by another process when the
 * plugin unloads, or when it loads, loses nothing.
 *
 * At unload the plugin waits a bounded time (SB_PURPLE_UNLOAD_WAIT_MS) and
 * then keeps what it could not commit in the journal beside the database
 * (smileback.db.unsaved); the next load replays it.  At load it opens the
 * database in the background, retrying, while capture keeps the messages;
 * unloaded before the lock goes, it journals them too.  Each case sends
 * messages from known buddies, new buddies and three-day-old ones, and
 * checks at the end that every one is in the database and the journal gone.
 */
#include <string.h>

#include "sb-reliability.h"
#include "sb-test-purple.h"

#define MESSAGES 60

static PurpleAccount *me;
static guint sent;

/* Sends @n messages (every 5th from a new buddy, every 7th three days old)
 * and adds their texts to @texts. */
static void
send_messages (GPtrArray *texts, guint n)
{
  for (guint k = 0; k < n; k++, sent++)
    {
      g_autofree char *who = sent % 5 == 0 ? g_strdup_printf ("newcomer%u", sent)
                                           : g_strdup_printf ("regular%u", sent % 3);
      time_t when = time (NULL) - (sent % 7 == 0 ? 3 * 24 * 3600 + (time_t) sent : 0);
      char *text = g_strdup_printf ("lifecycle message %u", sent);
      sb_test_prpl_receive (me, who, text, PURPLE_MESSAGE_RECV, when);
      g_ptr_array_add (texts, text);
    }
}

static char *
journal_path (void)
{
  return g_build_filename (purple_user_dir (), "smileback.db.unsaved", NULL);
}

/* Loads the plugin (replaying a journal), checks that every text is stored
 * and the journal gone, and unloads. */
static void
assert_all_kept (const char *db, GPtrArray *texts)
{
  g_autofree char *journal = journal_path ();
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);

  g_assert_nonnull (plugin);
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_cmpuint (sb_rel_count_stored (db, (char **) texts->pdata, texts->len), ==, texts->len);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_assert_true (sb_rel_integrity_ok (db));
}

/* Lines in the journal (0 when there is none). */
static guint
journal_lines (void)
{
  g_autofree char *journal = journal_path ();
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (journal, &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* /lock-lifecycle/at-unload */
static void
test_at_unload (void)
{
  g_autofree char *db = sb_rel_db_path ();
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);

  send_messages (texts, MESSAGES);
  sb_test_purple_run_for (1500); /* committed: the buddies are known */
  GPid locker = sb_rel_hold_lock (db, 6000);
  send_messages (texts, MESSAGES);
  gint64 start = g_get_monotonic_time ();
  g_assert_true (purple_plugin_unload (plugin));
  gint64 unload_ms = (g_get_monotonic_time () - start) / 1000;
  guint kept = journal_lines ();
  g_assert_cmpuint (kept, >=, MESSAGES);
  g_assert_cmpint (sb_rel_wait_running (locker), ==, 0);
  assert_all_kept (db, texts);
  g_test_message ("lock at unload: unload waited %" G_GINT64_FORMAT " ms, then kept %u events "
                  "in smileback.db.unsaved; all %u messages are in the database after the next "
                  "load",
                  unload_ms, kept, texts->len);
}

/* /lock-lifecycle/at-load */
static void
test_at_load (void)
{
  g_autofree char *db = sb_rel_db_path ();
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  guint notices = sb_test_purple_get_notice_count ();

  GPid locker = sb_rel_hold_lock (db, 4000);
  gint64 start = g_get_monotonic_time ();
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);
  gint64 load_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_nonnull (plugin);
  g_assert_cmpuint (sb_test_purple_get_notice_count (), ==, notices + 1);
  g_test_message ("told: %s", sb_test_purple_get_last_notice ());
  send_messages (texts, MESSAGES);
  g_assert_cmpint (sb_rel_wait_running (locker), ==, 0);
  gint64 released = g_get_monotonic_time ();
  guint stored = sb_rel_wait_stored (db, (char **) texts->pdata, texts->len, 10000);
  gint64 saved_ms = (g_get_monotonic_time () - released) / 1000;
  g_assert_cmpuint (stored, ==, texts->len);
  g_assert_cmpuint (sb_test_purple_get_notice_count (), ==, notices + 1);
  g_assert_true (purple_plugin_unload (plugin));
  assert_all_kept (db, texts);
  g_test_message ("lock at load: load returned after %" G_GINT64_FORMAT " ms, told once; %u "
                  "messages kept meanwhile, all in the database %" G_GINT64_FORMAT " ms after "
                  "the lock went",
                  load_ms, texts->len, saved_ms);
}

/* /lock-lifecycle/at-load-then-unload */
static void
test_at_load_then_unload (void)
{
  g_autofree char *db = sb_rel_db_path ();
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  GPid locker = sb_rel_hold_lock (db, 4000);
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);
  g_assert_nonnull (plugin);
  send_messages (texts, MESSAGES);
  g_assert_true (purple_plugin_unload (plugin));
  guint kept = journal_lines ();
  g_assert_cmpuint (kept, ==, MESSAGES);
  g_assert_cmpint (sb_rel_wait_running (locker), ==, 0);
  assert_all_kept (db, texts);
  g_test_message ("lock at load, unloaded while locked: %u events kept in smileback.db.unsaved, "
                  "all in the database after the next load",
                  kept);
}

static void
add_tests (void)
{
  g_test_add_func ("/lock-lifecycle/at-unload", test_at_unload);
  g_test_add_func ("/lock-lifecycle/at-load", test_at_load);
  g_test_add_func ("/lock-lifecycle/at-load-then-unload", test_at_load_then_unload);
}

int
main (int argc, char **argv)
{
  return sb_rel_main (argc, argv, &me, add_tests);
}
