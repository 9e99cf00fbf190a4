/* test-store-damage: the store facing a file it did not leave that way.
 *
 * A truncated file, random bytes in a data page after a clean close, a
 * schema from the future, a -wal left by a crash, a -wal without its
 * database.  The owner (the plugin) moves a bad file aside, byte for byte as
 * it found it, and starts anew; a good file loses nothing; a newer file is
 * left untouched.  A visitor (the command's import, merge, forget) and a
 * reader (report) change nothing at all, and only the owner's clean close
 * marks the file clean.
 */
#include <smileback/smileback.h>
#include <smileback/sb-dbfile.h>
#include "sb-test-damage.h"
#include "sb-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define N_BUDDIES 60
#define PER_BUDDY 150

/* The fixture: a temporary folder and the database's path in it. */
typedef SbTestHistory Fixture;

/* Opens @f's file as @mode, expecting @code (-1: success). */
static SbStore *
open_expecting (Fixture *f, SbStoreMode mode, int code)
{
  g_autoptr (GError) error = NULL;
  SbStore *store = sb_store_open_with (f->db, mode, &error);
  if (code < 0)
    g_assert_no_error (error);
  else
    g_assert_error (error, SB_STORE_ERROR, code);
  return store;
}

/* Waits for the owner's background check; its verdict. */
static SbStoreCheck
wait_verdict (SbStore *store)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  SbStoreCheck verdict;
  while ((verdict = sb_store_get_check (store, NULL)) == SB_STORE_CHECK_PENDING
         && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  return verdict;
}

/* The one copy moved aside in @f's folder; its full path. */
static char *
the_copy_aside (Fixture *f)
{
  g_auto (GStrv) aside = sb_test_damage_find (f->dir, "smileback.db.corrupt-");
  g_assert_cmpuint (g_strv_length (aside), >=, 1);
  return g_build_filename (f->dir, aside[0], NULL);
}

/* A visitor and a reader refuse @f's damaged file, or fail reading it, and
 * change nothing in its folder. */
static void
assert_others_leave_it (Fixture *f)
{
  g_autofree char *before = sb_test_damage_listing (f->dir);
  g_autofree char *digest = sb_test_damage_digest (f->db);
  g_assert_null (open_expecting (f, SB_STORE_VISITOR, SB_STORE_ERROR_CORRUPT));
  g_autoptr (GError) error = NULL;
  g_autoptr (SbStore) reader = sb_store_open_with (f->db, SB_STORE_READ_ONLY, &error);
  if (reader != NULL)
    {
      /* The start of the file reads; the damage shows where it is read. */
      g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
      gboolean ok = TRUE;
      for (gint64 id = 1; ok && id <= N_BUDDIES; id++)
        ok = sb_store_load_events (reader, id, G_MININT64, events, &error);
      g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT);
    }
  else
    g_assert_error (error, SB_STORE_ERROR, SB_STORE_ERROR_CORRUPT);
  g_clear_pointer (&reader, sb_store_free);
  g_autofree char *after = sb_test_damage_listing (f->dir);
  g_assert_cmpstr (before, ==, after);
  g_autofree char *digest_after = sb_test_damage_digest (f->db);
  g_assert_cmpstr (digest, ==, digest_after);
}

/* The owner opens @f's damaged file (whose bytes are @digest): moved aside as
 * they were, at open or when the background check finds it, and a new, empty
 * history works in its place. */
static void
assert_owner_sets_aside (Fixture *f, const char *digest)
{
  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  g_autoptr (SbStore) store = open_expecting (f, SB_STORE_OWNER, -1);
  g_assert_nonnull (store);
  if (sb_store_get_moved_aside (store) == NULL)
    {
      g_assert_cmpint (wait_verdict (store), ==, SB_STORE_CHECK_DAMAGED);
      g_autoptr (GError) error = NULL;
      g_assert_true (sb_store_start_over (store, &error));
      g_assert_no_error (error);
    }
  g_test_assert_expected_messages ();
  g_autofree char *aside = the_copy_aside (f);
  g_assert_cmpstr (sb_store_get_moved_aside (store), ==, aside);
  g_autofree char *digest_aside = sb_test_damage_digest (aside);
  g_assert_cmpstr (digest_aside, ==, digest);

  /* The new history records and keeps what it records. */
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@example.org", "new@x.org");
  g_autoptr (GError) error = NULL;
  gint64 id = sb_store_lookup_buddy (store, key, TRUE, &error);
  g_assert_no_error (error);
  SbEvent event = { .time = 1700000000, .kind = SB_EVENT_MESSAGE, .digest = 7 };
  sb_store_queue_event (store, id, &event);
  g_assert_true (sb_store_flush (store, &error));
  g_clear_pointer (&store, sb_store_free);
  g_assert_cmpint (sb_test_damage_count_events (f->db), ==, 1);
  g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 1);
}

/* /store-damage/truncated: the second half of the file is gone. */
static void
test_truncated (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, N_BUDDIES, PER_BUDDY);
  sb_test_damage_truncate (f->db, 0.5);
  g_autofree char *digest = sb_test_damage_digest (f->db);
  assert_others_leave_it (f);
  assert_owner_sets_aside (f, digest);
}

/* /store-damage/page-after-clean-close: random bytes in a data page of a
 * file closed cleanly.  The light check at open cannot see them; the
 * background check does, on the first start. */
static void
test_page_after_clean_close (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, N_BUDDIES, PER_BUDDY);
  g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 1);
  sb_test_damage_events_page (f->db, 256, 42);
  g_autofree char *digest = sb_test_damage_digest (f->db);
  assert_others_leave_it (f);

  /* Opened and closed by an owner that never looked at the verdict: the
   * file is not marked clean, so the next start checks it in full. */
  {
    g_autoptr (SbStore) store = open_expecting (f, SB_STORE_OWNER, -1);
    g_assert_null (sb_store_get_moved_aside (store));
    g_assert_cmpint (wait_verdict (store), ==, SB_STORE_CHECK_DAMAGED);
  }
  g_autofree char *digest_after = sb_test_damage_digest (f->db);
  g_assert_cmpstr (digest_after, ==, digest);
  g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 0);
  assert_owner_sets_aside (f, digest);
}

/* /store-damage/future-schema: refused by everyone, and left as it was. */
static void
test_future_schema (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, N_BUDDIES, 10);
  sb_test_damage_set_version (f->db, SB_STORE_SCHEMA_VERSION + 1);
  g_autofree char *digest = sb_test_damage_digest (f->db);
  g_autofree char *listing = sb_test_damage_listing (f->dir);
  const SbStoreMode modes[] = { SB_STORE_OWNER, SB_STORE_VISITOR, SB_STORE_READ_ONLY };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    g_assert_null (open_expecting (f, modes[i], SB_STORE_ERROR_TOO_NEW));
  g_autofree char *digest_after = sb_test_damage_digest (f->db);
  g_autofree char *listing_after = sb_test_damage_listing (f->dir);
  g_assert_cmpstr (digest_after, ==, digest);
  g_assert_cmpstr (listing_after, ==, listing);
}

/* /store-damage/stale-wal: a crash left committed writes in the -wal: the
 * owner recovers every event, moves nothing aside. */
static void
test_stale_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *from = g_build_filename (f->dir, "before-crash.db", NULL);
  sb_test_damage_fill (from, N_BUDDIES, 20);
  sb_test_damage_crash_copy (from, f->db, TRUE);
  g_autoptr (SbStore) store = open_expecting (f, SB_STORE_OWNER, -1);
  g_assert_null (sb_store_get_moved_aside (store));
  g_assert_cmpint (wait_verdict (store), ==, SB_STORE_CHECK_SOUND);
  g_clear_pointer (&store, sb_store_free);
  g_assert_cmpint (sb_test_damage_count_events (f->db), ==,
                   N_BUDDIES * 20 + SB_TEST_DAMAGE_WAL_EVENTS);
  g_auto (GStrv) aside = sb_test_damage_find (f->dir, "smileback.db.corrupt-");
  g_assert_cmpuint (g_strv_length (aside), ==, 0);
}

/* /store-damage/orphan-wal: a -wal without its database is moved aside as it
 * is (SQLite would delete it), and a new history starts. */
static void
test_orphan_wal (Fixture *f, gconstpointer data)
{
  g_autofree char *from = g_build_filename (f->dir, "before-crash.db", NULL);
  sb_test_damage_fill (from, N_BUDDIES, 20);
  sb_test_damage_crash_copy (from, f->db, FALSE);
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *digest = sb_test_damage_digest (wal);
  g_assert_nonnull (digest);
  g_assert_null (open_expecting (f, SB_STORE_READ_ONLY, SB_STORE_ERROR_NOT_FOUND));

  g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
  g_autoptr (SbStore) store = open_expecting (f, SB_STORE_OWNER, -1);
  g_test_assert_expected_messages ();
  g_assert_nonnull (sb_store_get_moved_aside (store));
  g_autofree char *wal_aside = g_strconcat (sb_store_get_moved_aside (store), "-wal", NULL);
  g_autofree char *digest_aside = sb_test_damage_digest (wal_aside);
  g_assert_cmpstr (digest_aside, ==, digest);
  g_clear_pointer (&store, sb_store_free);
  g_assert_cmpint (sb_test_damage_count_events (f->db), ==, 0);
  /* `smileback check` lists it. */
  g_auto (GStrv) listed = sb_dbfile_find_moved_aside (f->db);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_assert_cmpstr (listed[0], ==, wal_aside);
}

/* /store-damage/clean-mark-is-the-owners: while the plugin runs, a command
 * opening and closing the file (to import, to report) must not mark it
 * closed cleanly: a crash of the plugin afterwards must still lead to the
 * full check. */
static void
test_clean_mark_is_the_owners (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 3, 10);
  g_autoptr (SbStore) owner = open_expecting (f, SB_STORE_OWNER, -1);
  g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 0);
  const SbStoreMode others[] = { SB_STORE_VISITOR, SB_STORE_READ_ONLY };
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr (SbStore) other = open_expecting (f, others[i], -1);
      g_clear_pointer (&other, sb_store_free);
      g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 0);
    }
  g_clear_pointer (&owner, sb_store_free);
  g_assert_cmpint (sb_test_damage_clean_mark (f->db), ==, 1);
}

/* /store-damage/reader-changes-nothing: a reader creates, renames and writes
 * nothing, with or without an owner holding the file, and sees the owner's
 * committed writes. */
static void
test_reader_changes_nothing (Fixture *f, gconstpointer data)
{
  sb_test_damage_fill (f->db, 3, 10);
  g_autofree char *digest = sb_test_damage_digest (f->db);
  g_autofree char *listing = sb_test_damage_listing (f->dir);
  {
    g_autoptr (SbStore) reader = open_expecting (f, SB_STORE_READ_ONLY, -1);
    g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
    g_assert_true (sb_store_load_events (reader, 1, G_MININT64, events, NULL));
    g_assert_cmpuint (events->len, ==, 10);
  }
  g_autofree char *digest_after = sb_test_damage_digest (f->db);
  g_autofree char *listing_after = sb_test_damage_listing (f->dir);
  g_assert_cmpstr (digest_after, ==, digest);
  g_assert_cmpstr (listing_after, ==, listing);

  g_autoptr (SbStore) owner = open_expecting (f, SB_STORE_OWNER, -1);
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", "me@example.org", "live@x.org");
  gint64 id = sb_store_lookup_buddy (owner, key, TRUE, NULL);
  SbEvent event = { .time = 1700000000, .kind = SB_EVENT_MESSAGE, .digest = 9 };
  sb_store_queue_event (owner, id, &event);
  g_assert_true (sb_store_flush (owner, NULL));
  g_autoptr (SbStore) reader = open_expecting (f, SB_STORE_READ_ONLY, -1);
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_assert_true (sb_store_load_events (reader, id, G_MININT64, events, NULL));
  g_assert_cmpuint (events->len, ==, 1);
}

/* /store-damage/two-in-a-second: a second damaged file set aside in the
 * same second never replaces the first copy. */
static void
test_two_in_a_second (Fixture *f, gconstpointer data)
{
  const char *const notes[] = { "first notes, not a database\n", "second notes\n" };
  for (gsize i = 0; i < G_N_ELEMENTS (notes); i++)
    {
      g_assert_true (g_file_set_contents (f->db, notes[i], -1, NULL));
      g_test_expect_message ("smileback-core", G_LOG_LEVEL_WARNING, "*moved aside*");
      g_autoptr (SbStore) store = open_expecting (f, SB_STORE_OWNER, -1);
      g_test_assert_expected_messages ();
      g_autofree char *kept = NULL;
      g_assert_true (g_file_get_contents (sb_store_get_moved_aside (store), &kept, NULL, NULL));
      g_assert_cmpstr (kept, ==, notes[i]);
      g_clear_pointer (&store, sb_store_free);
      g_assert_true (g_remove (f->db) == 0);
    }
  g_auto (GStrv) aside = sb_test_damage_find (f->dir, "smileback.db.corrupt-");
  g_assert_cmpuint (g_strv_length (aside), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, sb_test_history_setup, func, sb_test_history_teardown)
  ADD ("/store-damage/truncated", test_truncated);
  ADD ("/store-damage/page-after-clean-close", test_page_after_clean_close);
  ADD ("/store-damage/future-schema", test_future_schema);
  ADD ("/store-damage/stale-wal", test_stale_wal);
  ADD ("/store-damage/orphan-wal", test_orphan_wal);
  ADD ("/store-damage/clean-mark-is-the-owners", test_clean_mark_is_the_owners);
  ADD ("/store-damage/reader-changes-nothing", test_reader_changes_nothing);
  ADD ("/store-damage/two-in-a-second", test_two_in_a_second);
#undef ADD
  return g_test_run ();
}
