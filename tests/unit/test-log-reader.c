/* The libpurple log reader: every format and oddity real logs have, one table row
 * each.  Each case writes its fixture into a fresh temporary folder, reads it
 * back with sb_log_file_read() and checks every event exactly (UTC time, side,
 * kind, flags, speaker, and the digest against sb_text_digest() of the text
 * live capture would see). */
#include <smileback/smileback.h>
#include <smileback/sb-log-reader.h>
#include <sb-test-util.h>

#include <glib/gstdio.h>
#include <string.h>

static const guint8 secret[32] = "0123456789abcdef0123456789abcdef";

/* libpurple 2.x record shapes (log.c) */
#define H13(colour, t, b, body) \
  "<font color=\"#" colour "\"><font size=\"2\">(" t ")</font> <b>" b "</b></font> " body "<br/>\n"
#define H13_SYS(t, text) "<font size=\"2\">(" t ")</font><b> " text "</b><br/>\n"
#define H14(colour, t, b, body)                                                        \
  "<span style=\"color: #" colour "\"><span style=\"font-size: smaller\">(" t ")</span> <b>" b \
  "</b></span> " body "<br>\n"
#define H14_SYS(t, text) "<span style=\"font-size: smaller\">(" t ")</span><b> " text "</b><br>\n"
#define H14_ERR(t, text)                                                              \
  "<span style=\"color: #FF0000\"><span style=\"font-size: smaller\">(" t ")</span><b> " text \
  "</b></span><br>\n"
#define SENT "16569E"
#define RECV "A82F2F"
#define ME "062585"

#define HEAD13                                                                                 \
  "<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=UTF-8\"><title>" \
  "Conversation with bob@example.org at Fri 04 Jun 2010 03:30:12 PM EDT on "                   \
  "me@example.org/Home (jabber)</title></head><body><h3>Conversation with bob@example.org at " \
  "Fri 04 Jun 2010 03:30:12 PM EDT on me@example.org/Home (jabber)</h3>\n"
#define FOOT13 "</body></html>\n"
#define HEAD14                                                                                    \
  "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">" \
  "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"><title>"    \
  "Conversation with bob@example.org at 2014-05-08 10:00:00 on me@example.org/Home (jabber)"    \
  "</title></head><body><h1>Conversation with bob@example.org at 2014-05-08 10:00:00 on "        \
  "me@example.org/Home (jabber)</h1><p>\n"
#define FOOT14 "</p>\n</body>\n</html>\n"
#define HEADTXT "Conversation with bob@example.org at Fri 04 Jun 2010 03:30:12 PM EDT on me@example.org/Home (jabber)\n"

#define OUT SB_DIRECTION_OUT
#define IN SB_DIRECTION_IN
#define MSG SB_EVENT_MESSAGE
#define AUTO SB_EVENT_AUTO_REPLY
#define SYS SB_EVENT_SYSTEM
#define BACKLOG SB_EVENT_FLAG_BACKLOG

typedef struct
{
  const char *utc;     /* "2010-06-04 19:30:15" */
  SbDirection dir;
  SbEventKind kind;
  guint flags;
  const char *speaker; /* NULL for system lines */
  const char *html;    /* what live capture would digest; NULL: don't check */
} Expect;

typedef struct
{
  const char *path; /* test path */
  const char *name; /* file name */
  const char *data;
  gssize len;       /* -1: strlen */
  const char *own;  /* one own name, or NULL */
  int error;        /* SbLogReaderError, or -1 */
  gboolean complete;
  guint guessed;
  Expect events[8];
  const char *zone; /* the user's zone; NULL: +01:00 */
} Case;

static const Case cases[] = {
  { "/log-reader/html-2.13", "2010-06-04.153012-0400EDT.html",
    HEAD13 H13 (SENT, "03:30:15 PM", "Me Myself:", "hi <b>Bob</b>")
      H13 (RECV, "03:31:02 PM", "Bobby:", "hello &amp; welcome")
      H13_SYS ("03:40:00 PM", "Bobby has signed off.") FOOT13,
    -1, NULL, -1, TRUE, 0,
    { { "2010-06-04 19:30:15", OUT, MSG, 0, "Me Myself", "hi <b>Bob</b>" },
      { "2010-06-04 19:31:02", IN, MSG, 0, "Bobby", "hello &amp; welcome" },
      { "2010-06-04 19:40:00", IN, SYS, 0, NULL, "Bobby has signed off." } } },
  { "/log-reader/html-2.14", "2014-05-08.100000+0200CEST.html",
    HEAD14 H14 (RECV, "10:00:01", "bob@example.org/phone:", "ping")
      H14 (SENT, "10:00:30", "me@example.org/Home:", "pong")
      H14_ERR ("10:01:00", "Unable to send message: The message is too large.") FOOT14,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-08 08:00:01", IN, MSG, 0, "bob@example.org/phone", "ping" },
      { "2014-05-08 08:00:30", OUT, MSG, 0, "me@example.org/Home", "pong" },
      { "2014-05-08 08:01:00", IN, SYS, 0, NULL, NULL } } },
  { "/log-reader/missing-footer", "2014-05-08.100000+0200CEST.html",
    HEAD14 H14 (RECV, "10:00:01", "Bob:", "still typing when Pidgin crashed"), -1, NULL, -1, FALSE,
    0, { { "2014-05-08 08:00:01", IN, MSG, 0, "Bob", "still typing when Pidgin crashed" } } },
  { "/log-reader/auto-reply", "2014-05-08.100000+0200CEST.html",
    HEAD14 H14 (RECV, "10:00:01", "Bob &lt;AUTO-REPLY&gt;:", "I am away")
      H14 (RECV, "10:00:02", "Bob &lt;AUTOMATISCHE ANTWORT&gt;:", "Ich bin weg")
      H14 (SENT, "10:00:03", "Me &lt;AUTO-REPLY&gt;:", "brb") FOOT14,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-08 08:00:01", IN, AUTO, 0, "Bob", "I am away" },
      { "2014-05-08 08:00:02", IN, AUTO, 0, "Bob", "Ich bin weg" },
      { "2014-05-08 08:00:03", OUT, AUTO, 0, "Me", "brb" } } },
  { "/log-reader/me-html", "2014-05-08.100000+0200CEST.html",
    HEAD14 H14 (SENT, "10:00:01", "Me:", "hi") H14 (RECV, "10:00:02", "Bob:", "hey")
      H14 (ME, "10:00:03", "***Bob", "waves") H14 (ME, "10:00:04", "***Me", "smiles") FOOT14,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-08 08:00:01", OUT, MSG, 0, "Me", "hi" },
      { "2014-05-08 08:00:02", IN, MSG, 0, "Bob", "hey" },
      { "2014-05-08 08:00:03", IN, MSG, 0, "Bob", "/me waves" },
      { "2014-05-08 08:00:04", OUT, MSG, 0, "Me", "/me smiles" } } },
  { "/log-reader/multiline-html", "2014-05-08.100000+0200CEST.html",
    HEAD14 H14 (RECV, "10:00:01", "Bob:", "first line\nsecond line\r\nthird")
      H14 (SENT, "10:00:02", "Me:", "ok") FOOT14,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-08 08:00:01", IN, MSG, 0, "Bob", "first line second line third" },
      { "2014-05-08 08:00:02", OUT, MSG, 0, "Me", "ok" } } },
  { "/log-reader/rollover", "2012-12-31.234500+0000GMT.html",
    HEAD13 H13 (SENT, "23:45:10", "Me:", "late") H13 (RECV, "23:59:59", "Bob:", "almost")
      H13 (RECV, "23:58:00", "Bob:", "server clock behind") H13 (SENT, "00:00:05", "Me:", "happy new year")
      H13 (RECV, "13:00:00", "Bob:", "next afternoon") H13 (SENT, "09:00:00", "Me:", "day after"),
    -1, NULL, -1, FALSE, 0,
    { { "2012-12-31 23:45:10", OUT, MSG, 0, "Me", "late" },
      { "2012-12-31 23:59:59", IN, MSG, 0, "Bob", "almost" },
      { "2012-12-31 23:58:00", IN, MSG, 0, "Bob", "server clock behind" },
      { "2013-01-01 00:00:05", OUT, MSG, 0, "Me", "happy new year" },
      { "2013-01-01 13:00:00", IN, MSG, 0, "Bob", "next afternoon" },
      { "2013-01-02 09:00:00", OUT, MSG, 0, "Me", "day after" } } },
  { "/log-reader/before-window", "2013-01-01.000500+0000GMT.html",
    HEAD13 H13 (RECV, "11:58:00 PM", "Bob:", "sent before midnight")
      H13 (SENT, "12:06:00 AM", "Me:", "seen after"),
    -1, NULL, -1, FALSE, 0,
    { { "2012-12-31 23:58:00", IN, MSG, 0, "Bob", "sent before midnight" },
      { "2013-01-01 00:06:00", OUT, MSG, 0, "Me", "seen after" } } },
  { "/log-reader/dated-stamps", "2014-05-08.100000-0400EDT.html",
    HEAD13 H13 (RECV, "05/07/2014 09:21:02 AM", "Bob:", "offline one")
      H13 (RECV, "27/04/14 23:04:42", "Bob:", "older, day first")
      H13 (RECV, "2014-05-06 08:00:00", "Bob:", "iso")
      H13 (RECV, "07.05.2014 10:00:00", "Bob:", "german")
      H13 (SENT, "10:00:05", "Me:", "back") FOOT13,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-07 13:21:02", IN, MSG, BACKLOG, "Bob", "offline one" },
      { "2014-04-28 03:04:42", IN, MSG, BACKLOG, "Bob", "older, day first" },
      { "2014-05-06 12:00:00", IN, MSG, BACKLOG, "Bob", "iso" },
      { "2014-05-07 14:00:00", IN, MSG, BACKLOG, "Bob", "german" },
      { "2014-05-08 14:00:05", OUT, MSG, 0, "Me", "back" } } },
  { "/log-reader/locale-ja", "2014-05-08.150000+0900JST.html",
    HEAD13 H13 (RECV, "\xE5\x8D\x88\xE5\xBE\x8C" "3:31:02", "Bob:", "konnichiwa")
      H13 (SENT, "2014\xE5\xB9\xB4" "05\xE6\x9C\x88" "07\xE6\x97\xA5 " "\xE5\x8D\x88\xE5\x89\x8D" "9:00:00", "Me:", "old"),
    -1, NULL, -1, FALSE, 0,
    { { "2014-05-08 06:31:02", IN, MSG, 0, "Bob", "konnichiwa" },
      { "2014-05-07 00:00:00", OUT, MSG, BACKLOG, "Me", "old" } } },
  { "/log-reader/txt", "2010-06-04.153012-0400EDT.txt",
    HEADTXT "(15:30:15) Me Myself: a < b & c\n"
            "(15:31:02) Bobby: line one\n"
            "line two\n"
            "(15:31:30) ***Me Myself waves\n"
            "(15:32:00) Bobby <AUTO-REPLY>: away\n"
            "(15:33:00) Bobby has signed off.\n",
    -1, "me myself", -1, FALSE, 0,
    { { "2010-06-04 19:30:15", OUT, MSG, 0, "Me Myself", "a &lt; b &amp; c" },
      { "2010-06-04 19:31:02", IN, MSG, 0, "Bobby", "line one\nline two" },
      { "2010-06-04 19:31:30", OUT, MSG, 0, "Me Myself", "/me waves" },
      { "2010-06-04 19:32:00", IN, AUTO, 0, "Bobby", "away" },
      { "2010-06-04 19:33:00", IN, SYS, 0, NULL, "Bobby has signed off." } } },
  { "/log-reader/txt-two-party", "2010-06-04.153012-0400EDT.txt",
    HEADTXT "(03:30:15 PM) bob@example.org: hi\n"
            "(03:31:02 PM) Alias Of Me: hello\n"
            "(03:32:00 PM) Unable to send message: the message is too large\n"
            "(03:33:00 PM) bob@example.org: ok\n",
    -1, NULL, -1, FALSE, 0,
    { { "2010-06-04 19:30:15", IN, MSG, 0, "bob@example.org", "hi" },
      { "2010-06-04 19:31:02", OUT, MSG, 0, "Alias Of Me", "hello" },
      { "2010-06-04 19:32:00", IN, SYS, 0, NULL, NULL },
      { "2010-06-04 19:33:00", IN, MSG, 0, "bob@example.org", "ok" } } },
  { "/log-reader/txt-unknown-sides", "2010-06-04.153012-0400EDT.txt",
    HEADTXT "(15:30:15) Somebody: hi\n", -1, NULL, -1, FALSE, 1,
    { { "2010-06-04 19:30:15", IN, MSG, 0, "Somebody", "hi" } } },
  { "/log-reader/crlf", "2010-06-04.153012-0400EDT.txt",
    HEADTXT "(15:30:15) Me: one\r\n(15:30:16) bob: two\r\r\n", -1, "Me", -1, FALSE, 0,
    { { "2010-06-04 19:30:15", OUT, MSG, 0, "Me", "one" },
      { "2010-06-04 19:30:16", IN, MSG, 0, "bob", "two" } } },
  { "/log-reader/bad-utf8", "2010-06-04.153012-0400EDT.txt",
    HEADTXT "(15:30:15) B\xffob: caf\xe9\n(15:30:16) Me: fine\n\0\0\0\0", 0, "Me", -1, FALSE, 0,
    { { "2010-06-04 19:30:15", IN, MSG, 0, "B\xEF\xBF\xBDob", "caf\xEF\xBF\xBD" },
      { "2010-06-04 19:30:16", OUT, MSG, 0, "Me", "fine" } } },
  { "/log-reader/two-headers", "2014-05-08.100000+0200CEST.html",
    HEAD14 H14 (RECV, "10:00:01", "Bob:", "first window") HEAD14
      H14 (SENT, "10:00:02", "Me:", "second window") FOOT14,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-08 08:00:01", IN, MSG, 0, "Bob", "first window" },
      { "2014-05-08 08:00:02", OUT, MSG, 0, "Me", "second window" } } },
  { "/log-reader/one-line", "2010-06-04.153012-0400EDT.html",
    H13 (RECV, "15:30:15", "Bob:", "no header at all"), -1, NULL, -1, FALSE, 0,
    { { "2010-06-04 19:30:15", IN, MSG, 0, "Bob", "no header at all" } } },
  { "/log-reader/no-offset", "2005-01-01.120000.html", H13 (RECV, "12:00:01", "Bob:", "gaim"),
    -1, NULL, -1, FALSE, 0, { { "2005-01-01 11:00:01", IN, MSG, 0, "Bob", "gaim" } } },
  { "/log-reader/empty-zone", "2010-06-04.153012+0000.txt", "(15:30:15) Me: x\n", -1, "me", -1,
    FALSE, 0, { { "2010-06-04 15:30:15", OUT, MSG, 0, "Me", "x" } } },
  { "/log-reader/before-1970", "1970-01-01.000000+0100.txt",
    "(00:00:00) Me: before 1970 in UTC\n(01:00:01) Me: one second after\n", -1, "me", -1, FALSE, 0,
    { { "1970-01-01 00:00:01", OUT, MSG, 0, "Me", "one second after" } } },
  /* Finch and accounts without a display name: "<b>:</b>" in the sent
   * colour.  The colour says the side, whatever the name or its absence. */
  { "/log-reader/nameless-sent-html", "2014-05-08.110000+0200CEST.html",
    HEAD13 H13 (SENT, "11:04:18", ":", "Luke?") H13 (RECV, "11:04:30", "Luke:", "yes")
      H13 (SENT, "11:05:00", ":", "ok") H13 (SENT, "11:05:10", "bob@example.org:", "sent, named like the buddy")
      H13 (RECV, "11:05:20", ":", "received, no name")
      H13 (SENT, "11:06:00", " &lt;AUTO-REPLY&gt;:", "away, no name") FOOT13,
    -1, NULL, -1, TRUE, 0,
    { { "2014-05-08 09:04:18", OUT, MSG, 0, NULL, "Luke?" },
      { "2014-05-08 09:04:30", IN, MSG, 0, "Luke", "yes" },
      { "2014-05-08 09:05:00", OUT, MSG, 0, NULL, "ok" },
      { "2014-05-08 09:05:10", OUT, MSG, 0, "bob@example.org", "sent, named like the buddy" },
      { "2014-05-08 09:05:20", IN, MSG, 0, NULL, "received, no name" },
      { "2014-05-08 09:06:00", OUT, AUTO, 0, NULL, "away, no name" } } },
  { "/log-reader/nameless-sent-txt", "2014-05-08.110000+0200CEST.txt",
    "(11:04:18) : Luke?\n(11:04:30) Luke: yes\n(11:04:40) Luke: there?\n", -1, NULL, -1, FALSE, 0,
    { { "2014-05-08 09:04:18", OUT, MSG, 0, NULL, "Luke?" },
      { "2014-05-08 09:04:30", IN, MSG, 0, "Luke", "yes" },
      { "2014-05-08 09:04:40", IN, MSG, 0, "Luke", "there?" } } },
  /* TXT: the user under the account's name (from the header), talking more
   * than the buddy: no guess, no swap */
  { "/log-reader/txt-account-name", "2014-05-08.182800-0500CDT.txt",
    "Conversation with john@example.com at 2014-05-08 18:28:00 on jedi@example.com/Adium (jabber)\n"
    "(06:28:17 PM) John Mick: hi\n(06:28:25 PM) jedi: hello\n(06:28:40 PM) jedi: how are you\n"
    "(06:29:00 PM) jedi: long time\n",
    -1, NULL, -1, FALSE, 0,
    { { "2014-05-08 23:28:17", IN, MSG, 0, "John Mick", "hi" },
      { "2014-05-08 23:28:25", OUT, MSG, 0, "jedi", "hello" },
      { "2014-05-08 23:28:40", OUT, MSG, 0, "jedi", "how are you" },
      { "2014-05-08 23:29:00", OUT, MSG, 0, "jedi", "long time" } } },
  /* the buddy named in the header by an alias, the user unnamed anywhere */
  { "/log-reader/txt-header-buddy", "2014-05-08.182800-0500CDT.txt",
    "Conversation with John Mick at 2014-05-08 18:28:00 on someone@example.com (jabber)\n"
    "(18:28:17) John Mick: hi\n(18:28:25) Obi: hello\n(18:28:40) Obi: again\n",
    -1, NULL, -1, FALSE, 0,
    { { "2014-05-08 23:28:17", IN, MSG, 0, "John Mick", "hi" },
      { "2014-05-08 23:28:25", OUT, MSG, 0, "Obi", "hello" },
      { "2014-05-08 23:28:40", OUT, MSG, 0, "Obi", "again" } } },
  /* daylight saving: the name has the offset at the window's opening, later
   * lines are local time in the user's zone */
  { "/log-reader/dst-spring", "2014-03-30.013000+0100CET.txt",
    "(01:30:00) Me: before\n(01:59:00) bob: still winter\n(03:05:00) Me: summer now\n"
    "(03:10:00) bob: yes\n",
    -1, "Me", -1, FALSE, 0,
    { { "2014-03-30 00:30:00", OUT, MSG, 0, "Me", "before" },
      { "2014-03-30 00:59:00", IN, MSG, 0, "bob", "still winter" },
      { "2014-03-30 01:05:00", OUT, MSG, 0, "Me", "summer now" },
      { "2014-03-30 01:10:00", IN, MSG, 0, "bob", "yes" } },
    "Europe/Berlin" },
  { "/log-reader/dst-autumn", "2014-10-26.023000+0200CEST.html",
    HEAD13 H13 (SENT, "02:30:00", "Me:", "summer") H13 (RECV, "02:50:00", "Bob:", "still summer")
      H13 (SENT, "02:10:00", "Me:", "winter, the hour again") H13 (RECV, "03:00:00", "Bob:", "later"),
    -1, NULL, -1, FALSE, 0,
    { { "2014-10-26 00:30:00", OUT, MSG, 0, "Me", "summer" },
      { "2014-10-26 00:50:00", IN, MSG, 0, "Bob", "still summer" },
      { "2014-10-26 01:10:00", OUT, MSG, 0, "Me", "winter, the hour again" },
      { "2014-10-26 02:00:00", IN, MSG, 0, "Bob", "later" } },
    "Europe/Berlin" },
  /* a file of another zone than the user's keeps its own offset */
  { "/log-reader/dst-other-zone", "2014-10-26.023000+0900JST.txt",
    "(02:30:00) Me: a\n(03:30:00) Me: b\n", -1, "Me", -1, FALSE, 0,
    { { "2014-10-25 17:30:00", OUT, MSG, 0, "Me", "a" },
      { "2014-10-25 18:30:00", OUT, MSG, 0, "Me", "b" } },
    "Europe/Berlin" },
  /* 12-hour stamps without AM/PM: the day's order tells */
  { "/log-reader/twelve-hour-night", "2010-06-04.235800-0400EDT.txt",
    "(11:58:00) Me: late\n(12:03:00) bob: after midnight\n(01:10:00) Me: later still\n",
    -1, "Me", -1, FALSE, 0,
    { { "2010-06-05 03:58:00", OUT, MSG, 0, "Me", "late" },
      { "2010-06-05 04:03:00", IN, MSG, 0, "bob", "after midnight" },
      { "2010-06-05 05:10:00", OUT, MSG, 0, "Me", "later still" } } },
  { "/log-reader/twelve-hour-noon", "2010-06-04.115000-0400EDT.html",
    HEAD13 H13 (SENT, "11:58:00", "Me:", "morning") H13 (RECV, "12:03:00", "Bob:", "noon")
      H13 (SENT, "01:10:00", "Me:", "afternoon") H13 (RECV, "09:00:00", "Bob:", "evening")
      H13 (SENT, "08:00:00", "Me:", "next morning"),
    -1, NULL, -1, FALSE, 0,
    { { "2010-06-04 15:58:00", OUT, MSG, 0, "Me", "morning" },
      { "2010-06-04 16:03:00", IN, MSG, 0, "Bob", "noon" },
      { "2010-06-04 17:10:00", OUT, MSG, 0, "Me", "afternoon" },
      { "2010-06-05 01:00:00", IN, MSG, 0, "Bob", "evening" },
      { "2010-06-05 12:00:00", OUT, MSG, 0, "Me", "next morning" } } },
  /* 24-hour stamps that happen to stay in 1..12: read as written */
  { "/log-reader/twenty-four-hour-morning", "2010-06-04.090000-0400EDT.txt",
    "(09:00:00) Me: a\n(11:30:00) bob: b\n(08:00:00) Me: next day\n", -1, "Me", -1, FALSE, 0,
    { { "2010-06-04 13:00:00", OUT, MSG, 0, "Me", "a" },
      { "2010-06-04 15:30:00", IN, MSG, 0, "bob", "b" },
      { "2010-06-05 12:00:00", OUT, MSG, 0, "Me", "next day" } } },
  /* a header whose account is empty: no account, no crash */
  { "/log-reader/header-without-account", "2010-06-04.153012-0400EDT.txt",
    "Conversation with bob at x on (jabber)\n(15:30:15) bob: hi\n", -1, NULL, -1, FALSE, 0,
    { { "2010-06-04 19:30:15", IN, MSG, 0, "bob", "hi" } } },
  { "/log-reader/error/only-before-1970", "1970-01-01.000000+0100.txt",
    "(00:00:00) Me: x\n", -1, "me", SB_LOG_READER_ERROR_EMPTY },
  { "/log-reader/error/empty", "2010-06-04.153012-0400EDT.html", "", -1, NULL,
    SB_LOG_READER_ERROR_EMPTY },
  { "/log-reader/error/header-only", "2010-06-04.153012-0400EDT.html", HEAD13 FOOT13, -1, NULL,
    SB_LOG_READER_ERROR_EMPTY },
  { "/log-reader/error/header-only-txt", "2010-06-04.153012-0400EDT.txt", HEADTXT, -1, NULL,
    SB_LOG_READER_ERROR_EMPTY },
  { "/log-reader/error/not-a-log", "2010-06-04.153012-0400EDT.html",
    "\x89PNG\r\n\x1a\nbinary\nstuff\n", -1, NULL, SB_LOG_READER_ERROR_FORMAT },
  { "/log-reader/error/bad-name", "notes.html", H13 (RECV, "12:00:01", "Bob:", "x"), -1, NULL,
    SB_LOG_READER_ERROR_NAME },
  { "/log-reader/error/bad-date", "2010-13-04.153012-0400EDT.html",
    H13 (RECV, "12:00:01", "Bob:", "x"), -1, NULL, SB_LOG_READER_ERROR_NAME },
  { "/log-reader/error/system-log", "2010-06-04.153012-0400EDT.txt",
    "System log for account me@example.org/Home (jabber) connected at Fri 04 Jun 2010\n"
    "---- +++ me@example.org/Home signed on @ 06/04/2010 03:30:12 PM ----\n",
    -1, NULL, SB_LOG_READER_ERROR_SYSTEM },
};

static gint64
utc (const char *text)
{
  g_autofree char *iso = g_strdup_printf ("%sZ", text);
  iso[10] = 'T';
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static char *
write_fixture (const char *name, const char *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sb-log-reader-XXXXXX", &error);
  g_assert_no_error (error);
  char *path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

static void
remove_fixture (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  gsize len = c->len >= 0 ? (gsize) c->len : strlen (c->data);
  if (c->len == 0) /* cases with embedded NULs: up to the last NUL run */
    len = strlen (c->data) + 4;
  g_autofree char *path = write_fixture (c->name, c->data, len);

  const char *own[] = { c->own, NULL };
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (c->zone != NULL ? c->zone : "+01:00");
  SbLogReaderOptions options = {
    .secret = secret,
    .secret_len = sizeof secret,
    .own_names = own,
    .peer = "bob@example.org",
    .zone = zone,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLogFile) file = sb_log_file_read (path, &options, &error);
  remove_fixture (path);

  if (c->error >= 0)
    {
      g_assert_error (error, SB_LOG_READER_ERROR, c->error);
      g_assert_null (file);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_cmpint (file->complete, ==, c->complete);
  g_assert_cmpuint (file->n_guessed, ==, c->guessed);

  guint n = 0;
  while (n < G_N_ELEMENTS (c->events) && c->events[n].utc != NULL)
    n++;
  g_assert_cmpuint (file->events->len, ==, n);
  g_assert_cmpuint (file->speakers->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const Expect *x = &c->events[i];
      const SbEvent *e = &g_array_index (file->events, SbEvent, i);
      g_test_message ("event %u", i);
      g_assert_cmpint (e->time, ==, utc (x->utc));
      g_assert_cmpint (e->direction, ==, x->dir);
      g_assert_cmpint (e->kind, ==, x->kind);
      g_assert_cmpuint (e->flags, ==, x->flags);
      g_assert_cmpint (e->source, ==, SB_SOURCE_IMPORT);
      g_assert_cmpstr (file->speakers->pdata[i], ==, x->speaker);
      if (x->html != NULL)
        {
          g_assert_cmpuint (e->digest, ==, sb_text_digest (secret, sizeof secret, x->html));
          g_autofree char *visible = sb_text_normalize (x->html);
          g_assert_cmpuint (e->size_bucket, ==, sb_size_bucket (g_utf8_strlen (visible, -1)));
        }
      g_assert_cmpuint (e->digest, !=, 0);
    }
}

/* A TXT line and the HTML line of the same message give the same digest: the
 * importer must not count the message twice when both logs exist. */
static void
test_txt_html_same_digest (void)
{
  const char *own[] = { "Me", NULL };
  SbLogReaderOptions options = { .secret = secret, .secret_len = sizeof secret, .own_names = own };
  const char txt[] = "(12:00:00) Me: if a < b && c > d then <b>\n";
  const char html[] = H13 (SENT, "12:00:00", "Me:", "if a &lt; b &amp;&amp; c &gt; d then &lt;b&gt;");
  g_autoptr (SbLogFile) t = sb_log_file_parse ("2010-06-04.120000+0000.txt", txt, strlen (txt),
                                               &options, NULL);
  g_autoptr (SbLogFile) h = sb_log_file_parse ("2010-06-04.120000+0000.html", html, strlen (html),
                                               &options, NULL);
  g_assert_nonnull (t);
  g_assert_nonnull (h);
  const SbEvent *a = &g_array_index (t->events, SbEvent, 0);
  const SbEvent *b = &g_array_index (h->events, SbEvent, 0);
  g_assert_cmpuint (a->digest, ==, b->digest);
  g_assert_cmpint (a->time, ==, b->time);
  g_assert_cmpint (a->direction, ==, b->direction);
}

typedef struct
{
  const char *stamp;
  int tod;
  gboolean dated;
  int y, m, d;
} StampCase;

static const StampCase stamps[] = {
  { "23:04:42", 83082, FALSE }, { "09:21:02 AM", 33662, FALSE }, { "12:00:00 AM", 0, FALSE },
  { "12:30:00 PM", 45000, FALSE }, { "9:21:02 p.m.", 76862, FALSE }, { "9.21.02", 33662, FALSE },
  { "05/07/2014 09:21:02 AM", 33662, TRUE, 2014, 5, 7 }, /* month first: 7 May is nearer */
  { "27/04/17 23:04:42", 83082, TRUE, 2017, 4, 27 },
  { "2014-05-07 23:04:42", 83082, TRUE, 2014, 5, 7 },
  { "01-02-13 10:00:00", 36000, TRUE, 2013, 2, 1 },
  { "12:00:00 PM", 43200, FALSE }, { "11:59:60 pm", 86399, FALSE }, { "00:00:60", 59, FALSE },
  { "10:00:00 XM", 36000, FALSE }, /* no marker: a 24-hour time followed by a word */
};

static void
test_stamp (gconstpointer data)
{
  const StampCase *c = data;
  /* reference: 2014-05-08, but 2017 and 2013 stamps must still read right */
  gint64 ref = utc ("2014-05-08 00:00:00") / 86400;
  int tod = -1, y = 0, m = 0, d = 0;
  gboolean dated = FALSE;
  g_assert_true (sb_log_parse_stamp (c->stamp, strlen (c->stamp), ref, &tod, &dated, &y, &m, &d));
  g_assert_cmpint (tod, ==, c->tod);
  g_assert_cmpint (dated, ==, c->dated);
  if (c->dated)
    {
      g_assert_cmpint (y, ==, c->y);
      g_assert_cmpint (m, ==, c->m);
      g_assert_cmpint (d, ==, c->d);
    }
}

static void
test_stamp_invalid (void)
{
  const char *bad[] = { "", "hello", "25:00:00", "12:61:00", "13:00:00 PM", "1:2:3:4:5:6:7",
                        "99/99/99 10:00:00", "123456:00", "00:30:00 AM", "23:59:61" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (sb_log_parse_stamp (bad[i], strlen (bad[i]), 16000, NULL, NULL, NULL, NULL, NULL));
}

static void
test_file_name (void)
{
  gint64 start;
  int offset;
  gboolean has_offset;
  SbLogFormat format;
  g_assert_true (sb_log_parse_file_name ("2010-06-04.153012-0400EDT.html", NULL, &start, &offset,
                                         &has_offset, &format, NULL));
  g_assert_cmpint (start, ==, utc ("2010-06-04 19:30:12"));
  g_assert_cmpint (offset, ==, -4 * 3600);
  g_assert_true (has_offset);
  g_assert_cmpint (format, ==, SB_LOG_FORMAT_HTML);
  /* an escaped zone name ("Mitteleuropäische Sommerzeit") */
  g_assert_true (sb_log_parse_file_name ("2010-06-04.153012+0200Mitteleurop%c3%a4ische%20Sommerzeit.txt",
                                         NULL, &start, &offset, &has_offset, &format, NULL));
  g_assert_cmpint (start, ==, utc ("2010-06-04 13:30:12"));
  g_assert_cmpint (format, ==, SB_LOG_FORMAT_TXT);
}

/* The speaker-name look of the importer: no secret, a few records. */
static void
test_max_records (void)
{
  const char data[] = "(12:00:00) a: 1\n(12:00:01) b: 2\n(12:00:02) c: 3\n";
  SbLogReaderOptions options = { .max_records = 2 };
  g_autoptr (SbLogFile) f = sb_log_file_parse ("2010-06-04.120000+0000.txt", data, strlen (data),
                                               &options, NULL);
  g_assert_nonnull (f);
  g_assert_cmpuint (f->events->len, ==, 2);
  g_assert_cmpuint (g_array_index (f->events, SbEvent, 0).digest, ==, 0);
}

/* A 2.14 log whose newlines were lost: its header and @n records on one line. */
static GString *
run_together_log (guint n)
{
  GString *log = g_string_new (HEAD14);
  for (guint i = 0; i < n; i++)
    g_string_append (log, H14 (RECV, "10:00:01", "Bob:", "hello"));
  g_strdelimit (log->str, "\n", ' ');
  return log;
}

/* A line longer than the limit is refused with its reason, whether the bytes
 * come from a file (whose reading then stops) or from memory; not taken for
 * a header alone. */
static void
test_line_too_long (void)
{
  const char *name = "2014-05-08.100000+0200CEST.html";
  g_autoptr (GString) log = run_together_log (2000); /* about 240 KB */
  SbLogReaderOptions options = { .secret = secret, .secret_len = sizeof secret,
                                 .max_line = 64 * 1024 };
  g_autofree char *path = write_fixture (name, log->str, log->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLogFile) read = sb_log_file_read (path, &options, &error);
  remove_fixture (path);
  g_assert_null (read);
  g_assert_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_TOO_LONG);
  g_assert_nonnull (strstr (error->message, "64.0")); /* "64.0 KiB", a no-break space between */
  g_clear_error (&error);

  g_autoptr (SbLogFile) parsed = sb_log_file_parse (name, log->str, log->len, &options, &error);
  g_assert_null (parsed);
  g_assert_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* the same records on lines of their own are read */
  g_autoptr (GString) lines = run_together_log (2000);
  g_string_replace (lines, "> <span style=\"color", ">\n<span style=\"color", 0);
  g_autoptr (SbLogFile) ok = sb_log_file_parse (name, lines->str, lines->len, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->events->len, ==, 2000);
}

/* A 200 MB file of one line (sparse: it costs no disk) under the default
 * limit: refused after reading a little more than SB_LOG_READER_MAX_LINE. */
static void
test_endless_line (void)
{
  g_autofree char *dir = sb_test_make_tmpdir ("sb-log-reader-XXXXXX");
  const char *name = "2014-05-08.100000+0200CEST.html";
  g_autoptr (GString) log = run_together_log (10);
  sb_test_write_endless_line (dir, name, log->str, 200 * 1024 * 1024);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  g_assert_false (sb_log_read_bytes (path, NULL, &data, &len, &error));
  g_assert_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_TOO_LONG);
  g_assert_null (data);
  g_clear_error (&error);
  g_autoptr (SbLogFile) file = sb_log_file_read (path, NULL, &error);
  g_assert_null (file);
  g_assert_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_TOO_LONG);
  sb_test_remove_tree (dir);
}

/* The fuzzer's seed corpus: every fixture above, as tests/fuzz/fuzz-log-reader.c
 * reads its input (a flags byte, then the file). */
static void
write_seeds (const char *dir)
{
  g_mkdir_with_parents (dir, 0700);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      gsize len = c->len >= 0 ? (gsize) c->len : strlen (c->data);
      if (c->len == 0)
        len = strlen (c->data) + 4;
      guint8 flags = (g_str_has_suffix (c->name, ".txt") ? 1 : 0) | (c->own != NULL ? 4 : 0)
                     | (c->zone != NULL ? 16 : 0);
      g_autoptr (GByteArray) seed = g_byte_array_new ();
      g_byte_array_append (seed, &flags, 1);
      g_byte_array_append (seed, (const guint8 *) c->data, len);
      g_autofree char *path = g_strdup_printf ("%s/seed-%02zu", dir, i);
      g_autoptr (GError) error = NULL;
      if (!g_file_set_contents (path, (const char *) seed->data, seed->len, &error))
        g_error ("%s", error->message);
    }
}

int
main (int argc, char **argv)
{
  const char *seed_dir = g_getenv ("SB_FUZZ_SEED_DIR");
  if (seed_dir != NULL)
    {
      write_seeds (seed_dir);
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_case);
  for (gsize i = 0; i < G_N_ELEMENTS (stamps); i++)
    {
      g_autofree char *path = g_strdup_printf ("/log-reader/stamp/%zu", i);
      g_test_add_data_func (path, &stamps[i], test_stamp);
    }
  g_test_add_func ("/log-reader/stamp/invalid", test_stamp_invalid);
  g_test_add_func ("/log-reader/file-name", test_file_name);
  g_test_add_func ("/log-reader/txt-html-same-digest", test_txt_html_same_digest);
  g_test_add_func ("/log-reader/max-records", test_max_records);
  g_test_add_func ("/log-reader/error/line-too-long", test_line_too_long);
  g_test_add_func ("/log-reader/error/endless-line", test_endless_line);
  return g_test_run ();
}
