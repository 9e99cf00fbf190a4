/* Group chat logs line by line (sb-chat-log.h): one table row per format, each
 * line's kind, nick, new nick, text and time checked. */
#include <smileback/smileback.h>

#include <string.h>

#define M SB_CHAT_LINE_MESSAGE
#define J SB_CHAT_LINE_JOIN
#define P SB_CHAT_LINE_PART
#define N SB_CHAT_LINE_NICK
#define S SB_CHAT_LINE_SYSTEM

typedef struct
{
  SbChatLineKind kind;
  gint64 time;
  const char *nick, *new_nick, *text;
} Expected;

typedef struct
{
  const char *path;
  SbChatLogFormat format;
  const char *data;
  Expected lines[8];
  guint n_lines;
} ChatCase;

#define HTML_HEAD                                                                               \
  "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=UTF-8\">"         \
  "<title>Conversation with room@conference.example.org at Fri 04 Jun 2010 03:30:12 PM EDT on " \
  "me@example.org/Home (jabber)</title></head><body><h3>Conversation with "                    \
  "room@conference.example.org at Fri 04 Jun 2010 03:30:12 PM EDT on me@example.org/Home "     \
  "(jabber)</h3>\n"

static const ChatCase cases[] = {
  { "/chat-log/plain/irc", SB_CHAT_LOG_PLAIN,
    "[10:00] <alice> hi all\n"
    "[10:01:30] <@bob> alice: hello <3\n"
    "=== carol [~c@example.org]  has joined #ubuntu\n"
    "=== carol is now known as carol_\n"
    "[10:02] * bob waves\n"
    "=== dave [~d@example.org]  has quit [Ping timeout]\n"
    "garbage line\n",
    { { M, 36000, "alice", NULL, "hi all" },
      { M, 36090, "bob", NULL, "alice: hello <3" },
      { J, 36090, "carol" },
      { N, 36090, "carol", "carol_" },
      { S, 36120 },
      { P, 36120, "dave" },
      { S, 36120 } },
    7 },
  { "/chat-log/plain/dated-prefix", SB_CHAT_LOG_PLAIN,
    "#ubuntu 2010-06-04 [23:59] <alice> late\n"
    "#ubuntu 2010-06-05 [00:01] <bob> early\n",
    { { M, 14764 * 86400LL + 86340, "alice", NULL, "late" },
      { M, 14765 * 86400LL + 60, "bob", NULL, "early" } },
    2 },
  { "/chat-log/plain/irssi-events", SB_CHAT_LOG_PLAIN,
    "10:00 -!- alice [a@b] has joined #c\n"
    "[10:00] -!- bob [b@c] has left #c []\n"
    "[10:00] -!- carol is now known as dora\n"
    "10:01:02 <alice> hi\n",
    { { J, 36000, "alice" }, { P, 36000, "bob" }, { N, 36000, "carol", "dora" },
      { M, 36062, "alice", NULL, "hi" } },
    4 },
  { "/chat-log/plain/midnight", SB_CHAT_LOG_PLAIN,
    "[23:59] <alice> a\n"
    "[00:00] <bob> b\n",
    { { M, 86340, "alice", NULL, "a" }, { M, 86400, "bob", NULL, "b" } },
    2 },
  { "/chat-log/pidgin/txt", SB_CHAT_LOG_PIDGIN_TXT,
    "Conversation with room@conference.example.org at 2014-05-08 10:00:00 on me@example.org (jabber)\n"
    "(10:00:05) alice entered the room.\n"
    "(10:00:10) alice: bob: hi there\n"
    "(10:00:20) Bob Smith: alice: hello: again\n"
    "(10:00:30) bob left the room (quit: bye).\n"
    "(10:00:40) alice is now known as alicia\n"
    "(10:00:50) ***alicia waves\n"
    "(10:01:00) alicia has changed the topic to: hi\n",
    { { S, 0 },
      { J, 36005, "alice" },
      { M, 36010, "alice", NULL, "bob: hi there" },
      { M, 36020, "Bob Smith", NULL, "alice: hello: again" },
      { P, 36030, "bob" },
      { N, 36040, "alice", "alicia" },
      { S, 36050 },
      { S, 36060 } },
    8 },
  { "/chat-log/pidgin/html-2.x", SB_CHAT_LOG_PIDGIN_HTML,
    HTML_HEAD
    "<font size=\"2\">(03:30:15 PM)</font><b> alice [Alice A] entered the room.</b><br/>\n"
    "<font color=\"#A82F2F\"><font size=\"2\">(03:30:20 PM)</font> <b>alice:</b></font> bob: "
    "a &lt;b&gt; &amp; c<br/>\n"
    "<font color=\"#16569E\"><font size=\"2\">(03:31:00 PM)</font> <b>me:</b></font> "
    "<b>hi</b> alice<br/>\n"
    "<font size=\"2\">(03:32:00 PM)</font><b> alice left the room.</b><br/>\n"
    "</body></html>\n",
    { { S, 0 },
      { J, 55815, "alice" },
      { M, 55820, "alice", NULL, "bob: a <b> & c" },
      { M, 55860, "me", NULL, "hi alice" },
      { P, 55920, "alice" },
      { S, 55920 } },
    6 },
  { "/chat-log/pidgin/html-2.14", SB_CHAT_LOG_PIDGIN_HTML,
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><html><head><title>Conversation with "
    "room at 2014-05-08 10:00:00 on me (jabber)</title></head><body><h1>Conversation with room "
    "at 2014-05-08 10:00:00 on me (jabber)</h1><p>\n"
    "<span style=\"color: #A82F2F\"><span style=\"font-size: smaller\">(10:00:01)</span> "
    "<b>bob:</b></span> hello<br>\n"
    "<span style=\"font-size: smaller\">(10:00:02)</span><b> bob is now known as rob</b><br>\n"
    "<span style=\"color: #6C2585\"><span style=\"font-size: smaller\">(10:00:03)</span> "
    "<b>***rob</b></span> waves<br>\n",
    { { S, 0 },
      { M, 36001, "bob", NULL, "hello" },
      { N, 36002, "bob", "rob" },
      { S, 36003 } },
    4 },
};

static void
test_case (gconstpointer data)
{
  const ChatCase *c = data;
  g_assert_cmpint (sb_chat_log_detect_format (c->data, strlen (c->data)), ==, c->format);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbChatLog) log = sb_chat_log_parse (c->data, strlen (c->data), &error);
  g_assert_no_error (error);
  g_assert_cmpint (log->format, ==, c->format);
  g_assert_cmpuint (log->lines->len, ==, c->n_lines);
  for (guint i = 0; i < c->n_lines; i++)
    {
      const SbChatLine *line = &g_array_index (log->lines, SbChatLine, i);
      const Expected *e = &c->lines[i];
      g_test_message ("line %u", i);
      g_assert_cmpint (line->kind, ==, e->kind);
      g_assert_cmpint (line->time, ==, e->time);
      g_assert_cmpstr (line->nick, ==, e->nick);
      g_assert_cmpstr (line->new_nick, ==, e->new_nick);
      g_assert_cmpstr (line->text, ==, e->text);
    }
  g_autoptr (GArray) links = sb_chat_log_thread (log);
  g_assert_cmpuint (links->len, ==, c->n_lines);
  for (guint i = 0; i < links->len; i++)
    if (c->lines[i].kind != M)
      g_assert_cmpint (g_array_index (links, SbReplyLink, i).parent, ==, i);
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (sb_chat_log_parse ("", 0, &error));
  g_assert_error (error, SB_CHAT_LOG_ERROR, SB_CHAT_LOG_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (sb_chat_log_read ("/nonexistent/log.txt", &error));
  g_assert_error (error, SB_CHAT_LOG_ERROR, SB_CHAT_LOG_ERROR_IO);
  g_clear_error (&error);
  /* Odd bytes are lines too: NUL, CR, invalid UTF-8, no final newline. */
  static const char odd[] = "[10:00] <a\xff> x\r\n\0\0\n[10:00] <b> \xc3";
  g_autoptr (SbChatLog) log = sb_chat_log_parse (odd, sizeof odd - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->lines->len, ==, 3);
  g_assert_cmpint (g_array_index (log->lines, SbChatLine, 0).kind, ==, M);
  g_assert_cmpint (g_array_index (log->lines, SbChatLine, 1).kind, ==, S);
  g_autoptr (GArray) links = sb_chat_log_thread (log);
  g_assert_cmpuint (links->len, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_case);
  g_test_add_func ("/chat-log/errors", test_errors);
  return g_test_run ();
}
