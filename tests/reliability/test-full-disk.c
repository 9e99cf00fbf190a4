/* test-full-disk: when the database cannot grow, the client does not crash,
 * the user is told once, the messages wait in memory and are written when
 * space returns.
 *
 * A child (this program with "--child full") loads core-smileback, records a
 * few messages, then lowers its own file-size limit (RLIMIT_FSIZE, with
 * SIGXFSZ ignored) below the size of one WAL frame: every commit fails as on
 * a full disk.  MESSAGES more arrive, from known and new buddies; none may
 * reach the file, the notify UI op must have been called exactly once, and
 * the main loop must stay on time.  Then the limit is lifted and every
 * message must be written, with no second notice.
 */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "sb-reliability.h"
#include "sb-test-purple.h"

#define MESSAGES 200
/* Below the first WAL frame's end (a 32-byte header and 4 KiB + 24 bytes). */
#define LIMIT_BYTES 4096

static void
set_file_limit (rlim_t limit)
{
  struct rlimit rl;
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &rl), ==, 0);
  rl.rlim_cur = limit;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &rl), ==, 0);
}

static void
send_messages (PurpleAccount *me, GPtrArray *texts, guint n, const char *tag)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *who = i % 10 == 0 ? g_strdup_printf ("%s-new%u", tag, i)
                                         : g_strdup_printf ("pal%u", i % 4);
      char *text = g_strdup_printf ("full disk %s message %u", tag, i);
      sb_test_prpl_receive (me, who, text, PURPLE_MESSAGE_RECV, time (NULL));
      g_ptr_array_add (texts, text);
      sb_test_purple_run_for (10);
    }
}

static int
child_full (void)
{
  g_autoptr (GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  SbRelProbe probe;

  sb_test_purple_init ();
  g_autofree char *db = sb_rel_db_path ();
  PurplePlugin *plugin = sb_test_purple_load_plugin (SB_REL_PLUGIN);
  g_assert_nonnull (plugin);
  PurpleAccount *me = sb_test_prpl_account_new ("me");
  send_messages (me, before, 8, "before");
  g_assert_cmpuint (sb_rel_wait_stored (db, (char **) before->pdata, before->len, 5000), ==, 8);
  guint notices = sb_test_purple_get_notice_count ();

  signal (SIGXFSZ, SIG_IGN);
  set_file_limit (LIMIT_BYTES);
  sb_rel_probe_start (&probe);
  send_messages (me, texts, MESSAGES, "during");
  sb_test_purple_run_for (3000);
  guint written_while_full = sb_rel_count_stored (db, (char **) texts->pdata, texts->len);
  guint told = sb_test_purple_get_notice_count () - notices;
  g_test_message ("told: %s", sb_test_purple_get_last_notice ());
  g_assert_cmpuint (written_while_full, ==, 0);
  g_assert_cmpuint (told, ==, 1);
  g_assert_nonnull (strstr (sb_test_purple_get_last_notice (), "disk is full"));

  set_file_limit (RLIM_INFINITY);
  gint64 space_back = g_get_monotonic_time ();
  guint stored = sb_rel_wait_stored (db, (char **) texts->pdata, texts->len, 10000);
  gint64 written_ms = (g_get_monotonic_time () - space_back) / 1000;
  sb_rel_probe_stop (&probe);
  g_assert_cmpuint (stored, ==, MESSAGES);
  g_assert_cmpuint (sb_test_purple_get_notice_count () - notices, ==, 1);
  g_assert_true (purple_plugin_unload (plugin));
  g_assert_true (sb_rel_integrity_ok (db));
  printf ("# full disk: %d messages while no write could succeed: none lost, told once, main "
          "loop at most %" G_GINT64_FORMAT " ms late; all written %" G_GINT64_FORMAT
          " ms after space returned\n",
          MESSAGES, probe.max_late_us / 1000, written_ms);
  fflush (stdout);
  sb_test_purple_shutdown ();
  return 0;
}

/* /full-disk/file-size-limit */
static void
test_full_disk (void)
{
  const char *args[] = { "--child", "full", NULL };
  g_assert_cmpint (sb_rel_wait (sb_rel_spawn (args, NULL)), ==, 0);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--child") == 0 && strcmp (argv[2], "full") == 0)
    {
      g_test_init (&argc, &argv, NULL);
      return child_full ();
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/full-disk/file-size-limit", test_full_disk);
  return g_test_run ();
}
