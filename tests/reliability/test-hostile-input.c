/* test-hostile-input: names, sizes and times nobody should send, through the
 * ledger, the rooms and the command's output.
 *
 * Buddy and room names with quotes, semicolons, newlines, format directives,
 * 10 KB of one letter; invalid UTF-8 (refused as a key, never stored);
 * messages of 1 MB; times in 1970 and 2100.  Everything valid comes back
 * byte for byte from the store, `report --json`, `--csv` and `export`.  And
 * 100,000 buddies in one history: recorded, reopened and reported, with the
 * time each took printed.  And the profile's digest key stays in its file:
 * not in an export, not carried into another history by a merge.
 */
#include <smileback/smileback.h>
#include <smileback/sb-room-recorder.h>
#include "sb-test-damage.h"
#include "sb-test-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define ACCOUNT "me@example.org"
#define Y1970 1
#define Y2100 G_GINT64_CONSTANT (4102444800)
#define MANY_BUDDIES 100000

typedef SbTestHistory Fixture;

/* Names a protocol could hand over, each valid UTF-8. */
static GPtrArray *
hostile_names (void)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (names, g_strdup ("o'brien\"; DROP TABLE events; --"));
  g_ptr_array_add (names, g_strdup ("semi;colon,comma"));
  g_ptr_array_add (names, g_strdup ("new\nline\r\nand\ttab"));
  g_ptr_array_add (names, g_strdup ("%s%n%x%%"));
  g_ptr_array_add (names, g_strdup ("\xe2\x80\xae" "right-to-left \xf0\x9f\x98\x80"));
  g_ptr_array_add (names, g_strnfill (10 * 1024, 'k'));
  return names;
}

/* One received and one sent message of @key at @time, @text long. */
static void
add_exchange (SbLedger *ledger, const SbBuddyKey *key, gint64 time, const char *text, gint64 now)
{
  gsize key_len = 0;
  const guint8 *secret = sb_ledger_get_secret (ledger, &key_len);
  for (int d = 0; d < 2; d++)
    {
      SbEvent event = { .time = time + d * 60, .direction = d == 0 ? SB_DIRECTION_IN
                                                                   : SB_DIRECTION_OUT,
                        .kind = SB_EVENT_MESSAGE, .source = SB_SOURCE_LIVE,
                        .size_bucket = sb_size_bucket (strlen (text)),
                        .digest = sb_text_digest (secret, key_len, text) + (guint64) d };
      g_autoptr (GError) error = NULL;
      gboolean added = sb_ledger_add_event (ledger, key, &event, now, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (added);
    }
}

/* Runs the command; its output, exit status 0 asserted.  Caller frees. */
static char *
run_ok (const char *const *args)
{
  char *out = NULL;
  g_autofree char *err = NULL;
  int status = sb_test_run_cli (args, NULL, &out, &err);
  if (status != 0)
    g_error ("smileback %s: %d: %s", args[0], status, err);
  return out;
}

/* TRUE when @array (JSON objects) has one whose @member is @value. */
static gboolean
json_has (JsonArray *array, const char *member, const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (
                     json_array_get_object_element (array, i), member, ""),
                   value)
        == 0)
      return TRUE;
  return FALSE;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* /hostile/names: hostile buddy names, 1 MB texts, 1970 and 2100, back byte
 * for byte; invalid UTF-8 refused as a key. */
static void
test_names (Fixture *f, gconstpointer data)
{
  g_assert_null (sb_buddy_key_new ("prpl-jabber", ACCOUNT, "bad\xff\xfe utf8"));
  g_assert_null (sb_buddy_key_new ("prpl-jabber", "acc\xc3", "bob"));
  g_autoptr (GPtrArray) names = hostile_names ();
  g_autofree char *huge = g_strnfill (1024 * 1024, 'x');
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < names->len; i++)
      {
        g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", ACCOUNT,
                                                       g_ptr_array_index (names, i));
        g_assert_nonnull (key);
        add_exchange (ledger, key, f->now - 3600, huge, f->now);
        add_exchange (ledger, key, Y1970, "the epoch", f->now);
        add_exchange (ledger, key, Y2100, "the future", f->now);
      }
    g_assert_true (sb_ledger_flush (ledger, &error));
  }

  const char *const json_args[] = { "report", "--json", "--db", f->db, NULL };
  g_autofree char *json = run_ok (json_args);
  g_autoptr (JsonNode) root = parse (json);
  JsonArray *rows = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (rows), ==, names->len);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (json_has (rows, "buddy", g_ptr_array_index (names, i)));

  const char *const csv_args[] = { "report", "--csv", "--db", f->db, NULL };
  g_autofree char *csv = run_ok (csv_args);
  g_assert_nonnull (strstr (csv, "\"o'brien\"\"; DROP TABLE events; --\""));
  g_assert_nonnull (strstr (csv, "\"new\nline\r\nand\ttab\""));
  const char *const table_args[] = { "report", "--db", f->db, NULL };
  g_autofree char *table = run_ok (table_args);
  g_assert_cmpuint (strlen (table), >, 0);

  const char *const export_args[] = { "export", "--db", f->db, NULL };
  g_autofree char *exported = run_ok (export_args);
  g_autoptr (JsonNode) all = parse (exported);
  JsonArray *buddies = json_object_get_array_member (json_node_get_object (all), "buddies");
  for (guint i = 0; i < names->len; i++)
    g_assert_true (json_has (buddies, "buddy", g_ptr_array_index (names, i)));
}

/* /hostile/rooms: hostile room and member names through the recorder. */
static void
test_rooms (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) names = hostile_names ();
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SbStore) store = sb_store_open (f->db, &error);
    g_assert_no_error (error);
    g_autofree char *huge = g_strnfill (1024 * 1024, 'y');
    for (guint i = 0; i < names->len; i++)
      {
        const char *name = g_ptr_array_index (names, i);
        SbRoomKey room = { "prpl-jabber", ACCOUNT, name };
        g_autoptr (SbRoomRecorder) recorder = sb_room_recorder_new (store, &room, SB_SOURCE_LIVE);
        sb_room_recorder_add_member (recorder, f->now - 100, name);
        g_assert_true (sb_room_recorder_add_message (recorder, f->now - 50, name, name, huge,
                                                     NULL, &error));
        g_assert_true (sb_room_recorder_add_message (recorder, f->now - 40, "me", NULL,
                                                     "name: what?", NULL, &error));
        g_assert_true (sb_room_recorder_add_message (recorder, Y2100, name, name, "later", NULL,
                                                     &error));
        g_assert_no_error (error);
      }
    g_assert_true (sb_store_flush (store, &error));
  }
  const char *const export_args[] = { "export", "--db", f->db, NULL };
  g_autofree char *exported = run_ok (export_args);
  g_autoptr (JsonNode) all = parse (exported);
  JsonObject *object = json_node_get_object (all);
  JsonArray *rooms = json_object_get_array_member (object, "rooms");
  JsonArray *lines = json_object_get_array_member (object, "room_lines");
  g_assert_cmpuint (json_array_get_length (lines), ==, 3 * names->len);
  for (guint i = 0; i < names->len; i++)
    {
      g_assert_true (json_has (rooms, "room", g_ptr_array_index (names, i)));
      g_assert_true (json_has (lines, "speaker", g_ptr_array_index (names, i)));
    }
}

/* /hostile/100k-buddies: one conversation each with 100,000 buddies, live;
 * reopened; reported.  The times are printed. */
static void
test_many_buddies (Fixture *f, gconstpointer data)
{
  gint64 start = g_get_monotonic_time ();
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, &error);
    g_assert_no_error (error);
    for (guint b = 0; b < MANY_BUDDIES; b++)
      {
        g_autofree char *name = g_strdup_printf ("buddy%u@example.org", b);
        g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", ACCOUNT, name);
        add_exchange (ledger, key, f->now - 86400 - b, "hello there", f->now);
      }
    g_assert_true (sb_ledger_flush (ledger, &error));
  }
  double recorded = (g_get_monotonic_time () - start) / 1e6;

  start = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLedger) ledger = sb_ledger_open (f->db, NULL, f->now, &error);
  g_assert_no_error (error);
  double opened = (g_get_monotonic_time () - start) / 1e6;
  g_autoptr (SbBuddyKey) last = sb_buddy_key_new ("prpl-jabber", ACCOUNT, "buddy99999@example.org");
  const SbStats *stats = sb_ledger_get_stats (ledger, last);
  g_assert_nonnull (stats);
  g_assert_cmpint (stats->all.answered_by_you, ==, 1);
  g_clear_pointer (&ledger, sb_ledger_free);

  start = g_get_monotonic_time ();
  const char *const json_args[] = { "report", "--json", "--db", f->db, NULL };
  g_autofree char *json = run_ok (json_args);
  double reported = (g_get_monotonic_time () - start) / 1e6;
  g_autoptr (JsonNode) root = parse (json);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, MANY_BUDDIES);
  g_assert_cmpint (sb_test_damage_count_events (f->db), ==, 2 * MANY_BUDDIES);

  g_autofree char *figures = g_strdup_printf (
    "100,000 buddies (200,000 events): recorded live and flushed in %.2f s, ledger reopened in "
    "%.2f s, report --json in %.2f s",
    recorded, opened, reported);
  g_test_message ("%s", figures);
  g_printerr ("# %s\n", figures);
}

/* @haystack (@len bytes) holds @needle (@n bytes). */
static gboolean
holds (const char *haystack, gsize len, const guint8 *needle, gsize n)
{
  return len >= n && memmem (haystack, len, needle, n) != NULL;
}

/* The bytes of @db and its -wal, one after the other.  Caller frees. */
static char *
file_bytes (const char *db, gsize *len)
{
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autoptr (GByteArray) all = g_byte_array_new ();
  const char *const paths[] = { db, wal };
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *data = NULL;
      gsize n = 0;
      if (g_file_get_contents (paths[i], &data, &n, NULL))
        g_byte_array_append (all, (const guint8 *) data, (guint) n);
    }
  *len = all->len;
  return (char *) g_byte_array_free (g_steal_pointer (&all), FALSE);
}

/* The profile secret of @db, hex and raw.  Caller frees. */
static char *
secret_of (const char *db, guint8 *raw)
{
  g_autoptr (SbStore) store = sb_store_open_with (db, SB_STORE_READ_ONLY, NULL);
  g_assert_nonnull (store);
  gsize len = 0;
  const guint8 *secret = sb_store_get_secret (store, &len);
  memcpy (raw, secret, len);
  GString *hex = g_string_new (NULL);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", secret[i]);
  return g_string_free (hex, FALSE);
}

/* /privacy/key-stays-home: the profile's digest key, which would let anyone
 * holding a copy confirm "was this exact text sent?", is in neither an export
 * (nor are the digests) nor another history after a merge. */
static void
test_key_stays_home (Fixture *f, gconstpointer data)
{
  g_autofree char *other = g_build_filename (f->dir, "laptop.db", NULL);
  const char *const dbs[] = { f->db, other };
  for (gsize i = 0; i < G_N_ELEMENTS (dbs); i++)
    {
      g_autoptr (SbLedger) ledger = sb_ledger_open (dbs[i], NULL, f->now, NULL);
      g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", ACCOUNT, "bob@example.org");
      add_exchange (ledger, key, f->now - 7200 * (gint64) (i + 1), "see you at eight", f->now);
      g_assert_true (sb_ledger_flush (ledger, NULL));
    }
  guint8 raw[32], other_raw[32];
  g_autofree char *hex = secret_of (f->db, raw);
  g_autofree char *other_hex = secret_of (other, other_raw);
  g_autofree char *b64 = g_base64_encode (raw, sizeof raw);

  const char *const export_args[] = { "export", "--db", f->db, NULL };
  g_autofree char *exported = run_ok (export_args);
  g_assert_false (holds (exported, strlen (exported), raw, sizeof raw));
  g_assert_null (strstr (exported, hex));
  g_assert_null (strstr (exported, b64));
  g_assert_null (strstr (exported, "digest"));
  g_assert_null (strstr (exported, "secret"));

  const char *const merge_args[] = { "merge", "--db", f->db, other, NULL };
  g_autofree char *merged = run_ok (merge_args);
  gsize len = 0;
  g_autofree char *bytes = file_bytes (f->db, &len);
  g_assert_false (holds (bytes, len, other_raw, sizeof other_raw));
  g_assert_true (holds (bytes, len, raw, sizeof raw));
  g_assert_null (strstr (merged, other_hex));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func)                                                                            \
  g_test_add (path, Fixture, NULL, sb_test_history_setup, func, sb_test_history_teardown)
  ADD ("/hostile/names", test_names);
  ADD ("/hostile/rooms", test_rooms);
  ADD ("/hostile/100k-buddies", test_many_buddies);
  ADD ("/privacy/key-stays-home", test_key_stays_home);
#undef ADD
  return g_test_run ();
}
