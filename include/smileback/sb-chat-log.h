/* sb-chat-log.h: a group chat's log, line by line, for reply attribution.
 *
 * Reads three kinds of files into one SbChatLine per line of the file:
 *  - plain IRC logs: "[HH:MM] <nick> text" or "[HH:MM:SS] <nick> text" (or
 *    irssi's unbracketed "HH:MM <nick> text"),
 *    optionally prefixed by "CHANNEL YYYY-MM-DD " (irssi, ZNC and the
 *    ubuntu-irc logs); joins, parts, quits and nick changes in their usual
 *    shapes ("=== nick has joined", "-!- nick [host] has quit", "old is now
 *    known as new"); "* nick action" and anything else are system lines;
 *  - Pidgin and Finch chat logs, HTML (2.x <font> and 2.14 <span>) and TXT:
 *    "(time) nick: text", "nick entered the room.", "nick left the room",
 *    "old is now known as new" (the English strings libpurple writes).
 * sb_chat_log_thread() then runs sb-reply.h over the lines.
 *
 * The text stays in memory only while the SbChatLog lives; nothing is stored.
 * Separate from sb-log-reader.h, which keeps no text and no per-line speakers.
 *
 * Pure: GLib only.
 */
#pragma once

#include <glib.h>
#include "sb-reply.h"

G_BEGIN_DECLS

#define SB_CHAT_LOG_ERROR (sb_chat_log_error_quark ())
GQuark sb_chat_log_error_quark (void);

typedef enum
{
  SB_CHAT_LOG_ERROR_IO,    /* could not be opened or read */
  SB_CHAT_LOG_ERROR_EMPTY, /* no line at all */
} SbChatLogError;

typedef enum
{
  SB_CHAT_LOG_PLAIN,
  SB_CHAT_LOG_PIDGIN_HTML,
  SB_CHAT_LOG_PIDGIN_TXT,
} SbChatLogFormat;

typedef enum
{
  SB_CHAT_LINE_MESSAGE, /* nick said text */
  SB_CHAT_LINE_JOIN,    /* nick joined */
  SB_CHAT_LINE_PART,    /* nick left or quit */
  SB_CHAT_LINE_NICK,    /* nick is now known as new_nick */
  SB_CHAT_LINE_SYSTEM,  /* anything else: actions, topics, headers, unparsed lines */
} SbChatLineKind;

typedef struct
{
  SbChatLineKind kind;
  gint64 time;          /* seconds: the file's first day is day 0 unless lines carry dates;
                         * a line without a stamp has the previous line's time */
  const char *nick;     /* MESSAGE, JOIN, PART, NICK (the old nick); else NULL */
  const char *new_nick; /* NICK only */
  const char *text;     /* MESSAGE only: the text, HTML entities and tags removed */
} SbChatLine;

typedef struct
{
  SbChatLogFormat format;
  GArray *lines; /* SbChatLine, lines->data[i] is the file's line i (0-based) */
  /*< private >*/
  GStringChunk *strings;
} SbChatLog;

/* Which format @data (@len bytes) is in, from its first line. */
SbChatLogFormat sb_chat_log_detect_format (const char *data, gsize len);

/* Parses @len bytes of @data (need not be NUL-terminated nor valid UTF-8),
 * in @format as sb_chat_log_detect_format() says.  NULL with
 * SB_CHAT_LOG_ERROR_EMPTY when there is no line. */
SbChatLog *sb_chat_log_parse (const char *data, gsize len, GError **error);

/* Reads and parses the file at @path.  NULL with @error in SB_CHAT_LOG_ERROR. */
SbChatLog *sb_chat_log_read (const char *path, GError **error);

/* NULL-safe. */
void sb_chat_log_free (SbChatLog *log);

/* Adds @line to @room as what it is (a message, a join, ...) and fills @out
 * (may be NULL) with the decision; a system line links to itself.  Returns
 * the line's sequence number in @room. */
gint64 sb_chat_line_feed (const SbChatLine *line, SbReplyRoom *room, SbReplyLink *out);

/* Feeds @log's lines to a new SbReplyRoom, in order, one room line per file
 * line.  Returns an array of SbReplyLink, one per line, whose seq and parent
 * are line numbers (parent == seq for a new thread or a system line);
 * parent_nick points into @log (or is NULL), valid while it lives. */
GArray *sb_chat_log_thread (SbChatLog *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbChatLog, sb_chat_log_free)

G_END_DECLS
