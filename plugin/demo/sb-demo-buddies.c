/* sb-demo-buddies.c: the buddies of `./run demo`, real XMPP clients on
 * headless libpurple, and the months of history the demo starts from.
 *
 * This program plays the other people, so it sends messages (their answers,
 * their first words, the room's chat).  It is not part of Smile Back, which
 * never sends anything (tests/check-never-sends.sh checks the plugins).
 *
 *   sb-demo-buddies users
 *       the buddies' user names, one a line (what the demo registers)
 *   sb-demo-buddies history --logs DIR --me USER [--host HOST]
 *       writes Pidgin HTML logs of USER@HOST's conversations with every
 *       buddy into DIR/jabber/USER@HOST/BUDDY@HOST/, one file per
 *       conversation, in Pidgin 2.14's format and file names
 *   sb-demo-buddies run --dir DIR --port PORT --me USER --password PW [--host HOST]
 *       signs every buddy on to the XMPP server at 127.0.0.1:PORT and plays
 *       its personality until SIGINT or SIGTERM (or its parent dies);
 *       libpurple keeps its own files (accounts, certificates) in DIR
 *
 * The personalities, and the history written for each so that the core's
 * rules (docs/design.md, "Definitions" and "Prompts and their manners")
 * produce the demo's hints and prompts:
 *
 *   ana   answers within seconds.  Mutual, every 10 days, but the last
 *         conversation was a month ago: the reach-out reminder.
 *   ben   never answers.  The user started every conversation: "you always
 *         start"; never answered, so never a reminder.
 *   cleo  always starts, and writes to the user now and then.  She wrote 14
 *         hours ago and got no answer yet: "you owe a reply" and a reply nudge.
 *   dan   is away and sends auto-replies, now and in the logs (marked
 *         <AUTO-REPLY>, so they never count as an answer).  Live, his reply
 *         goes out flagged PURPLE_MESSAGE_AUTO_RESP, but libpurple's XMPP
 *         does not carry that flag: Pidgin receives a plain message.
 *   eve, finn  close friends of the user (strong ties) who never met: no
 *         shared room, so an introduction is suggested.
 *
 * ana, cleo and dan also chat in the room "lounge" on the MUC component.
 * Nothing here is test code: it is a small libpurple client of its own.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include <purple.h>

#include "sb-headless.h"

#define UI_ID "smileback-demo"
#define DEFAULT_HOST "localhost"
#define ROOM "lounge"
#define RESOURCE "demo"
/* Seconds between two lines in the room, and between cleo's messages (the
 * first after a minute and a half: her reply nudge, which a new message of
 * hers withdraws, is on screen first). */
#define ROOM_EVERY_S 40
#define STARTER_FIRST_S 90
#define STARTER_EVERY_S 300

#define DAY_S (G_GINT64_CONSTANT (86400))
#define HOUR_S (G_GINT64_CONSTANT (3600))

typedef enum
{
  QUICK,   /* answers within seconds */
  SILENT,  /* never answers */
  STARTER, /* always starts */
  AWAY,    /* auto-replies */
  FRIEND,  /* a close friend, answers in a while */
} Personality;

/* One buddy and the shape of their history: @episodes conversations, one
 * every @every_days, the latest @last_ago_h hours ago; @starts says in turn
 * who opened each ('y' the user, 't' them), from the latest back. */
typedef struct
{
  const char *name;
  Personality personality;
  guint answer_after_s; /* live: how long before answering the user; 0 never */
  gboolean in_room;
  guint episodes;
  gint64 every_days;
  gint64 last_ago_h;
  const char *starts;
  const char *topic; /* what they talk about, so every buddy's lines differ */
} DemoBuddy;

static const DemoBuddy demo_buddies[] = {
  { "ana", QUICK, 4, TRUE, 8, 10, 30 * 24, "ty", N_("the trip to Lisbon") },
  { "ben", SILENT, 0, FALSE, 6, 14, 16 * 24, "y", N_("the book club") },
  { "cleo", STARTER, 8, TRUE, 10, 6, 14, "t", N_("the concert") },
  { "dan", AWAY, 0, TRUE, 6, 12, 3 * 24, "y", N_("the hike") },
  { "eve", FRIEND, 20, FALSE, 20, 5, 2 * 24, "yt", N_("the garden") },
  { "finn", FRIEND, 10, FALSE, 30, 3, 26, "ty", N_("the band") },
};

/* What they say: the first %s is whom they write to, the second the buddy's
 * topic.  Every buddy's lines differ, so no text arrives alike from several
 * buddies (which the core would take for automated). */
static const char *const openers[] = {
  /* TRANSLATORS: a demo buddy's message: a name, then a topic ("the band") */
  N_("Hi %s! Any news about %s?"),
  /* TRANSLATORS: a demo buddy's message: a name, then a topic ("the band") */
  N_("Hey %s, free this weekend? I keep thinking of %s."),
  /* TRANSLATORS: a demo buddy's message: a name, then a topic ("the band") */
  N_("%s, guess what I found about %s today"),
  /* TRANSLATORS: a demo buddy's message: a name, then a topic ("the band") */
  N_("Morning %s! Still up for %s?"),
};
static const char *const answers[] = {
  /* TRANSLATORS: a demo buddy's answer: a name, then a topic ("the band") */
  N_("Oh hi %s, good to hear from you! Yes, %s was lovely."),
  /* TRANSLATORS: a demo buddy's answer: a name, then a topic ("the band") */
  N_("Sounds great, %s. Tell me more about %s!"),
  /* TRANSLATORS: a demo buddy's answer: a name, then a topic ("the band") */
  N_("Ha, %s, you made my day. Let's talk about %s soon."),
  /* TRANSLATORS: a demo buddy's answer: a name, then a topic ("the band") */
  N_("Sure %s, %s it is."),
};
static const char *const room_lines[] = {
  N_("%s: anyone up for a coffee later?"),
  N_("%s: did you read the news this morning?"),
  N_("%s: the new bakery on the corner is great"),
  N_("%s: I'll bring the board game on Friday"),
};
/* TRANSLATORS: dan's away message, sent as his auto-reply */
#define AWAY_MESSAGE N_("Out hiking until Monday, no signal up there. Back soon!")

/* ---- history ------------------------------------------------------------------ */

static const char *
pick (const char *const *lines, guint n, guint i)
{
  return _(lines[i % n]);
}

/* One line of a Pidgin 2.14 HTML log: the user's in blue, the buddy's in
 * red, an auto-reply marked after the name. */
static void
append_line (GString *out, gint64 when, gboolean by_user, gboolean auto_reply, const char *who,
             const char *text)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (when);
  g_autofree char *stamp = g_date_time_format (t, "%H:%M:%S");
  g_autofree char *body = g_markup_escape_text (text, -1);

  g_string_append_printf (out,
                          "<span style=\"color: %s\"><span style=\"font-size: smaller\">(%s)"
                          "</span> <b>%s%s:</b></span> %s<br/>\n",
                          by_user ? "#16569E" : "#A82F2F", stamp, who,
                          auto_reply ? " &lt;AUTO-REPLY&gt;" : "", body);
}

/* Writes one conversation with @b, opened at @start, into @dir. */
static gboolean
write_episode (const char *dir, const DemoBuddy *b, const char *me, const char *host, guint i,
               gint64 start, gboolean by_user, gboolean answered, GError **error)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (start);
  g_autofree char *file = g_date_time_format (t, "%Y-%m-%d.%H%M%S+0000UTC.html");
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *when = g_date_time_format (t, "%a %d %b %Y %I:%M:%S %p UTC");
  g_autofree char *buddy = g_strdup_printf ("%s@%s", b->name, host);
  g_autofree char *user = g_strdup_printf ("%s@%s/Home", me, host);
  g_autofree char *opener = NULL;
  g_autofree char *answer = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *title = g_strdup_printf ("Conversation with %s at %s on %s (jabber)", buddy,
                                            when, user);
  gint64 delay = b->personality == QUICK ? 60 : b->personality == FRIEND ? 600 : 3600;

  g_string_append_printf (out,
                          "<html><head><meta http-equiv=\"content-type\" content=\"text/html; "
                          "charset=UTF-8\"><title>%s</title></head><body><h3>%s</h3>\n",
                          title, title);
  opener = g_strdup_printf (pick (openers, G_N_ELEMENTS (openers), i), by_user ? b->name : me,
                            _(b->topic));
  append_line (out, start, by_user, FALSE, by_user ? user : buddy, opener);
  if (b->personality == AWAY)
    append_line (out, start + 5, FALSE, TRUE, buddy, _(AWAY_MESSAGE));
  if (answered)
    {
      answer = g_strdup_printf (pick (answers, G_N_ELEMENTS (answers), i + 1),
                                by_user ? me : b->name, _(b->topic));
      append_line (out, start + delay, !by_user, FALSE, by_user ? buddy : user, answer);
    }
  g_string_append (out, "</body></html>\n");
  return g_file_set_contents (path, out->str, -1, error);
}

static gboolean
write_history (const char *logs, const char *me, const char *host, GError **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *account = g_strdup_printf ("%s@%s", me, host);

  for (gsize n = 0; n < G_N_ELEMENTS (demo_buddies); n++)
    {
      const DemoBuddy *b = &demo_buddies[n];
      g_autofree char *buddy = g_strdup_printf ("%s@%s", b->name, host);
      g_autofree char *dir = g_build_filename (logs, "jabber", account, buddy, NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("cannot create %s"), dir);
          return FALSE;
        }
      for (guint i = 0; i < b->episodes; i++)
        {
          /* A little jitter, so the chart and the figures look lived in. */
          gint64 start = now - b->last_ago_h * HOUR_S - i * b->every_days * DAY_S
                         - (gint64) ((i * 7919) % 5) * HOUR_S;
          gboolean by_user = b->starts[i % strlen (b->starts)] == 'y';
          gboolean answered;

          switch (b->personality)
            {
            case SILENT:
              answered = FALSE;
              break;
            case STARTER:
              answered = i > 0; /* the latest still waits for the user */
              break;
            case AWAY:
              answered = i % 2 == 1; /* half of them, for real, later */
              break;
            default:
              answered = TRUE;
            }
          if (!write_episode (dir, b, me, host, i, start, by_user, answered, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* ---- the buddies at work ---------------------------------------------------- */

static struct
{
  char *me;      /* the user's bare JID */
  char *me_name; /* its node part, how the buddies call the user */
  char *room;    /* lounge@conference.HOST */
  PurpleAccount *accounts[G_N_ELEMENTS (demo_buddies)];
  guint room_turn;
  guint starter_turn;
  GMainLoop *loop;
} demo;

static int
buddy_index (PurpleAccount *account)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_buddies); i++)
    if (demo.accounts[i] == account)
      return (int) i;
  return -1;
}

static void
send_im (PurpleAccount *account, const char *text, PurpleMessageFlags flags)
{
  PurpleConversation *conv
    = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, demo.me, account);

  if (!purple_account_is_connected (account))
    return;
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, demo.me);
  purple_conv_im_send_with_flags (PURPLE_CONV_IM (conv), text, flags);
}

typedef struct
{
  int index;
  guint turn;
} Reply;

static gboolean
reply_cb (gpointer data)
{
  Reply *reply = data;
  const DemoBuddy *b = &demo_buddies[reply->index];
  g_autofree char *text = g_strdup_printf (pick (answers, G_N_ELEMENTS (answers), reply->turn),
                                           demo.me_name, _(b->topic));

  send_im (demo.accounts[reply->index], text, 0);
  g_print (_("%s answered the user\n"), b->name);
  return G_SOURCE_REMOVE;
}

/* The user wrote to one of the buddies: answer, or not, as they would. */
static void
received_im_cb (PurpleAccount *account, char *sender, char *message, PurpleConversation *conv,
                PurpleMessageFlags flags, gpointer data)
{
  static guint turn;
  int index = buddy_index (account);
  g_autofree char *bare = g_strdup (sender);
  char *slash = strchr (bare, '/');
  const DemoBuddy *b;

  if (slash != NULL)
    *slash = '\0';
  if (index < 0 || g_ascii_strcasecmp (bare, demo.me) != 0
      || (flags & (PURPLE_MESSAGE_DELAYED | PURPLE_MESSAGE_AUTO_RESP)) != 0)
    return;
  b = &demo_buddies[index];
  g_print (_("the user wrote to %s\n"), b->name);
  if (b->personality == AWAY)
    send_im (account, _(AWAY_MESSAGE), PURPLE_MESSAGE_AUTO_RESP);
  else if (b->answer_after_s > 0)
    {
      Reply *reply = g_new (Reply, 1);

      reply->index = index;
      reply->turn = turn++;
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, b->answer_after_s, reply_cb, reply, g_free);
    }
}

/* cleo writes first, now and then. */
static gboolean
starter_cb (gpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (demo_buddies); i++)
    if (demo_buddies[i].personality == STARTER)
      {
        g_autofree char *text = g_strdup_printf (
          pick (openers, G_N_ELEMENTS (openers), demo.starter_turn++), demo.me_name,
          _(demo_buddies[i].topic));

        send_im (demo.accounts[i], text, 0);
        g_print (_("%s wrote to the user\n"), demo_buddies[i].name);
      }
  g_timeout_add_seconds (STARTER_EVERY_S, starter_cb, NULL);
  return G_SOURCE_REMOVE;
}

/* One line in the room from the next member, addressed to the one after. */
static gboolean
room_cb (gpointer data)
{
  GPtrArray *members = g_ptr_array_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (demo_buddies); i++)
    if (demo_buddies[i].in_room)
      g_ptr_array_add (members, GINT_TO_POINTER ((int) i));
  if (members->len >= 2)
    {
      int from = GPOINTER_TO_INT (members->pdata[demo.room_turn % members->len]);
      int to = GPOINTER_TO_INT (members->pdata[(demo.room_turn + 1) % members->len]);
      PurpleConversation *conv = purple_find_conversation_with_account (
        PURPLE_CONV_TYPE_CHAT, demo.room, demo.accounts[from]);

      if (conv != NULL)
        {
          g_autofree char *text = g_strdup_printf (
            pick (room_lines, G_N_ELEMENTS (room_lines), demo.room_turn), demo_buddies[to].name);

          purple_conv_chat_send (PURPLE_CONV_CHAT (conv), text);
        }
      demo.room_turn++;
    }
  g_ptr_array_unref (members);
  return G_SOURCE_CONTINUE;
}

static void
signed_on_cb (PurpleConnection *gc, gpointer data)
{
  PurpleAccount *account = purple_connection_get_account (gc);
  int index = buddy_index (account);
  const DemoBuddy *b;

  if (index < 0)
    return;
  b = &demo_buddies[index];
  g_print (_("%s is online\n"), b->name);
  if (b->personality == AWAY)
    purple_account_set_status (account, "away", TRUE, "message", _(AWAY_MESSAGE), NULL);
  if (b->in_room)
    {
      GHashTable *components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      const char *at = strchr (demo.room, '@');

      g_hash_table_insert (components, g_strdup ("room"), g_strdup (ROOM));
      g_hash_table_insert (components, g_strdup ("server"), g_strdup (at + 1));
      g_hash_table_insert (components, g_strdup ("handle"), g_strdup (b->name));
      serv_join_chat (gc, components);
      g_hash_table_destroy (components);
    }
  if (b->personality == STARTER)
    g_timeout_add_seconds (STARTER_FIRST_S, starter_cb, NULL);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (demo.loop);
  return G_SOURCE_REMOVE;
}

static int
run (const char *dir, const char *me, const char *host, guint16 port, const char *password)
{
  /* Whoever started us (the demo) may die without a word: go with it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  purple_util_set_user_dir (dir);
  purple_debug_set_enabled (g_getenv ("SMILEBACK_DEMO_DEBUG") != NULL);
  purple_eventloop_set_ui_ops (sb_headless_loop_ops ());
  if (!purple_core_init (UI_ID))
    {
      g_printerr (_("libpurple did not start\n"));
      return 1;
    }
  purple_set_blist (purple_blist_new ());
  purple_blist_load ();
  purple_prefs_set_bool ("/purple/logging/log_ims", FALSE);
  purple_prefs_set_bool ("/purple/logging/log_chats", FALSE);

  demo.me = g_strdup_printf ("%s@%s", me, host);
  demo.me_name = g_strdup (me);
  demo.room = g_strdup_printf (ROOM "@conference.%s", host);
  demo.loop = g_main_loop_new (NULL, FALSE);
  purple_signal_connect (purple_connections_get_handle (), "signed-on", &demo,
                         PURPLE_CALLBACK (signed_on_cb), NULL);
  purple_signal_connect (purple_conversations_get_handle (), "received-im-msg", &demo,
                         PURPLE_CALLBACK (received_im_cb), NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (demo_buddies); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s@%s/" RESOURCE, demo_buddies[i].name, host);

      demo.accounts[i] = sb_headless_xmpp_account_new (name, port, password, UI_ID);
    }
  g_timeout_add_seconds (ROOM_EVERY_S, room_cb, NULL);
  g_unix_signal_add (SIGINT, quit_cb, NULL);
  g_unix_signal_add (SIGTERM, quit_cb, NULL);

  g_main_loop_run (demo.loop);

  for (gsize i = 0; i < G_N_ELEMENTS (demo_buddies); i++)
    purple_account_set_enabled (demo.accounts[i], UI_ID, FALSE);
  purple_signals_disconnect_by_handle (&demo);
  purple_core_quit ();
  g_main_loop_unref (demo.loop);
  g_free (demo.me);
  g_free (demo.me_name);
  g_free (demo.room);
  return 0;
}

/* ---- command line ------------------------------------------------------------- */

static int
usage (void)
{
  g_printerr ("%s", _("usage: sb-demo-buddies users\n"
                      "       sb-demo-buddies history --logs DIR --me USER [--host HOST]\n"
                      "       sb-demo-buddies run --dir DIR --port PORT --me USER --password PW "
                      "[--host HOST]\n"));
  return 2;
}

int
main (int argc, char **argv)
{
  g_autofree char *logs = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *me = NULL;
  g_autofree char *host = NULL;
  g_autofree char *password = NULL;
  int port = 0;
  GOptionEntry entries[] = {
    { "logs", 0, 0, G_OPTION_ARG_FILENAME, &logs, N_("Pidgin's logs folder to write"), "DIR" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("A folder for libpurple's own files"), "DIR" },
    { "me", 0, 0, G_OPTION_ARG_STRING, &me, N_("The user's name (node part)"), "USER" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The XMPP domain"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The server's port on 127.0.0.1"), "PORT" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, N_("Every buddy's password"), "PW" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_("users|history|run"));
  g_autoptr (GError) error = NULL;

  /* One line at a time, also into a pipe or a log: it tells what happens. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      return usage ();
    }
  if (host == NULL)
    host = g_strdup (DEFAULT_HOST);

  if (g_str_equal (argv[1], "users"))
    {
      for (gsize i = 0; i < G_N_ELEMENTS (demo_buddies); i++)
        g_print ("%s\n", demo_buddies[i].name);
      return 0;
    }
  if (g_str_equal (argv[1], "history") && logs != NULL && me != NULL)
    {
      if (!write_history (logs, me, host, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      return 0;
    }
  if (g_str_equal (argv[1], "run") && dir != NULL && me != NULL && password != NULL && port > 0
      && port < 65536)
    return run (dir, me, host, (guint16) port, password);
  return usage ();
}
