/* test-ui.c: suite 'ui': Pidgin itself, with both Smile Back plugins, under Xvfb.
 *
 * The world, built once in main(): Prosody on loopback (users alice, bob,
 * carol, dave, every one the others' buddy); a throwaway Pidgin profile
 * (`pidgin -c DIR`) with alice's account on that server, auto-login, and
 * prefs.xml loading core-smileback, gtk-smileback and the test probe
 * (sb-test-probe.c) from the build tree; alice's Smile Back database seeded
 * with a history through the core's own ledger; Xvfb on a display it picks
 * itself (-displayfd); and, in this process, bob on headless libpurple to
 * play the other side.  Every process is started here and stopped by its PID.
 *
 * The tests read the buddy list's model through the probe (the markup Pidgin
 * draws), read the screen with tesseract for the words a person would see,
 * hover with xdotool for the tooltip, and keep every screenshot in
 * $SB_UI_OUTPUT_DIR (the build directory) for a person to look at.
 *
 * Prompts: carol and hank are online too, on headless libpurple
 * here; the profile holds Pidgin logs of alice's conversations with ivan, never
 * imported.  Pidgin runs in a time zone where it is midday now, so the core's
 * quiet hours (22:00-08:00 by default) never hold a prompt back.  The prompt
 * and import tests need the core plugin's side of those issues (its IPC calls
 * and signals); without them they skip, saying which call is missing.
 *
 * Group chats: alice's Pidgin opens a room on Prosody's MUC (accepting the
 * default configuration through the probe, so it is alice's and she sees
 * real JIDs); bob and carol join from this process and talk to her, and the
 * test reads the room figures in the tooltips and on the window's "Group
 * chats" page.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <purple.h>

#include "sb-test-prosody.h"
#include "sb-test-purple.h"
#include "smileback/smileback.h"
#include "smileback-purple/sb-ipc.h"

/* Generous: they bound a hung test, they do not measure anything. */
#define START_TIMEOUT_MS 90000
#define STEP_TIMEOUT_MS 60000

#define ALICE "alice@" SB_TEST_PROSODY_DOMAIN
#define BOB "bob@" SB_TEST_PROSODY_DOMAIN
#define CAROL "carol@" SB_TEST_PROSODY_DOMAIN
#define DAVE "dave@" SB_TEST_PROSODY_DOMAIN
#define ERIN "erin@" SB_TEST_PROSODY_DOMAIN
#define FRANK "frank@" SB_TEST_PROSODY_DOMAIN
#define GINA "gina@" SB_TEST_PROSODY_DOMAIN
#define HANK "hank@" SB_TEST_PROSODY_DOMAIN   /* a close friend, online */
#define IVAN "ivan@" SB_TEST_PROSODY_DOMAIN   /* history only in Pidgin's logs */
#define JACK "jack@" SB_TEST_PROSODY_DOMAIN   /* wrote 20 hours ago, no answer yet */
#define ZOE "zoe@" SB_TEST_PROSODY_DOMAIN /* history only, not in the buddy list */
#define ROOM "smiles"
#define ROOM_JID ROOM "@" SB_TEST_PROSODY_MUC_DOMAIN
/* A bound for the core's sign-on quiet time, not a measurement. */
#define PROMPT_TIMEOUT_MS 300000
#define PASSWORD "smile"
#define CAROL_ALIAS "Carol <&> Co"
#define WINDOW_TITLE "Who smiles back"

typedef struct
{
  gboolean up;         /* everything started */
  char *skip_reason;   /* set when a tool is missing: every test skips */
  char *dir;           /* temporary: profile, probe directory */
  char *profile;
  char *probe_dir;
  char *out_dir;       /* screenshots and logs, kept */
  SbTestProsody *server;
  GSubprocess *xvfb;
  char *display;       /* ":N" */
  GSubprocess *pidgin;
  PurpleAccount *bob;
  guint bob_received;  /* messages bob received from alice */
  PurpleAccount *carol;
  guint carol_received; /* messages carol received from alice */
  char *carol_last;     /* the last of them */
  PurpleAccount *hank;
  guint hank_invited;   /* group chat invitations from alice */
  guint bob_invited;
} UiWorld;

static UiWorld world;

/* ---- processes ---------------------------------------------------------- */

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  /* By PID: SIGTERM, then SIGKILL if it has not gone within 5 s.  GLib reaps
   * the child on its worker thread; the identifier is NULL from then on. */
  g_subprocess_send_signal (*process, SIGTERM);
  for (int i = 0; i < 50 && g_subprocess_get_identifier (*process) != NULL; i++)
    g_usleep (100 * 1000);
  if (g_subprocess_get_identifier (*process) != NULL)
    g_subprocess_force_exit (*process);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

/* In the child before exec: die with the test program, so a failed
 * assertion (which aborts) leaves no Xvfb or Pidgin behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts Xvfb on a display it chooses and reports through -displayfd. */
static gboolean
start_xvfb (GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  int fds[2];
  char buf[32] = { 0 };
  gsize len = 0;
  struct pollfd pfd;

  if (pipe (fds) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      return FALSE;
    }
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  world.xvfb = g_subprocess_launcher_spawn (launcher, error, "Xvfb", "-displayfd", "3", "-screen",
                                            "0", "1024x768x24", "-nolisten", "tcp", "-noreset",
                                            NULL);
  /* The launcher holds the write end until it is freed; close ours by
   * dropping the launcher now so EOF arrives if Xvfb dies. */
  g_clear_object (&launcher);
  if (world.xvfb == NULL)
    {
      close (fds[0]);
      return FALSE;
    }
  pfd.fd = fds[0];
  pfd.events = POLLIN;
  while (len < sizeof buf - 1 && strchr (buf, '\n') == NULL)
    {
      ssize_t n;

      if (poll (&pfd, 1, START_TIMEOUT_MS) <= 0)
        break;
      n = read (fds[0], buf + len, sizeof buf - 1 - len);
      if (n <= 0)
        break;
      len += n;
    }
  close (fds[0]);
  g_strstrip (buf);
  if (buf[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Xvfb did not report a display");
      return FALSE;
    }
  world.display = g_strdup_printf (":%s", buf);
  return TRUE;
}

/* Runs @argv (a tool against our display) to completion.  Its stdout in
 * @out when not NULL. */
static gboolean
run_tool (const char *const *argv, char **out)
{
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "DISPLAY", world.display, TRUE);
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH | (out == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0) | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, out, NULL, &status, &error))
    {
      g_test_message ("%s: %s", argv[0], error->message);
      return FALSE;
    }
  return g_spawn_check_wait_status (status, NULL);
}

/* ---- the Pidgin profile ------------------------------------------------- */

static gboolean
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents (path, text, -1, &error))
    {
      g_test_message ("%s: %s", path, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_profile (guint16 port)
{
  g_autofree char *core = sb_test_build_path ("plugin/purple/core-smileback.so");
  g_autofree char *gtk = sb_test_build_path ("plugin/pidgin/gtk-smileback.so");
  g_autofree char *probe = sb_test_build_path ("tests/ui/sb-test-probe.so");
  g_autofree char *accounts = NULL;
  g_autofree char *prefs = NULL;

  accounts = g_markup_printf_escaped (
    "<?xml version='1.0' encoding='UTF-8' ?>\n"
    "<account version='1.0'>\n"
    " <account>\n"
    "  <protocol>prpl-jabber</protocol>\n"
    "  <name>%s/Home</name>\n"
    "  <password>%s</password>\n"
    "  <statuses>\n"
    "   <status type='available' name='Available' active='true'><attributes/></status>\n"
    "  </statuses>\n"
    "  <settings>\n"
    "   <setting name='connect_server' type='string'>127.0.0.1</setting>\n"
    "   <setting name='port' type='int'>%u</setting>\n"
    "   <setting name='connection_security' type='string'>none</setting>\n"
    "   <setting name='auth_plain_in_clear' type='bool'>1</setting>\n"
    "   <setting name='ft_proxies' type='string'></setting>\n"
    "  </settings>\n"
    "  <settings ui='gtk-gaim'>\n"
    "   <setting name='auto-login' type='bool'>1</setting>\n"
    "  </settings>\n"
    " </account>\n"
    "</account>\n",
    ALICE, PASSWORD, (guint) port);

  /* The buddy list at a known place and size, offline buddies shown (only
   * bob comes online), new conversations hidden so nothing covers the list,
   * and the three plugins loaded from the build tree. */
  prefs = g_markup_printf_escaped (
    "<?xml version='1.0' encoding='UTF-8' ?>\n"
    "<pref version='1' name='/'>\n"
    " <pref name='pidgin'>\n"
    "  <pref name='plugins'>\n"
    "   <pref name='loaded' type='pathlist'>\n"
    "    <item value='%s'/>\n"
    "    <item value='%s'/>\n"
    "    <item value='%s'/>\n"
    "   </pref>\n"
    "  </pref>\n"
    "  <pref name='blist'>\n"
    "   <pref name='show_offline_buddies' type='bool' value='1'/>\n"
    "   <pref name='show_empty_groups' type='bool' value='0'/>\n"
    "   <pref name='show_buddy_icons' type='bool' value='1'/>\n"
    "   <pref name='list_visible' type='bool' value='1'/>\n"
    "   <pref name='list_maximized' type='bool' value='0'/>\n"
    "   <pref name='x' type='int' value='16'/>\n"
    "   <pref name='y' type='int' value='16'/>\n"
    "   <pref name='width' type='int' value='340'/>\n"
    "   <pref name='height' type='int' value='420'/>\n"
    "  </pref>\n"
    "  <pref name='conversations'>\n"
    "   <pref name='im'>\n"
    "    <pref name='hide_new' type='string' value='always'/>\n"
    "   </pref>\n"
    "  </pref>\n"
    "  <pref name='sound'>\n"
    "   <pref name='method' type='string' value='none'/>\n"
    "  </pref>\n"
    "  <pref name='docklet'>\n"
    "   <pref name='show' type='string' value='never'/>\n"
    "  </pref>\n"
    " </pref>\n"
    "</pref>\n",
    core, gtk, probe);

  return write_file (world.profile, "accounts.xml", accounts)
         && write_file (world.profile, "prefs.xml", prefs);
}

/* Records @n episodes with @who, one every @every seconds going back from
 * @last_ago seconds ago; @starts[i % len] says who starts each ('y' the user,
 * 't' them); every episode is answered 10 minutes later, except the latest
 * when @latest_unanswered. */
static void
seed_buddy (SbLedger *ledger, const char *who, guint n, gint64 last_ago, gint64 every,
            const char *starts, gboolean latest_unanswered, gint64 now)
{
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new ("prpl-jabber", ALICE, who);
  g_autoptr (GError) error = NULL;
  /* Texts differ between buddies: the same digest from three buddies within
   * a week would be an automated message. */
  guint64 digest = (guint64) g_str_hash (who) << 20;

  for (guint i = 0; i < n; i++)
    {
      gint64 start = now - last_ago - (gint64) i * every;
      gboolean by_you = starts[i % strlen (starts)] == 'y';
      SbEvent first = { .time = start,
                        .direction = by_you ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
                        .kind = SB_EVENT_MESSAGE,
                        .source = SB_SOURCE_IMPORT,
                        .size_bucket = 2,
                        .digest = digest + 2 * i };
      SbEvent answer = first;

      answer.time = start + 600;
      answer.direction = by_you ? SB_DIRECTION_IN : SB_DIRECTION_OUT;
      answer.digest = digest + 2 * i + 1;
      g_assert_true (sb_ledger_add_event (ledger, key, &first, now, NULL, &error));
      g_assert_no_error (error);
      if (i == 0 && latest_unanswered)
        continue;
      g_assert_true (sb_ledger_add_event (ledger, key, &answer, now, NULL, &error));
      g_assert_no_error (error);
    }
}

/* alice's history before Pidgin starts:
 *   bob:   5 episodes, all started by alice, weekly, the last 5 days ago
 *          -> "you always start", not due (15% of his 10.5-day interval... less than 1)
 *   carol: 6 episodes, alternating, every 10 days, the last 40 days ago
 *          -> "mutual", overdue (40 days against 15)
 *   dave:  2 episodes -> "new"
 *   erin:  5 episodes, all started by her -> "they always start"
 *   frank: 6 episodes, alternating, the latest alice's two hours ago and not
 *          answered yet -> "owes you a reply"
 *   gina:  2 episodes, both started by alice -> "new"; with dave in one
 *          contact, 4 episodes, 3 of them alice's -> "mutual"
 *   zoe:   4 episodes, not in the buddy list: only in the window. */
static void
seed_history (void)
{
  g_autofree char *path = g_build_filename (world.profile, "smileback.db", NULL);
  g_autoptr (GError) error = NULL;
  SbParams params;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (SbLedger) ledger = NULL;

  sb_params_init (&params);
  ledger = sb_ledger_open (path, &params, now, &error);
  g_assert_no_error (error);
  seed_buddy (ledger, BOB, 5, 5 * SB_DAY, 7 * SB_DAY, "y", FALSE, now);
  seed_buddy (ledger, CAROL, 6, 40 * SB_DAY, 10 * SB_DAY, "yt", FALSE, now);
  seed_buddy (ledger, DAVE, 2, 3 * SB_DAY, 50 * SB_DAY, "yt", FALSE, now);
  seed_buddy (ledger, ERIN, 5, 4 * SB_DAY, 9 * SB_DAY, "t", FALSE, now);
  seed_buddy (ledger, FRANK, 6, 2 * SB_HOUR, 6 * SB_DAY, "yt", TRUE, now);
  seed_buddy (ledger, GINA, 2, 8 * SB_DAY, 30 * SB_DAY, "y", FALSE, now);
  seed_buddy (ledger, ZOE, 4, 2 * SB_DAY, 5 * SB_DAY, "t", FALSE, now);
  /* hank: 8 episodes, alternating, every 3 days, the last a day ago: a strong
   * tie (closeness 8, both start), not due. */
  seed_buddy (ledger, HANK, 8, SB_DAY, 3 * SB_DAY, "yt", FALSE, now);
  /* jack: wrote once, 20 hours ago, never answered: a reply nudge. */
  seed_buddy (ledger, JACK, 1, 20 * SB_HOUR, SB_DAY, "t", TRUE, now);
  g_assert_true (sb_ledger_flush (ledger, &error));
  g_assert_no_error (error);
}

/* Pidgin's logs of five conversations with ivan (the 2.14 HTML format), one
 * every 8 days, the last 9 days ago, started in turn by alice and by him:
 * "mutual" once imported. */
static void
write_ivan_logs (void)
{
  g_autofree char *dir = g_build_filename (world.profile, "logs", "jabber", ALICE, IVAN, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (int i = 0; i < 5; i++)
    {
      g_autoptr (GDateTime) day = g_date_time_new_from_unix_utc (now - (9 + 8 * i) * SB_DAY);
      g_autoptr (GDateTime) noon = g_date_time_new_utc (g_date_time_get_year (day),
                                                        g_date_time_get_month (day),
                                                        g_date_time_get_day_of_month (day), 12, 0,
                                                        0);
      g_autofree char *name = g_date_time_format (noon, "%Y-%m-%d.%H%M%S+0000UTC.html");
      g_autofree char *when = g_date_time_format (noon, "%a %d %b %Y %I:%M:%S %p UTC");
      g_autofree char *header = g_strdup_printf ("Conversation with " IVAN " at %s on " ALICE
                                                 "/Home (jabber)", when);
      const char *sent = "<span style=\"color: #16569E\"><span style=\"font-size: smaller\">"
                         "(%s)</span> <b>" ALICE "/Home:</b></span> %s<br>\n";
      const char *received = "<span style=\"color: #A82F2F\"><span style=\"font-size: "
                             "smaller\">(%s)</span> <b>" IVAN ":</b></span> %s<br>\n";
      gboolean by_alice = i % 2 == 0;
      g_autofree char *first = g_strdup_printf (by_alice ? sent : received, "12:00:00",
                                                "hello there");
      g_autofree char *second = g_strdup_printf (by_alice ? received : sent, "12:05:00",
                                                 "hi, good to hear from you");
      g_autofree char *text = g_strdup_printf (
        "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=UTF-8\">"
        "<title>%s</title></head><body><h3>%s</h3>\n%s%s</body></html>\n",
        header, header, first, second);

      g_assert_true (write_file (dir, name, text));
    }
}

/* POSIX TZ for a zone where it is about midday now (east offset 12 - UTC hour). */
static char *
midday_zone (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  int east = 12 - g_date_time_get_hour (now);

  /* POSIX counts the offset westwards: "SBT+7" is UTC-7. */
  return g_strdup_printf ("SBT%+d", -east);
}

static gboolean
start_pidgin (GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *log = g_build_filename (world.out_dir, "pidgin.log", NULL);
  g_autofree char *home = g_build_filename (world.dir, "home", NULL);

  g_autofree char *zone = midday_zone ();

  g_mkdir_with_parents (home, 0700);
  g_subprocess_launcher_setenv (launcher, "DISPLAY", world.display, TRUE);
  g_subprocess_launcher_setenv (launcher, "TZ", zone, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "SB_PROBE_DIR", world.probe_dir, TRUE);
  /* No session bus: nothing to auto-launch (no stray dbus-daemon). */
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG"); /* Pidgin's own criticals are not ours */
  /* A sanitizer build: the runtime the plugins need, and no leak report for
   * Pidgin and GTK, which free little at exit. */
  if (g_getenv ("SB_UI_PIDGIN_PRELOAD") != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", g_getenv ("SB_UI_PIDGIN_PRELOAD"),
                                    TRUE);
      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
    }
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
  world.pidgin = g_subprocess_launcher_spawn (launcher, error, "pidgin", "-c", world.profile,
                                              "-d", "-f", "-m", NULL);
  return world.pidgin != NULL;
}

static void
bob_received_cb (PurpleAccount *account, char *sender, char *message, PurpleConversation *conv,
                 PurpleMessageFlags flags, gpointer data)
{
  if (account == world.bob && g_str_has_prefix (sender, ALICE))
    world.bob_received++;
  if (account == world.carol && g_str_has_prefix (sender, ALICE))
    {
      world.carol_received++;
      g_free (world.carol_last);
      world.carol_last = g_strdup (message);
    }
}

/* "chat-invited" on the test's clients: count, and leave the invitation
 * unanswered (no request UI here). */
static int
chat_invited_cb (PurpleAccount *account, const char *inviter, const char *chat,
                 const char *message, GHashTable *components, gpointer data)
{
  g_test_message ("%s invited to %s by %s", purple_account_get_username (account), chat,
                  inviter);
  if (account == world.hank)
    world.hank_invited++;
  if (account == world.bob)
    world.bob_invited++;
  return -1; /* reject quietly: nothing to ask */
}

/* ---- talking to the probe ---------------------------------------------- */

typedef struct
{
  const char *path;
} FileWait;

static gboolean
file_exists (gpointer data)
{
  return g_file_test (((FileWait *) data)->path, G_FILE_TEST_EXISTS);
}

/* Sends one command to the probe inside Pidgin and returns its answer
 * (caller frees), NULL when Pidgin did not answer. */
static char *
probe (const char *fields, ...)
{
  g_autofree char *cmd = g_build_filename (world.probe_dir, "cmd", NULL);
  g_autofree char *tmp = g_build_filename (world.probe_dir, "cmd.tmp", NULL);
  g_autofree char *reply = g_build_filename (world.probe_dir, "reply", NULL);
  g_autoptr (GString) line = g_string_new (fields);
  FileWait wait = { reply };
  char *text = NULL;
  va_list args;

  va_start (args, fields);
  for (const char *field = va_arg (args, const char *); field != NULL;
       field = va_arg (args, const char *))
    g_string_append_printf (line, "\t%s", field);
  va_end (args);

  g_unlink (reply);
  if (!g_file_set_contents (tmp, line->str, -1, NULL) || g_rename (tmp, cmd) != 0)
    return NULL;
  if (!sb_test_purple_wait (file_exists, &wait, STEP_TIMEOUT_MS))
    return NULL;
  g_file_get_contents (reply, &text, NULL, NULL);
  g_unlink (reply);
  return text;
}

typedef struct
{
  char *markup;
  int x, y;
} Row;

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->markup, g_free);
}

/* The buddy list row showing @name (a contact or buddy row), from a "rows"
 * answer.  FALSE when it is not there. */
static gboolean
find_row (const char *rows, const char *name, Row *row)
{
  g_auto (GStrv) lines = g_strsplit (rows != NULL ? rows : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (f) == 5 && (g_str_equal (f[0], "contact") || g_str_equal (f[0], "buddy"))
          && g_str_equal (f[1], name))
        {
          row->markup = g_strdup (f[2]);
          row->x = atoi (f[3]);
          row->y = atoi (f[4]);
          return TRUE;
        }
    }
  return FALSE;
}

/* The "window x y w h" line of a probe answer. */
static gboolean
find_geometry (const char *text, int geometry[4])
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (sscanf (lines[i], "window\t%d\t%d\t%d\t%d", &geometry[0], &geometry[1], &geometry[2],
                &geometry[3])
          == 4)
      return geometry[2] > 0 && geometry[3] > 0;
  return FALSE;
}

typedef struct
{
  const char *name;
  const char *needle; /* NULL: the row only has to exist */
  gboolean absent;    /* TRUE: wait until the needle is NOT in the row */
  char *last;         /* the last row markup seen, for the failure message */
} RowWait;

static gboolean
row_matches (gpointer data)
{
  RowWait *wait = data;
  g_autofree char *rows = probe ("rows", NULL);
  Row row = { 0 };
  gboolean ok = FALSE;

  if (find_row (rows, wait->name, &row))
    {
      ok = wait->needle == NULL || (strstr (row.markup, wait->needle) != NULL) != wait->absent;
      g_free (wait->last);
      wait->last = g_strdup (row.markup);
    }
  row_clear (&row);
  if (!ok)
    sb_test_purple_run_for (200);
  return ok;
}

/* Waits until the row of @name contains (or, with @absent, lacks) @needle. */
static void
assert_row_eventually (const char *name, const char *needle, gboolean absent)
{
  RowWait wait = { name, needle, absent, NULL };

  if (!sb_test_purple_wait (row_matches, &wait, STEP_TIMEOUT_MS))
    g_error ("row %s never %s \"%s\"; last seen: %s", name, absent ? "lost" : "showed",
             needle != NULL ? needle : "(any)", wait.last != NULL ? wait.last : "(no row)");
  g_free (wait.last);
}

/* ---- the screen ----------------------------------------------------------- */

/* Takes a screenshot into $SB_UI_OUTPUT_DIR/@name.png, cropped to @geometry
 * (x y w h) when not NULL.  Returns the path (caller frees). */
static char *
screenshot (const char *name, const int *geometry)
{
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  char *path = g_build_filename (world.out_dir, file, NULL);
  g_autofree char *full = g_build_filename (world.dir, "screen.png", NULL);
  const char *grab[] = { "import", "-display", world.display, "-window", "root", full, NULL };

  g_assert_true (run_tool (grab, NULL));
  if (geometry != NULL)
    {
      g_autofree char *crop = g_strdup_printf ("%dx%d+%d+%d", geometry[2], geometry[3],
                                               MAX (geometry[0], 0), MAX (geometry[1], 0));
      const char *convert[] = { "convert", full, "-crop", crop, "+repage", path, NULL };

      g_assert_true (run_tool (convert, NULL));
    }
  else
    g_assert_true (g_rename (full, path) == 0);
  g_test_message ("screenshot: %s", path);
  return path;
}

/* The words tesseract reads in @png, lower-cased, on one line.  Scaled up
 * and grey first: the buddy list's small type is below its comfort size. */
static char *
ocr (const char *png)
{
  g_autofree char *big = g_strdup_printf ("%s.ocr.png", png);
  const char *convert[] = { "convert", png, "-resize", "300%", "-colorspace", "Gray", big, NULL };
  const char *tesseract[] = { "tesseract", big, "stdout", NULL };
  g_autofree char *text = NULL;
  char *flat;

  g_assert_true (run_tool (convert, NULL));
  g_assert_true (run_tool (tesseract, &text));
  g_unlink (big);
  flat = g_utf8_strdown (text != NULL ? text : "", -1);
  g_strdelimit (flat, "\n\r\t", ' ');
  return flat;
}

/* ---- tests ----------------------------------------------------------------- */

static gboolean
world_ready (void)
{
  if (world.skip_reason != NULL)
    {
      g_test_skip (world.skip_reason);
      return FALSE;
    }
  g_assert_true (world.up);
  return TRUE;
}

/* Pidgin starts, logs in, loads both plugins and draws the roster. */
static void
test_pidgin_starts (void)
{
  g_autofree char *rows = NULL;
  g_autofree char *plugins = NULL;

  if (!world_ready ())
    return;
  /* The probe answering means Pidgin is up; then both plugins must be loaded
   * (a core plugin refusing the database would take gtk-smileback with it). */
  plugins = probe ("plugins", NULL);
  g_assert_nonnull (plugins);
  g_test_message ("loaded plugins:\n%s", plugins);
  g_assert_nonnull (strstr (plugins, SB_CORE_PLUGIN_ID "\n"));
  g_assert_nonnull (strstr (plugins, SB_GTK_PLUGIN_ID "\n"));
  assert_row_eventually (BOB, NULL, FALSE);
  rows = probe ("rows", NULL);
  g_assert_nonnull (strstr (rows, "\t" CAROL "\t"));
  g_assert_nonnull (strstr (rows, "\t" DAVE "\t"));
}

/* The seeded history shows as hints, escaped, in an absolute small size. */
static void
test_hints_from_history (void)
{
  g_autofree char *reply = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *png = NULL;
  g_autofree char *words = NULL;
  int geometry[4];

  if (!world_ready ())
    return;
  reply = probe ("alias", CAROL, CAROL_ALIAS, NULL);
  assert_row_eventually (BOB, "you always start", FALSE);
  assert_row_eventually (CAROL, "Carol &lt;&amp;&gt; Co <span size='small'>\302\267 mutual</span>",
                         FALSE);
  assert_row_eventually (DAVE, "<span size='small'>\302\267 new</span>", FALSE);
  assert_row_eventually (ERIN, "<span size='small'>\302\267 they always start</span>", FALSE);
  assert_row_eventually (FRANK, "<span size='small'>\302\267 owes you a reply</span>", FALSE);

  rows = probe ("rows", NULL);
  g_assert_true (find_geometry (rows, geometry));
  png = screenshot ("ui-blist-history", geometry);
  words = ocr (png);
  g_test_message ("OCR: %s", words);
  g_assert_nonnull (strstr (words, "you always start"));
  g_assert_nonnull (strstr (words, "they always start"));
  g_assert_nonnull (strstr (words, "mutual"));
  g_assert_nonnull (strstr (words, "owes you a reply"));
}

/* The merged contact of dave and gina: one row, named after whichever is its
 * priority buddy, showing the sum. */
static gboolean
merged_row_shows_sum (gpointer data)
{
  g_autofree char *rows = probe ("rows", NULL);
  Row dave = { 0 }, gina = { 0 };
  gboolean has_dave = find_row (rows, DAVE, &dave);
  gboolean has_gina = find_row (rows, GINA, &gina);
  const char *markup = has_dave ? dave.markup : gina.markup;
  gboolean ok = has_dave != has_gina
                && strstr (markup, "<span size='small'>\302\267 mutual</span>") != NULL;

  row_clear (&dave);
  row_clear (&gina);
  if (!ok)
    sb_test_purple_run_for (200);
  return ok;
}

/* A contact row speaks for the person: two "new" buddies merged into one
 * contact have enough history together for a verdict. */
static void
test_contact_sums (void)
{
  g_autofree char *reply = NULL;

  if (!world_ready ())
    return;
  assert_row_eventually (GINA, "<span size='small'>\302\267 new</span>", FALSE);
  reply = probe ("merge", DAVE, GINA, NULL);
  g_assert_cmpstr (reply, ==, "merged\n");
  g_assert_true (sb_test_purple_wait (merged_row_shows_sum, NULL, STEP_TIMEOUT_MS));
}

/* A message changes the hint at once: bob writes, alice owes a reply; alice
 * answers, the verdict is back. */
static void
test_live_update (void)
{
  PurpleConversation *conv;
  g_autofree char *reply = NULL;

  if (!world_ready ())
    return;
  conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, world.bob, ALICE);
  purple_conv_im_send (PURPLE_CONV_IM (conv), "hello alice, long time!");
  assert_row_eventually (BOB, "you owe a reply", FALSE);
  g_free (screenshot ("ui-blist-you-owe-a-reply", NULL));

  reply = probe ("send", BOB, "hello bob, so good to hear from you", NULL);
  g_assert_cmpstr (reply, ==, "sent\n");
  assert_row_eventually (BOB, "you owe a reply", TRUE);
  assert_row_eventually (BOB, "you always start", FALSE);
}

static gboolean
bob_got_reply (gpointer data)
{
  return world.bob_received > 0;
}

/* The tooltip holds the figures, through the signal and on the screen. */
static void
test_tooltip (void)
{
  g_autofree char *text = NULL;
  g_autofree char *rows = NULL;
  Row row = { 0 };
  gboolean seen = FALSE;

  if (!world_ready ())
    return;
  g_assert_true (sb_test_purple_wait (bob_got_reply, NULL, STEP_TIMEOUT_MS));

  text = probe ("tooltip", BOB, NULL);
  g_test_message ("tooltip: %s", text);
  g_assert_nonnull (strstr (text, "<b>Smile Back:</b> you always start"));
  /* 5 seeded episodes alice started, then bob's, answered just now. */
  g_assert_nonnull (strstr (text, "<b>Started by you:</b> 5 of 6 conversations"));
  g_assert_nonnull (strstr (text, "<b>Started by them:</b> 1 of 6 conversations"));
  g_assert_nonnull (strstr (text, "<b>Smiled back:</b> 100% (5 of 5)"));
  g_assert_nonnull (strstr (text, "<b>You replied:</b> 100% (1 of 1)"));
  g_assert_nonnull (strstr (text, "<b>Last conversation:</b> "));
  g_assert_nonnull (strstr (text, "<b>They answer:</b> typically 10 minutes"));

  /* Hover the row until Pidgin's tooltip shows the figures. */
  rows = probe ("rows", NULL);
  g_assert_true (find_row (rows, BOB, &row));
  g_assert_cmpint (row.x, >, 0);
  for (int attempt = 0; attempt < 20 && !seen; attempt++)
    {
      g_autofree char *x = g_strdup_printf ("%d", row.x + attempt % 3);
      g_autofree char *y = g_strdup_printf ("%d", row.y);
      const char *move[] = { "xdotool", "mousemove", x, y, NULL };
      g_autofree char *png = NULL;
      g_autofree char *words = NULL;

      g_assert_true (run_tool (move, NULL));
      sb_test_purple_run_for (1500);
      png = screenshot ("ui-tooltip", NULL);
      words = ocr (png);
      seen = strstr (words, "smiled back") != NULL && strstr (words, "started by you") != NULL;
      if (seen)
        g_test_message ("tooltip OCR: %s", words);
    }
  row_clear (&row);
  g_assert_true (seen);
  {
    /* Move away so the tooltip does not cover later screenshots. */
    const char *away[] = { "xdotool", "mousemove", "1000", "740", NULL };

    g_assert_true (run_tool (away, NULL));
  }
}

/* How many lines of @text read exactly @line. */
static guint
count_lines (const char *text, const char *line)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_strcmp0 (lines[i], line) == 0 ? 1 : 0;
  return n;
}

/* The buddy menu sets the keep-in-touch interval on the node, which the
 * tooltip's reminder line follows. */
static void
test_menu (void)
{
  g_autofree char *menu = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *setting = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *reset = NULL;

  if (!world_ready ())
    return;
  menu = probe ("menu", BOB, NULL);
  g_test_message ("menu:\n%s", menu);
  /* The core plugin's entry (Finch has it too), shown once in Pidgin. */
  g_assert_cmpuint (count_lines (menu, "Keep in touch every\342\200\246"), ==, 1);
  g_assert_nonnull (strstr (menu, "  Every 2 weeks\n"));
  g_assert_nonnull (strstr (menu, "  \342\234\223 Automatic (from your usual rhythm)\n"));
  g_assert_nonnull (strstr (menu, "Show history\n"));
  g_assert_nonnull (strstr (menu, "Forget this buddy\n")); /* the core plugin's */

  reply = probe ("activate", BOB, "Keep in touch every\342\200\246", "Every 2 weeks", NULL);
  g_assert_cmpstr (reply, ==, "activated\n");
  setting = probe ("setting", BOB, NULL);
  g_assert_nonnull (strstr (setting, "buddy\t14\n"));
  tooltip = probe ("tooltip", BOB, NULL);
  g_assert_nonnull (strstr (tooltip, "<b>Reminder due:</b> in 13 days"));
  g_free (menu);
  menu = probe ("menu", BOB, NULL);
  g_assert_nonnull (strstr (menu, "  \342\234\223 Every 2 weeks\n"));

  reset = probe ("activate", BOB, "Keep in touch every\342\200\246",
                 "Automatic (from your usual rhythm)", NULL);
  g_assert_cmpstr (reset, ==, "activated\n");
  g_free (setting);
  setting = probe ("setting", BOB, NULL);
  g_assert_nonnull (strstr (setting, "buddy\t0\n"));

  /* A group's setting applies to its buddies that have none of their own. */
  g_free (menu);
  menu = probe ("menu", "Friends", NULL);
  g_assert_cmpuint (count_lines (menu, "Keep in touch every\342\200\246"), ==, 1);
  g_assert_null (strstr (menu, "Show history"));
  g_free (reply);
  reply = probe ("activate", "Friends", "Keep in touch every\342\200\246", "Every month", NULL);
  g_assert_cmpstr (reply, ==, "activated\n");
  g_free (setting);
  setting = probe ("setting", BOB, NULL);
  g_assert_nonnull (strstr (setting, "group\t30\n"));
  g_free (tooltip);
  tooltip = probe ("tooltip", BOB, NULL);
  g_assert_nonnull (strstr (tooltip, "<b>Reminder due:</b> in 4 weeks"));
  g_free (reply);
  reply = probe ("activate", "Friends", "Keep in touch every\342\200\246",
                 "Automatic (from your usual rhythm)", NULL);
  g_assert_cmpstr (reply, ==, "activated\n");
}

/* The window lists every buddy with history, the due list holds carol only,
 * and "Show history" selects the buddy for the chart. */
static void
test_window (void)
{
  g_autofree char *reply = NULL;
  g_autofree char *widgets = NULL;
  g_autofree char *png = NULL;
  g_autofree char *outcomes = NULL;
  g_auto (GStrv) views = NULL;
  int geometry[4];

  if (!world_ready ())
    return;
  reply = probe ("activate", CAROL, "Show history", NULL);
  g_assert_cmpstr (reply, ==, "activated\n");
  widgets = probe ("widgets", WINDOW_TITLE, NULL);
  g_test_message ("window:\n%s", widgets);
  g_assert_true (find_geometry (widgets, geometry));

  /* views[1]: the table; views[2]: the due list. */
  views = g_strsplit (widgets, "view\n", -1);
  g_assert_cmpuint (g_strv_length (views), ==, 3);
  for (const char *const *who = (const char *const[]){ BOB, CAROL, DAVE, ERIN, FRANK, ZOE, NULL }; *who != NULL; who++)
    {
      g_autofree char *cell = g_strdup_printf ("\t%s\t", *who);

      g_assert_nonnull (strstr (views[1], cell));
    }
  g_assert_nonnull (strstr (views[1], "\t" CAROL_ALIAS "\tmutual"));
  g_assert_nonnull (strstr (views[1], "\tbob\tyou always start"));
  g_assert_nonnull (strstr (views[2], "\t" CAROL "\t"));
  g_assert_null (strstr (views[2], "\t" BOB "\t"));
  g_assert_nonnull (strstr (widgets, "label\tConversations per month with " CAROL_ALIAS "\n"));
  g_assert_nonnull (strstr (widgets, "\npage\tBuddies\n"));
  /* No room yet: the "Group chats" page says so. */
  g_assert_nonnull (strstr (widgets, "label\tNo group chats recorded yet\n"));

  /* How reminders worked out, from the core's figures. */
  outcomes = probe ("ipc", SB_IPC_GET_OUTCOMES, NULL);
  if (g_strcmp0 (outcomes, "yes\n") == 0)
    {
      g_assert_nonnull (strstr (widgets, "label\tHow reminders worked out\n"));
      g_assert_nonnull (strstr (widgets, "label\tReach out: "));
      g_assert_nonnull (strstr (widgets, "\nInvitations: "));
    }

  sb_test_purple_run_for (500);
  png = screenshot ("ui-window", geometry);
}

/* The preferences offer the switches, and say so when another plugin draws
 * buddy names ahead of ours. */
static void
test_prefs_rival (void)
{
  g_autofree char *before = NULL;
  g_autofree char *on = NULL;
  g_autofree char *after = NULL;
  g_autofree char *off = NULL;

  if (!world_ready ())
    return;
  before = probe ("prefs", SB_GTK_PLUGIN_ID, NULL);
  g_test_message ("prefs:\n%s", before);
  g_assert_nonnull (strstr (before, "/plugins/gtk/smileback/show_hints\tShow a hint beside each buddy"));
  g_assert_nonnull (strstr (before, "/plugins/gtk/smileback/show_tooltip\t"));
  g_assert_null (strstr (before, "Another plugin"));

  on = probe ("rival", "1", NULL);
  assert_row_eventually (BOB, "RIVAL bob", FALSE);
  after = probe ("prefs", SB_GTK_PLUGIN_ID, NULL);
  g_assert_nonnull (strstr (after, "\tAnother plugin also changes how buddy names are drawn."));

  off = probe ("rival", "0", NULL);
  assert_row_eventually (BOB, "you always start", FALSE);
}

/* Preferences turn the hints off and on; unloading restores plain names
 * and closes the window. */
static void
test_prefs_and_unload (void)
{
  g_autofree char *off = NULL;
  g_autofree char *on = NULL;
  g_autofree char *unload = NULL;
  g_autofree char *widgets = NULL;
  g_autofree char *alerts = NULL;

  if (!world_ready ())
    return;
  off = probe ("pref-bool", "/plugins/gtk/smileback/show_hints", "0", NULL);
  assert_row_eventually (BOB, "size='small'", TRUE);
  on = probe ("pref-bool", "/plugins/gtk/smileback/show_hints", "1", NULL);
  assert_row_eventually (BOB, "you always start", FALSE);

  unload = probe ("unload", SB_GTK_PLUGIN_ID, NULL);
  g_assert_cmpstr (unload, ==, "unloaded\n");
  assert_row_eventually (BOB, "size='small'", TRUE);
  assert_row_eventually (CAROL, "Carol &lt;&amp;&gt; Co", FALSE);
  widgets = probe ("widgets", WINDOW_TITLE, NULL);
  g_assert_cmpstr (widgets, ==, "error\tno such window\n");
  /* No Smile Back mini-dialog stays behind. */
  alerts = probe ("alerts", NULL);
  g_assert_null (strstr (alerts, "Reach out to"));
  g_assert_null (strstr (alerts, "Invite friends to"));
  g_assert_null (strstr (alerts, "chat history"));
}

/* ---- prompts, invitations, import ------------------------------ */

/* TRUE when core-smileback registered the IPC call @name; otherwise the test
 * is skipped, naming what is missing. */
static gboolean
core_offers (const char *name)
{
  g_autofree char *reply = probe ("ipc", name, NULL);
  g_autofree char *why = NULL;

  if (g_strcmp0 (reply, "yes\n") == 0)
    return TRUE;
  why = g_strdup_printf ("core-smileback does not register the IPC call %s yet: the core side "
                         "(plugin/purple) is missing", name);
  g_test_skip (why);
  return FALSE;
}

typedef struct
{
  const char *needle;
  gboolean plan;      /* ask the core to plan on each try */
  gint64 next_plan;
  char *alerts;       /* the last "alerts" answer */
} AlertWait;

static gboolean
alert_present (gpointer data)
{
  AlertWait *wait = data;

  if (wait->plan && g_get_monotonic_time () >= wait->next_plan)
    {
      g_free (probe ("plan-now", NULL));
      wait->next_plan = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
    }
  g_free (wait->alerts);
  wait->alerts = probe ("alerts", NULL);
  if (wait->alerts != NULL && strstr (wait->alerts, wait->needle) != NULL)
    return TRUE;
  sb_test_purple_run_for (250);
  return FALSE;
}

/* Waits for a mini-dialog in the buddy list whose "alerts" lines contain
 * @needle; with @plan, asks the core to plan meanwhile.  Returns the "alerts"
 * answer (caller frees). */
static char *
wait_alert (const char *needle, gboolean plan, guint timeout_ms)
{
  AlertWait wait = { needle, plan, 0, NULL };

  if (!sb_test_purple_wait (alert_present, &wait, timeout_ms))
    g_error ("no mini-dialog with \"%s\"; the buddy list has:\n%s", needle,
             wait.alerts != NULL ? wait.alerts : "(no answer)");
  return wait.alerts;
}

/* The lines of the mini-dialog whose title contains @title, from its "alert"
 * line to the next dialog's.  Caller frees; "" when not there. */
static char *
alert_block (const char *alerts, const char *title)
{
  g_autofree char *needle = g_strdup_printf ("alert\t%s", title);
  const char *start = alerts != NULL ? strstr (alerts, needle) : NULL;
  const char *end;

  if (start == NULL)
    return g_strdup ("");
  end = strstr (start + 1, "\nalert\t");
  return end != NULL ? g_strndup (start, end - start + 1) : g_strdup (start);
}

/* The title of the first mini-dialog whose title starts with @prefix and
 * names @who (any case: the name is the alias at the time the prompt came,
 * "carol", "carol@localhost" or "Carol <&> Co").  Caller frees; NULL when none. */
static char *
find_alert_title (const char *alerts, const char *prefix, const char *who)
{
  g_auto (GStrv) lines = g_strsplit (alerts != NULL ? alerts : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);
      g_autofree char *lower = NULL;

      if (g_strv_length (f) < 2 || !g_str_equal (f[0], "alert") || !g_str_has_prefix (f[1], prefix))
        continue;
      lower = g_ascii_strdown (f[1], -1);
      if (strstr (lower, who) != NULL)
        return g_strdup (f[1]);
    }
  return NULL;
}

typedef struct
{
  const char *prefix;
  const char *who;
  char *title;
  gint64 next_plan;
  char *alerts;
} TitleWait;

static gboolean
titled_alert_present (gpointer data)
{
  TitleWait *wait = data;

  if (g_get_monotonic_time () >= wait->next_plan)
    {
      g_free (probe ("plan-now", NULL));
      wait->next_plan = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
    }
  g_free (wait->alerts);
  wait->alerts = probe ("alerts", NULL);
  wait->title = find_alert_title (wait->alerts, wait->prefix, wait->who);
  if (wait->title != NULL)
    return TRUE;
  sb_test_purple_run_for (250);
  return FALSE;
}

static gboolean
alert_gone (gpointer data)
{
  g_autofree char *alerts = probe ("alerts", NULL);
  gboolean gone = alerts != NULL && strstr (alerts, data) == NULL;

  if (!gone)
    sb_test_purple_run_for (200);
  return gone;
}

/* On a profile with logs never imported, the buddy list offers the import;
 * importing turns ivan's logs into a hint. */
static void
test_import (void)
{
  g_autofree char *alerts = NULL;
  g_autofree char *block = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *click = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *ok = NULL;
  int geometry[4];

  if (!world_ready () || !core_offers (SB_IPC_IMPORT_START))
    return;
  assert_row_eventually (IVAN, "size='small'", TRUE); /* no history yet */
  alerts = wait_alert ("alert\tImport your chat history?", FALSE, STEP_TIMEOUT_MS);
  block = alert_block (alerts, "Import your chat history?");
  g_test_message ("offer:\n%s", block);
  g_assert_nonnull (strstr (block, "\nbutton\tImport\t1\n"));
  g_assert_nonnull (strstr (block, "\nbutton\tNot now\t1\n"));
  shown = probe ("alert-show", "Import your chat history?", NULL);
  g_assert_cmpstr (shown, ==, "shown\n");
  rows = probe ("rows", NULL);
  g_assert_true (find_geometry (rows, geometry));
  sb_test_purple_run_for (300);
  g_free (screenshot ("ui-blist-import-offer", geometry));

  click = probe ("alert-click", "Import your chat history?", "Import", NULL);
  g_assert_cmpstr (click, ==, "clicked\n");
  summary = wait_alert ("alert\tChat history imported", FALSE, STEP_TIMEOUT_MS);
  g_test_message ("after the import:\n%s", summary);
  /* Five files, each one conversation of two messages. */
  g_assert_nonnull (strstr (summary, "\t10 messages in 5 conversations, from 5 files.\t"));
  g_assert_null (strstr (summary, "Import your chat history?"));
  assert_row_eventually (IVAN, "<span size='small'>\302\267 mutual</span>", FALSE);
  ok = probe ("alert-click", "Chat history imported", "OK", NULL);
  g_assert_cmpstr (ok, ==, "clicked\n");
  g_assert_true (sb_test_purple_wait (alert_gone, "Chat history imported", STEP_TIMEOUT_MS));
}

static gboolean
carol_received_one (gpointer data)
{
  return world.carol_received > 0;
}

typedef struct
{
  const char *buddy;
  char *last;
} ConvWait;

static gboolean
conv_focused (gpointer data)
{
  ConvWait *wait = data;

  g_free (wait->last);
  wait->last = probe ("conv", wait->buddy, NULL);
  if (wait->last != NULL && g_str_has_prefix (wait->last, "conv\t1\t1\t"))
    return TRUE;
  sb_test_purple_run_for (200);
  return FALSE;
}

/* carol is overdue: the reminder appears in the buddy list; "Say hi" opens
 * the conversation with the focus in the entry, and carol receives nothing
 * until the user sends something. */
static void
test_reminder_say_hi (void)
{
  static const char *const drafts[] = { "Hi! How have you been?",
                                        "Hey, I was just thinking of you. How are things?",
                                        "Hi! It's been a while. What are you up to these days?" };
  TitleWait wait = { "Reach out to ", "carol", NULL, 0, NULL };
  g_autofree char *title = NULL;
  g_autofree char *name = NULL;
  g_autofree char *not_for = NULL;
  g_autofree char *alerts = NULL;
  g_autofree char *block = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *png = NULL;
  g_autofree char *words = NULL;
  g_autofree char *before = NULL;
  g_autofree char *click = NULL;
  g_autofree char *sent = NULL;
  ConvWait conv = { CAROL, NULL };
  gboolean drafted = FALSE;
  int geometry[4];

  if (!world_ready () || !core_offers (SB_IPC_ANSWER_PROMPT) || !core_offers (SB_IPC_PLAN_NOW))
    return;
  if (!sb_test_purple_wait (titled_alert_present, &wait, PROMPT_TIMEOUT_MS))
    g_error ("no reminder for carol; the buddy list has:\n%s",
             wait.alerts != NULL ? wait.alerts : "(no answer)");
  title = g_steal_pointer (&wait.title);
  alerts = g_steal_pointer (&wait.alerts);
  block = alert_block (alerts, title);
  g_test_message ("reminder:\n%s", block);
  /* "Reach out to NAME?" */
  name = g_strndup (title + strlen ("Reach out to "), strlen (title) - strlen ("Reach out to ") - 1);
  not_for = g_strdup_printf ("\nbutton\tNot for %s\t1\n", name);
  g_assert_nonnull (strstr (block, "\nbutton\tSay hi\t1\n"));
  g_assert_nonnull (strstr (block, "\nbutton\tLater\t1\n"));
  g_assert_nonnull (strstr (block, not_for));

  shown = probe ("alert-show", title, NULL);
  g_assert_cmpstr (shown, ==, "shown\n");
  sb_test_purple_run_for (300);
  rows = probe ("rows", NULL);
  g_assert_true (find_geometry (rows, geometry));
  png = screenshot ("ui-blist-reminder", geometry);
  words = ocr (png);
  g_test_message ("OCR: %s", words);
  g_assert_nonnull (strstr (words, "reach out to"));

  before = probe ("conv", CAROL, NULL);
  g_assert_cmpstr (before, ==, "none\n");
  click = probe ("alert-click", title, "Say hi", NULL);
  g_assert_cmpstr (click, ==, "clicked\n");
  if (!sb_test_purple_wait (conv_focused, &conv, STEP_TIMEOUT_MS))
    g_error ("no focused conversation with carol: %s", conv.last != NULL ? conv.last : "");
  g_test_message ("conversation: %s", conv.last);
  for (gsize i = 0; i < G_N_ELEMENTS (drafts); i++)
    drafted = drafted || strstr (conv.last, drafts[i]) != NULL;
  g_assert_true (drafted);
  g_free (conv.last);
  g_assert_true (sb_test_purple_wait (alert_gone, (gpointer) title, STEP_TIMEOUT_MS));
  g_free (screenshot ("ui-say-hi", NULL));

  /* Nothing went out: the first message carol gets is the one the user
   * sends now (one connection, messages in order). */
  sent = probe ("send", CAROL, "typed by the user", NULL);
  g_assert_cmpstr (sent, ==, "sent\n");
  g_assert_true (sb_test_purple_wait (carol_received_one, NULL, STEP_TIMEOUT_MS));
  g_assert_cmpuint (world.carol_received, ==, 1);
  g_assert_nonnull (strstr (world.carol_last, "typed by the user"));
}

/* The label of the check box naming @who in an "alerts" block ("hank
 * (hank@localhost)" or "hank@localhost"), with its state in *@active.
 * Caller frees; NULL when none. */
static char *
check_label (const char *block, const char *who, gboolean *active)
{
  g_auto (GStrv) lines = g_strsplit (block, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (f) == 3 && g_str_equal (f[0], "check") && strstr (f[1], who) != NULL)
        {
          *active = g_str_equal (f[2], "1");
          return g_strdup (f[1]);
        }
    }
  return NULL;
}

/* "Later" on the week's introduction (strong ties never seen together: by
 * now frank, hank, ivan and bob) turns into the choice of when; "Next week"
 * closes it, and planning again does not bring it back. */
static void
test_later (void)
{
  TitleWait wait = { "Introduce ", "", NULL, 0, NULL };
  g_autofree char *title = NULL;
  g_autofree char *block = NULL;
  g_autofree char *later = NULL;
  g_autofree char *when = NULL;
  g_autofree char *when_block = NULL;
  g_autofree char *click = NULL;
  g_autofree char *after = NULL;

  if (!world_ready () || !core_offers (SB_IPC_ANSWER_PROMPT) || !core_offers (SB_IPC_PLAN_NOW))
    return;
  if (!sb_test_purple_wait (titled_alert_present, &wait, PROMPT_TIMEOUT_MS))
    g_error ("no introduction; the buddy list has:\n%s",
             wait.alerts != NULL ? wait.alerts : "(no answer)");
  title = g_steal_pointer (&wait.title);
  block = alert_block (wait.alerts, title);
  g_free (wait.alerts);
  g_test_message ("introduction:\n%s", block);
  g_assert_nonnull (strstr (block, "\nbutton\tIntroduce\t1\n"));
  g_assert_nonnull (strstr (block, "\nbutton\tThey know each other\t1\n"));
  g_assert_nonnull (strstr (block, "\nbutton\tLater\t1\n"));
  g_assert_null (strstr (block, "Not for"));

  later = probe ("alert-click", title, "Later", NULL);
  g_assert_cmpstr (later, ==, "clicked\n");
  when = wait_alert ("alert\tRemind me again\342\200\246", FALSE, STEP_TIMEOUT_MS);
  when_block = alert_block (when, "Remind me again");
  g_test_message ("later:\n%s", when_block);
  g_assert_nonnull (strstr (when_block, title)); /* what is being snoozed */
  g_assert_nonnull (strstr (when_block, "\nbutton\tTomorrow\t1\n"));
  g_assert_nonnull (strstr (when_block, "\nbutton\tNext week\t1\n"));
  g_assert_null (strstr (when, "alert\tIntroduce ")); /* one dialog for the prompt */

  click = probe ("alert-click", "Remind me again", "Next week", NULL);
  g_assert_cmpstr (click, ==, "clicked\n");
  g_assert_true (sb_test_purple_wait (alert_gone, "Remind me again", STEP_TIMEOUT_MS));
  for (int i = 0; i < 3; i++)
    {
      g_free (probe ("plan-now", NULL));
      sb_test_purple_run_for (500);
    }
  after = probe ("alerts", NULL);
  g_assert_null (strstr (after, "alert\tIntroduce "));
}

/* jack's message waits for an answer: the nudge offers "Reply", "Later" and
 * "Not for jack"; muting closes it, and planning again does not bring it
 * back. */
static void
test_mute (void)
{
  TitleWait wait = { "", "jack", NULL, 0, NULL };
  const char *waiting = " is waiting for an answer";
  g_autofree char *title = NULL;
  g_autofree char *block = NULL;
  g_autofree char *name = NULL;
  g_autofree char *not_for = NULL;
  g_autofree char *click = NULL;
  g_autofree char *after = NULL;

  if (!world_ready () || !core_offers (SB_IPC_ANSWER_PROMPT) || !core_offers (SB_IPC_PLAN_NOW))
    return;
  if (!sb_test_purple_wait (titled_alert_present, &wait, PROMPT_TIMEOUT_MS))
    g_error ("no reply nudge for jack; the buddy list has:\n%s",
             wait.alerts != NULL ? wait.alerts : "(no answer)");
  title = g_steal_pointer (&wait.title);
  block = alert_block (wait.alerts, title);
  g_free (wait.alerts);
  g_test_message ("nudge:\n%s", block);
  g_assert_true (g_str_has_suffix (title, waiting));
  name = g_strndup (title, strlen (title) - strlen (waiting));
  not_for = g_strdup_printf ("Not for %s", name);
  g_assert_nonnull (strstr (block, "\nbutton\tReply\t1\n"));
  g_assert_nonnull (strstr (block, "\nbutton\tLater\t1\n"));
  g_assert_nonnull (strstr (block, not_for));

  click = probe ("alert-click", title, not_for, NULL);
  g_assert_cmpstr (click, ==, "clicked\n");
  g_assert_true (sb_test_purple_wait (alert_gone, title, STEP_TIMEOUT_MS));
  for (int i = 0; i < 3; i++)
    {
      g_free (probe ("plan-now", NULL));
      sb_test_purple_run_for (500);
    }
  after = probe ("alerts", NULL);
  g_assert_null (strstr (after, title));
}

static gboolean
hank_invited (gpointer data)
{
  return world.hank_invited > 0;
}

/* Joining a group chat brings an invitation prompt listing the online strong
 * ties with check boxes, none ticked; only the ticked one is invited. */
static void
test_invitation (void)
{
  g_autofree char *join = NULL;
  g_autofree char *alerts = NULL;
  g_autofree char *block = NULL;
  g_autofree char *tick = NULL;
  g_autofree char *after = NULL;
  g_autofree char *click = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *hank = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *hank_after = NULL;
  gboolean active = TRUE;
  int geometry[4];

  if (!world_ready () || !core_offers (SB_IPC_ANSWER_PROMPT))
    return;
  join = probe ("join", ROOM, SB_TEST_PROSODY_MUC_DOMAIN, NULL);
  g_assert_cmpstr (join, ==, "joining\n");
  alerts = wait_alert ("alert\tInvite friends to", FALSE, PROMPT_TIMEOUT_MS);
  block = alert_block (alerts, "Invite friends to");
  g_test_message ("invitation:\n%s", block);
  /* Online strong ties: hank, and bob since he started a conversation
   * (live-update).  frank is close but offline; carol online but not close. */
  hank = check_label (block, HANK, &active);
  g_assert_nonnull (hank);
  g_assert_false (active);
  active = TRUE;
  bob = check_label (block, BOB, &active);
  g_assert_nonnull (bob);
  g_assert_false (active);
  g_assert_null (strstr (block, FRANK));
  g_assert_null (strstr (block, CAROL));
  g_assert_nonnull (strstr (block, "\nbutton\tInvite\t0\n")); /* nothing ticked yet */
  g_assert_nonnull (strstr (block, "\nbutton\tNot now\t1\n"));
  g_assert_null (strstr (block, "Not for")); /* no mute for a group */

  tick = probe ("alert-tick", "Invite friends to", hank, NULL);
  g_assert_cmpstr (tick, ==, "clicked\n");
  after = probe ("alerts", NULL);
  hank_after = check_label (after, HANK, &active);
  g_assert_true (active);
  g_assert_nonnull (strstr (after, "\nbutton\tInvite\t1\n"));
  g_free (probe ("alert-show", "Invite friends to", NULL));
  sb_test_purple_run_for (300);
  rows = probe ("rows", NULL);
  g_assert_true (find_geometry (rows, geometry));
  g_free (screenshot ("ui-blist-invitation", geometry));

  click = probe ("alert-click", "Invite friends to", "Invite", NULL);
  g_assert_cmpstr (click, ==, "clicked\n");
  g_assert_true (sb_test_purple_wait (hank_invited, NULL, STEP_TIMEOUT_MS));
  g_assert_cmpuint (world.hank_invited, ==, 1);
  /* bob was not ticked; his invitation would have left the same connection
   * just before or after hank's. */
  sb_test_purple_run_for (1000);
  g_assert_cmpuint (world.bob_invited, ==, 0);
  g_assert_true (sb_test_purple_wait (alert_gone, "Invite friends to", STEP_TIMEOUT_MS));
}

/* ---- group chats ------------------------------------------------------------ */

typedef struct
{
  PurpleAccount *account;
  const char *text; /* NULL: wait for the room only */
  guint users;      /* at least this many members listed */
} ChatWait;

static PurpleConversation *
peer_chat (PurpleAccount *account)
{
  return purple_find_conversation_with_account (PURPLE_CONV_TYPE_CHAT, ROOM_JID, account);
}

static gboolean
chat_shows (gpointer data)
{
  ChatWait *wait = data;
  PurpleConversation *conv = peer_chat (wait->account);

  if (conv == NULL
      || g_list_length (purple_conv_chat_get_users (PURPLE_CONV_CHAT (conv))) < wait->users)
    return FALSE;
  if (wait->text == NULL)
    return TRUE;
  for (GList *l = purple_conversation_get_message_history (conv); l != NULL; l = l->next)
    if (g_strcmp0 (purple_conversation_message_get_message (l->data), wait->text) == 0)
      return TRUE;
  return FALSE;
}

/* A peer of the test joins alice's room as @nick.  Until alice accepts the
 * room's default configuration (Pidgin asks its creator), the server keeps
 * the room locked: accept it through the probe, then try again. */
static void
peer_joins (PurpleAccount *account, const char *nick)
{
  ChatWait wait = { account, NULL, 1 };

  for (int attempt = 0; attempt < 20 && peer_chat (account) == NULL; attempt++)
    {
      GHashTable *components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

      g_free (probe ("dialog-click", "_Accept Defaults", NULL));
      g_hash_table_insert (components, g_strdup ("room"), g_strdup (ROOM));
      g_hash_table_insert (components, g_strdup ("server"), g_strdup (SB_TEST_PROSODY_MUC_DOMAIN));
      g_hash_table_insert (components, g_strdup ("handle"), g_strdup (nick));
      serv_join_chat (purple_account_get_connection (account), components);
      g_hash_table_destroy (components);
      sb_test_purple_wait (chat_shows, &wait, 3000);
    }
  g_assert_nonnull (peer_chat (account));
}

/* @from (NULL: alice, through Pidgin) says @text in the room, awaited where
 * bob sees it, so every line reaches Pidgin in this order. */
static void
room_says (PurpleAccount *from, const char *text)
{
  ChatWait wait = { world.bob, text, 3 };

  if (from == NULL)
    {
      g_autofree char *sent = probe ("chat-send", ROOM_JID, text, NULL);

      g_assert_cmpstr (sent, ==, "sent\n");
    }
  else
    purple_conv_chat_send (PURPLE_CONV_CHAT (peer_chat (from)), text);
  if (!sb_test_purple_wait (chat_shows, &wait, STEP_TIMEOUT_MS))
    g_error ("bob never saw \"%s\" in the room", text);
}

typedef struct
{
  const char *needle;
  gboolean open_window; /* reopen the window (a refill) before each look */
  const char *verb;     /* the probe command looked at, with its argument */
  const char *arg;
  char *last;
} ProbeWait;

static gboolean
probe_shows (gpointer data)
{
  ProbeWait *wait = data;

  if (wait->open_window)
    g_free (probe ("action", WINDOW_TITLE, NULL));
  g_free (wait->last);
  wait->last = probe (wait->verb, wait->arg, NULL);
  if (wait->last != NULL && strstr (wait->last, wait->needle) != NULL)
    return TRUE;
  sb_test_purple_run_for (500);
  return FALSE;
}

/* Waits until the probe's answer to @verb @arg holds @needle (room lines
 * reach the store within the core plugin's flush interval); returns the
 * answer (caller frees). */
static char *
wait_probe (const char *verb, const char *arg, const char *needle, gboolean open_window)
{
  ProbeWait wait = { needle, open_window, verb, arg, NULL };

  if (!sb_test_purple_wait (probe_shows, &wait, STEP_TIMEOUT_MS))
    g_error ("%s never showed \"%s\"; last seen:\n%s", verb, needle,
             wait.last != NULL ? wait.last : "(no answer)");
  return wait.last;
}

/* In alice's room, carol answers her twice, bob once, and alice answers bob:
 * their tooltips count both ways, and the window's "Group chats" page lists
 * the room with alice's one thread answered, carol (by her alias) as the one
 * answering her most and bob as the one she answers most. */
static void
test_rooms (void)
{
  const char *row = "\tsmiles@conference.localhost\t1 of 1 answered\tless than a minute\t"
                    CAROL_ALIAS " (2 times)\tbob (1 time)\n";
  g_autofree char *join = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *carol = NULL;
  g_autofree char *widgets = NULL;
  g_autofree char *page = NULL;
  g_auto (GStrv) views = NULL;
  int geometry[4];

  if (!world_ready ())
    return;
  join = probe ("join", ROOM, SB_TEST_PROSODY_MUC_DOMAIN, NULL);
  g_assert_cmpstr (join, ==, "joining\n");
  peer_joins (world.bob, "bob");
  peer_joins (world.carol, "carol");

  room_says (NULL, "who is coming to the picnic on sunday?");
  room_says (world.carol, "alice: we are, with the kids");
  room_says (world.carol, "alice: shall we bring a cake?");
  room_says (world.bob, "alice: count me in");
  room_says (NULL, "bob: great, can you bring the ball?");

  /* The figures come from committed rows: the last line shows within about
   * a second, once the writer committed it. */
  tooltip = wait_probe ("tooltip", BOB, "In rooms: answered you 1 time, you answered them 1 time",
                        FALSE);
  g_test_message ("tooltip: %s", tooltip);
  g_assert_nonnull (strstr (tooltip, "\nIn rooms: answered you 1 time, you answered them 1 time"));
  carol = wait_probe ("tooltip", CAROL, "In rooms: answered you 2 times", FALSE);
  g_assert_nonnull (
    strstr (carol, "\nIn rooms: answered you 2 times, you answered them 0 times"));

  /* The page reads its figures when it is shown. */
  page = probe ("page", WINDOW_TITLE, "Group chats", NULL);
  g_assert_cmpstr (page, ==, "shown\n");
  widgets = wait_probe ("widgets", WINDOW_TITLE, "smiles@conference.localhost", TRUE);
  g_test_message ("window:\n%s", widgets);
  /* views[3]: the rooms, after the buddies' table and the due list. */
  views = g_strsplit (widgets, "view\n", -1);
  g_assert_cmpuint (g_strv_length (views), ==, 4);
  g_assert_nonnull (strstr (views[3], row));
  g_assert_null (strstr (widgets, "No group chats recorded yet"));

  g_assert_nonnull (strstr (widgets, "\npage\tGroup chats\n"));
  g_assert_true (find_geometry (widgets, geometry));
  sb_test_purple_run_for (500);
  g_free (screenshot ("ui-window-rooms", geometry));
}

/* ---- the world ------------------------------------------------------------ */

static const char *const needed_tools[] = { "Xvfb", "pidgin", "prosody", "xdotool",
                                            "import", "convert", "tesseract" };

static void
world_start (void)
{
  static const SbTestProsodyUser users[] = {
    { "alice", PASSWORD }, { "bob", PASSWORD },  { "carol", PASSWORD },
    { "dave", PASSWORD },  { "erin", PASSWORD }, { "frank", PASSWORD },
    { "gina", PASSWORD },  { "hank", PASSWORD }, { "ivan", PASSWORD },
    { "jack", PASSWORD },
  };
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (needed_tools); i++)
    {
      g_autofree char *path = g_find_program_in_path (needed_tools[i]);

      if (path == NULL)
        {
          world.skip_reason = g_strdup_printf ("%s is not installed", needed_tools[i]);
          return;
        }
    }

  world.out_dir = g_strdup (g_getenv ("SB_UI_OUTPUT_DIR"));
  if (world.out_dir == NULL)
    world.out_dir = g_get_current_dir ();
  world.dir = g_dir_make_tmp ("smileback-ui-XXXXXX", &error);
  g_assert_no_error (error);
  world.profile = g_build_filename (world.dir, "profile", NULL);
  world.probe_dir = g_build_filename (world.dir, "probe", NULL);
  g_assert_cmpint (g_mkdir_with_parents (world.profile, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (world.probe_dir, 0700), ==, 0);

  world.server = sb_test_prosody_start (users, G_N_ELEMENTS (users), TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (write_profile (sb_test_prosody_get_port (world.server)));
  seed_history ();
  write_ivan_logs ();

  g_assert_true (start_xvfb (&error));
  g_assert_no_error (error);
  g_assert_true (start_pidgin (&error));
  g_assert_no_error (error);

  purple_signal_connect (purple_conversations_get_handle (), "received-im-msg", &world,
                         PURPLE_CALLBACK (bob_received_cb), NULL);
  purple_signal_connect (purple_conversations_get_handle (), "chat-invited", &world,
                         PURPLE_CALLBACK (chat_invited_cb), NULL);
  world.bob = sb_test_purple_xmpp_account_new ("bob", SB_TEST_PROSODY_DOMAIN,
                                               sb_test_prosody_get_port (world.server), PASSWORD);
  world.carol = sb_test_purple_xmpp_account_new ("carol", SB_TEST_PROSODY_DOMAIN,
                                                 sb_test_prosody_get_port (world.server), PASSWORD);
  world.hank = sb_test_purple_xmpp_account_new ("hank", SB_TEST_PROSODY_DOMAIN,
                                                sb_test_prosody_get_port (world.server), PASSWORD);
  g_assert_true (sb_test_purple_wait_connected (world.bob, START_TIMEOUT_MS));
  g_assert_true (sb_test_purple_wait_connected (world.carol, START_TIMEOUT_MS));
  g_assert_true (sb_test_purple_wait_connected (world.hank, START_TIMEOUT_MS));
  world.up = TRUE;
}

static void
world_stop (void)
{
  /* Pidgin first, so it logs off a live server. */
  stop_process (&world.pidgin);
  stop_process (&world.xvfb);
  for (PurpleAccount **account = (PurpleAccount *[]){ world.bob, world.carol, world.hank, NULL };
       *account != NULL; account++)
    purple_account_set_enabled (*account, SB_TEST_UI_ID, FALSE);
  g_free (world.carol_last);
  purple_signals_disconnect_by_handle (&world);
  sb_test_prosody_stop (g_steal_pointer (&world.server));
  if (world.dir != NULL && g_getenv ("SMILEBACK_TEST_KEEP") == NULL)
    sb_test_rm_rf (world.dir);
  g_free (world.dir);
  g_free (world.profile);
  g_free (world.probe_dir);
  g_free (world.out_dir);
  g_free (world.display);
  g_free (world.skip_reason);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();

  g_test_add_func ("/ui/pidgin/starts", test_pidgin_starts);
  g_test_add_func ("/ui/import/offer-and-import", test_import);
  g_test_add_func ("/ui/blist/hints-from-history", test_hints_from_history);
  g_test_add_func ("/ui/blist/contact-sums", test_contact_sums);
  g_test_add_func ("/ui/blist/live-update", test_live_update);
  g_test_add_func ("/ui/blist/tooltip", test_tooltip);
  g_test_add_func ("/ui/blist/menu", test_menu);
  g_test_add_func ("/ui/window/lists-buddies", test_window);
  g_test_add_func ("/ui/prompts/reminder-say-hi", test_reminder_say_hi);
  g_test_add_func ("/ui/prompts/invitation", test_invitation);
  g_test_add_func ("/ui/prompts/later", test_later);
  g_test_add_func ("/ui/prompts/not-for-buddy", test_mute);
  /* After the prompts: the room stays open in Pidgin, where it would take the
   * place of the conversations they open. */
  g_test_add_func ("/ui/rooms/tooltip-and-window", test_rooms);
  g_test_add_func ("/ui/plugin/prefs-rival-drawer", test_prefs_rival);
  g_test_add_func ("/ui/plugin/prefs-and-unload", test_prefs_and_unload);

  world_start ();
  status = g_test_run ();
  world_stop ();
  sb_test_purple_shutdown ();
  return status;
}
