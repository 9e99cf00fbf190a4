/* test-plugin: a libpurple client with core-smileback loaded, facing a
 * damaged history and hostile input.
 *
 * Headless libpurple (tests/common) with notify UI ops that count what the
 * user is shown.  For each bad file in the profile (cut short, random bytes
 * in a data page after a clean close, a -wal without its database) the
 * plugin loads, the bad file goes aside byte for byte, the user is told
 * exactly once, and the next message is recorded into a new history.  A file
 * from a newer Smile Back: the plugin does not load, the user is told once to
 * update, the file stays as it was.  A -wal left by a crash: every event is
 * kept, nobody is bothered.  Hostile buddy names, huge messages and odd
 * times: the client keeps running and the history stays readable.
 */
#include <smileback/smileback.h>
#include <string.h>

#include "sb-test-damage.h"
#include "sb-test-purple.h"
#include "sb-test-util.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"

static PurpleAccount *me;

/* What the notify UI ops were asked to show. */
static struct
{
  guint count;
  char *primary;
  char *secondary;
} told;

static void *
notify_message (PurpleNotifyMsgType type, const char *title, const char *primary,
                const char *secondary)
{
  told.count++;
  g_free (told.primary);
  g_free (told.secondary);
  told.primary = g_strdup (primary);
  told.secondary = g_strdup (secondary);
  g_test_message ("told: %s / %s", primary, secondary != NULL ? secondary : "");
  return NULL;
}

static PurpleNotifyUiOps notify_ops = {
  .notify_message = notify_message,
};

typedef struct
{
  char *db;
  char *digest; /* of the bad file, before the plugin saw it */
} Fixture;

static void
remove_histories (void)
{
  g_auto (GStrv) names = sb_test_damage_find (sb_test_purple_user_dir (), "smileback.db");
  for (int i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (sb_test_purple_user_dir (), names[i], NULL);
      sb_test_remove_tree (path);
    }
}

static void
setup (Fixture *f, gconstpointer data)
{
  remove_histories ();
  f->db = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);
  told.count = 0;
}

static void
teardown (Fixture *f, gconstpointer data)
{
  PurplePlugin *plugin = purple_plugins_find_with_id ("core-smileback");
  if (plugin != NULL && purple_plugin_is_loaded (plugin))
    purple_plugin_unload (plugin);
  remove_histories ();
  g_free (f->db);
  g_free (f->digest);
}

static gboolean
told_once (gpointer data)
{
  return told.count >= 1;
}

/* Loads the plugin (it must load); the client's session goes on. */
static void
load (void)
{
  g_assert_nonnull (sb_test_purple_load_plugin (PLUGIN_PATH));
}

static void
unload (void)
{
  PurplePlugin *plugin = purple_plugins_find_with_id ("core-smileback");
  g_assert_nonnull (plugin);
  g_assert_true (purple_plugin_unload (plugin));
}

/* The copy set aside in the profile whose name ends with @suffix ("-wal"),
 * or the database itself for "".  Caller frees. */
static char *
copy_aside (const char *suffix)
{
  g_auto (GStrv) aside = sb_test_damage_find (sb_test_purple_user_dir (), "smileback.db.corrupt-");
  for (int i = 0; aside[i] != NULL; i++)
    {
      gboolean side_file = g_str_has_suffix (aside[i], "-wal") || g_str_has_suffix (aside[i], "-shm");
      if (*suffix != '\0' ? g_str_has_suffix (aside[i], suffix) : !side_file)
        return g_build_filename (sb_test_purple_user_dir (), aside[i], NULL);
    }
  g_assert_not_reached ();
}

/* The plugin set @f's bad file aside and said so once: the copy has the bad
 * bytes, the next message goes into a new history, nothing else is said. */
static void
assert_set_aside_and_told (Fixture *f, const char *suffix)
{
  g_assert_true (sb_test_purple_wait (told_once, NULL, 30000));
  g_assert_nonnull (strstr (told.primary, "damaged"));
  g_assert_nonnull (strstr (told.secondary, "Nothing was deleted"));
  g_autofree char *copy = copy_aside (suffix);
  g_autofree char *digest = sb_test_damage_digest (copy);
  g_assert_cmpstr (digest, ==, f->digest);
  g_assert_nonnull (strstr (told.secondary, copy));

  sb_test_prpl_receive (me, "fresh", "hello again", PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_purple_run_for (300);
  unload ();
  g_assert_cmpuint (told.count, ==, 1);
  g_assert_cmpint (sb_test_damage_count_events (f->db), ==, 1);
}

static void
cut_in_half (const char *db)
{
  sb_test_damage_truncate (db, 0.5);
}

/* Found by the background check of the first start, while the client runs. */
static void
scramble_a_page (const char *db)
{
  sb_test_damage_events_page (db, 256, 7);
}

/* /plugin/damage/truncated, /plugin/damage/page-after-clean-close: a history
 * closed cleanly, then damaged by @data (a function of the file). */
static void
test_damaged (Fixture *f, gconstpointer data)
{
  void (*damage) (const char *db) = data;
  sb_test_damage_fill (f->db, 40, 100);
  damage (f->db);
  f->digest = sb_test_damage_digest (f->db);
  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  load ();
  assert_set_aside_and_told (f, "");
  g_test_assert_expected_messages ();
}

/* /plugin/damage/orphan-wal: kept aside, not deleted with its events. */
static void
test_orphan_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *from = g_build_filename (sb_test_purple_user_dir (), "elsewhere.db", NULL);
  sb_test_damage_fill (from, 10, 20);
  sb_test_damage_crash_copy (from, f->db, FALSE);
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  f->digest = sb_test_damage_digest (wal);
  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  load ();
  assert_set_aside_and_told (f, "-wal");
  g_test_assert_expected_messages ();
  sb_test_remove_tree (from);
}

/* /plugin/damage/future-schema: not loaded, told to update, untouched. */
static void
test_future_schema (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 10, 20);
  sb_test_damage_set_version (f->db, SB_STORE_SCHEMA_VERSION + 1);
  f->digest = sb_test_damage_digest (f->db);
  /* libpurple writes its own files in the profile when it likes: only Smile
   * Back's count. */
  g_auto (GStrv) listing = sb_test_damage_find (sb_test_purple_user_dir (), "smileback");
  g_autofree char *path = sb_test_build_path (PLUGIN_PATH);
  PurplePlugin *plugin = purple_plugin_probe (path);
  g_assert_nonnull (plugin);
  g_assert_false (purple_plugin_load (plugin));
  g_assert_nonnull (strstr (plugin->error, "newer"));
  /* libpurple keeps a plugin with an error from loading until the UI clears
   * it (as Pidgin's plugin dialog does when the user enables it again). */
  g_clear_pointer (&plugin->error, g_free);
  g_assert_cmpuint (told.count, ==, 1);
  g_assert_nonnull (strstr (told.primary, "update"));
  /* The client goes on; messages are not recorded anywhere. */
  sb_test_prpl_receive (me, "fresh", "anyone there?", PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_purple_run_for (300);
  g_autofree char *digest = sb_test_damage_digest (f->db);
  g_auto (GStrv) listing_after = sb_test_damage_find (sb_test_purple_user_dir (), "smileback");
  g_assert_cmpstr (digest, ==, f->digest);
  g_assert_true (g_strv_equal ((const char *const *) listing_after,
                               (const char *const *) listing));
  g_assert_cmpuint (told.count, ==, 1);
}

/* /plugin/damage/stale-wal: a crash's -wal is recovered; nothing lost,
 * nothing said. */
static void
test_stale_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *from = g_build_filename (sb_test_purple_user_dir (), "elsewhere.db", NULL);
  sb_test_damage_fill (from, 10, 20);
  sb_test_damage_crash_copy (from, f->db, TRUE);
  load ();
  sb_test_prpl_receive (me, "fresh", "hello", PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_purple_run_for (1500);
  unload ();
  g_assert_cmpuint (told.count, ==, 0);
  g_assert_cmpint (sb_test_damage_count_events (f->db), ==, 10 * 20 + SB_TEST_DAMAGE_WAL_EVENTS + 1);
  g_auto (GStrv) aside = sb_test_damage_find (sb_test_purple_user_dir (), "smileback.db.corrupt-");
  g_assert_cmpuint (g_strv_length (aside), ==, 0);
  sb_test_remove_tree (from);
}

/* Buddy names nobody should choose, as the protocol hands them over. */
static char **
hostile_names (void)
{
  GPtrArray *names = g_ptr_array_new ();
  g_ptr_array_add (names, g_strdup ("o'brien\"; drop table events; --"));
  g_ptr_array_add (names, g_strdup ("semi;colon;name"));
  g_ptr_array_add (names, g_strdup ("new\nline"));
  g_ptr_array_add (names, g_strdup ("%s%n%x"));
  g_ptr_array_add (names, g_strnfill (10 * 1024, 'k'));
  g_ptr_array_add (names, g_strdup ("bad\xff\xfe utf8"));
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* /plugin/hostile/names-sizes-times: the client keeps running and records
 * what it can; the history stays sound and readable. */
static void
test_hostile (Fixture *f, gconstpointer data)
{
  load ();
  g_auto (GStrv) names = hostile_names ();
  for (int i = 0; names[i] != NULL; i++)
    sb_test_prpl_receive (me, names[i], "hi <b>there</b>; '\"", PURPLE_MESSAGE_RECV, time (NULL));
  g_autofree char *huge = g_strnfill (1024 * 1024, 'x');
  sb_test_prpl_receive (me, "sizes", huge, PURPLE_MESSAGE_RECV, time (NULL));
  sb_test_prpl_send (me, "sizes", huge);
  sb_test_prpl_receive (me, "times", "from 1970", PURPLE_MESSAGE_RECV, 1);
  sb_test_prpl_receive (me, "times", "from 2100", PURPLE_MESSAGE_RECV, (time_t) 4102444800);
  sb_test_purple_run_for (500);
  unload ();

  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) store = sb_store_open_with (f->db, SB_STORE_READ_ONLY, &error);
  g_assert_no_error (error);
  gint64 events = sb_test_damage_count_events (f->db);
  g_test_message ("hostile input: %" G_GINT64_FORMAT " events recorded", events);
  /* Every valid name and the huge messages at least; the 1970 and 2100 lines
   * as the capture's rules take them. */
  g_assert_cmpint (events, >=, 5 + 2);
  for (int i = 0; names[i] != NULL; i++)
    {
      if (!g_utf8_validate (names[i], -1, NULL))
        continue;
      /* The test protocol normalizes into 255 bytes, as protocols bound names. */
      g_autofree char *normal = g_utf8_strdown (names[i], -1);
      normal[MIN (strlen (normal), 255)] = '\0';
      g_autoptr (SbBuddyKey) key = sb_buddy_key_new (SB_TEST_PRPL_ID, "me", normal);
      gint64 id = sb_store_lookup_buddy (store, key, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (id, >, 0);
    }
  g_autoptr (SbStore) again = sb_store_open (f->db, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  purple_notify_set_ui_ops (&notify_ops);
  me = sb_test_prpl_account_new ("me");

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  g_test_add ("/plugin/damage/truncated", Fixture, cut_in_half, setup, test_damaged, teardown);
  g_test_add ("/plugin/damage/page-after-clean-close", Fixture, scramble_a_page, setup,
              test_damaged, teardown);
  ADD ("/plugin/damage/orphan-wal", test_orphan_wal);
  ADD ("/plugin/damage/future-schema", test_future_schema);
  ADD ("/plugin/damage/stale-wal", test_stale_wal);
  ADD ("/plugin/hostile/names-sizes-times", test_hostile);
#undef ADD

  status = g_test_run ();
  g_free (told.primary);
  g_free (told.secondary);
  sb_test_purple_shutdown ();
  return status;
}
