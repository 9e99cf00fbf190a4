/* sb-chat-log.c: group chat logs, line by line (see sb-chat-log.h).
 *
 * Each line is read on its own: a stamp, then who did what.  The shapes of
 * join, part and nick-change lines are matched by their English phrases; a
 * line matching none is a system line, never an error.  Times are the day
 * (from a dated prefix, or counted by the clock going back) plus the time of
 * day; lines without a stamp take the previous line's.
 */
#include "smileback/sb-chat-log.h"
#include "smileback/sb-log-reader.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (sb-chat-log-error-quark, sb_chat_log_error)

#define DAY (24 * 3600)

/* What a line says, before times are made absolute. */
typedef struct
{
  SbChatLineKind kind;
  int tod;        /* seconds since midnight, -1 without a stamp */
  gint64 day;     /* days since 1970-01-01 from a dated line, -1 without */
  char *nick;
  char *new_nick;
  char *text;
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->nick, g_free);
  g_clear_pointer (&p->new_nick, g_free);
  g_clear_pointer (&p->text, g_free);
}

static const char *
skip_spaces (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

static gint64
days_since_epoch (int year, int month, int day)
{
  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return -1;
  g_autoptr (GDate) date = g_date_new_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
  g_autoptr (GDate) epoch = g_date_new_dmy (1, G_DATE_JANUARY, 1970);
  return g_date_days_between (epoch, date);
}

/* ---- what a system line says ------------------------------------------------- */

/* The first word of @s (up to a space), or NULL when empty. */
static char *
first_word (const char *s)
{
  s = skip_spaces (s);
  const char *end = s;
  while (*end != '\0' && *end != ' ' && *end != '\t')
    end++;
  return end > s ? g_strndup (s, (gsize) (end - s)) : NULL;
}

/* Classifies an IRC-style event "nick [host] has joined #c", "nick has quit
 * [...]", "old is now known as new"; anything else is a system line. */
static void
read_irc_event (const char *s, Parsed *p)
{
  p->kind = SB_CHAT_LINE_SYSTEM;
  const char *known = strstr (s, " is now known as ");
  if (known != NULL)
    {
      g_autofree char *old = g_strndup (s, (gsize) (known - s));
      p->nick = first_word (old);
      p->new_nick = first_word (known + strlen (" is now known as "));
      if (p->nick != NULL && p->new_nick != NULL)
        p->kind = SB_CHAT_LINE_NICK;
      return;
    }
  if (strstr (s, " has joined") != NULL)
    p->kind = SB_CHAT_LINE_JOIN;
  else if (strstr (s, " has left") != NULL || strstr (s, " has quit") != NULL)
    p->kind = SB_CHAT_LINE_PART;
  else
    return;
  p->nick = first_word (s);
  if (p->nick == NULL)
    p->kind = SB_CHAT_LINE_SYSTEM;
}

/* ---- plain IRC logs ------------------------------------------------------------ */

/* Reads "[HH:MM]", "[HH:MM:SS]" or irssi's bare "HH:MM" / "HH:MM:SS" (then a
 * space) at *@s into *@tod and moves past it. */
static gboolean
read_clock_stamp (const char **s, int *tod)
{
  const char *c = *s;
  gboolean bracket = *c == '[';
  if (bracket)
    c++;
  int h, m, sec = 0;
  if (!g_ascii_isdigit (c[0]) || !g_ascii_isdigit (c[1]) || c[2] != ':' || !g_ascii_isdigit (c[3])
      || !g_ascii_isdigit (c[4]))
    return FALSE;
  h = (c[0] - '0') * 10 + (c[1] - '0');
  m = (c[3] - '0') * 10 + (c[4] - '0');
  c += 5;
  if (c[0] == ':' && g_ascii_isdigit (c[1]) && g_ascii_isdigit (c[2]))
    {
      sec = (c[1] - '0') * 10 + (c[2] - '0');
      c += 3;
    }
  if ((bracket ? *c != ']' : *c != ' ') || h > 23 || m > 59 || sec > 60)
    return FALSE;
  *tod = h * 3600 + m * 60 + sec;
  *s = bracket ? c + 1 : c;
  return TRUE;
}

/* Reads an optional "CHANNEL YYYY-MM-DD " prefix into *@day. */
static void
read_dated_prefix (const char **s, gint64 *day)
{
  const char *space = strchr (*s, ' ');
  if (space == NULL || space == *s)
    return;
  const char *d = space + 1;
  for (int i = 0; i < 10; i++)
    if ((i == 4 || i == 7) ? d[i] != '-' : !g_ascii_isdigit (d[i]))
      return;
  if (d[10] != ' ')
    return;
  int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
  int mo = (d[5] - '0') * 10 + (d[6] - '0');
  int dd = (d[8] - '0') * 10 + (d[9] - '0');
  gint64 days = days_since_epoch (y, mo, dd);
  if (days < 0)
    return;
  *day = days;
  *s = space + 1 + 11;
}

/* One line of a plain log into @p. */
static void
parse_plain_line (const char *line, Parsed *p)
{
  const char *s = line;
  p->kind = SB_CHAT_LINE_SYSTEM;
  p->tod = -1;
  p->day = -1;
  read_dated_prefix (&s, &p->day);
  if (read_clock_stamp (&s, &p->tod))
    s = skip_spaces (s);
  if (*s == '<')
    {
      const char *end = strchr (s, '>');
      /* "<@op>", "<+voice>": the mode prefix is not part of the nick. */
      const char *nick = s + 1;
      if (*nick == '@' || *nick == '+' || *nick == '%' || *nick == '~' || *nick == '&')
        nick++;
      if (end != NULL && end > nick && memchr (nick, ' ', (gsize) (end - nick)) == NULL)
        {
          p->kind = SB_CHAT_LINE_MESSAGE;
          p->nick = g_strndup (nick, (gsize) (end - nick));
          p->text = g_strdup (*(end + 1) == ' ' ? end + 2 : end + 1);
          return;
        }
    }
  /* "=== ", "-!- ", "*** " and the like introduce events. */
  if (g_str_has_prefix (s, "===") || g_str_has_prefix (s, "-!-") || g_str_has_prefix (s, "***")
      || g_str_has_prefix (s, "--") || g_str_has_prefix (s, "<--") || g_str_has_prefix (s, "-->"))
    {
      while (*s != '\0' && *s != ' ')
        s++;
      read_irc_event (skip_spaces (s), p);
    }
}

/* ---- Pidgin logs ---------------------------------------------------------------- */

/* @html without its tags, entities decoded. */
static char *
strip_html (const char *html)
{
  GString *out = g_string_new (NULL);
  for (const char *s = html; *s != '\0';)
    {
      if (*s == '<')
        {
          const char *end = strchr (s, '>');
          if (end == NULL)
            break;
          if (g_ascii_strncasecmp (s, "<br", 3) == 0)
            g_string_append_c (out, ' ');
          s = end + 1;
          continue;
        }
      if (*s == '&')
        {
          static const struct
          {
            const char *name;
            const char *text;
          } entities[] = { { "&lt;", "<" },   { "&gt;", ">" },   { "&amp;", "&" },
                           { "&quot;", "\"" }, { "&apos;", "'" }, { "&nbsp;", " " } };
          gboolean done = FALSE;
          for (gsize i = 0; i < G_N_ELEMENTS (entities) && !done; i++)
            if (g_str_has_prefix (s, entities[i].name))
              {
                g_string_append (out, entities[i].text);
                s += strlen (entities[i].name);
                done = TRUE;
              }
          if (!done && s[1] == '#')
            {
              char *end = NULL;
              gboolean hex = s[2] == 'x' || s[2] == 'X';
              guint64 c = g_ascii_strtoull (s + (hex ? 3 : 2), &end, hex ? 16 : 10);
              if (end != NULL && *end == ';' && c > 0 && c < 0x110000 && g_unichar_validate ((gunichar) c))
                {
                  g_string_append_unichar (out, (gunichar) c);
                  s = end + 1;
                  done = TRUE;
                }
            }
          if (done)
            continue;
        }
      g_string_append_c (out, *s++);
    }
  return g_string_free (out, FALSE);
}

/* Reads "(stamp)" at the start of @s (after spaces) into @p; returns what
 * follows, or NULL when there is no stamp. */
static const char *
read_paren_stamp (const char *s, Parsed *p)
{
  s = skip_spaces (s);
  if (*s != '(')
    return NULL;
  const char *end = strchr (s, ')');
  if (end == NULL)
    return NULL;
  int tod, year, month, day;
  gboolean has_date = FALSE;
  gint64 today = g_get_real_time () / G_USEC_PER_SEC / DAY;
  if (!sb_log_parse_stamp (s + 1, (gsize) (end - s - 1), today, &tod, &has_date, &year, &month,
                           &day))
    return NULL;
  p->tod = tod;
  if (has_date)
    p->day = days_since_epoch (year, month, day);
  return end + 1;
}

/* What a Pidgin system text says ("bob entered the room.", ...). */
static void
read_pidgin_event (const char *s, Parsed *p)
{
  static const char *const joins[] = { " entered the room.", " has entered the room.", NULL };
  static const char *const parts[] = { " left the room", " has left the room", NULL };
  p->kind = SB_CHAT_LINE_SYSTEM;
  s = skip_spaces (s);
  const char *known = strstr (s, " is now known as ");
  if (known != NULL && !g_str_has_prefix (s, "You are now known as"))
    {
      p->nick = g_strndup (s, (gsize) (known - s));
      p->new_nick = g_strstrip (g_strdup (known + strlen (" is now known as ")));
      if (*p->nick != '\0' && *p->new_nick != '\0')
        p->kind = SB_CHAT_LINE_NICK;
      return;
    }
  for (int which = 0; which < 2; which++)
    for (const char *const *phrase = which == 0 ? joins : parts; *phrase != NULL; phrase++)
      {
        const char *at = strstr (s, *phrase);
        if (at == NULL || at == s)
          continue;
        /* "bob [Bob Smith] entered the room.": the alias is not the nick. */
        const char *alias = strstr (s, " [");
        const char *end = alias != NULL && alias < at ? alias : at;
        p->nick = g_strndup (s, (gsize) (end - s));
        p->kind = which == 0 ? SB_CHAT_LINE_JOIN : SB_CHAT_LINE_PART;
        return;
      }
}

/* "nick: text" from a TXT line's rest, or a system line. */
static void
read_pidgin_txt_rest (const char *rest, Parsed *p)
{
  rest = skip_spaces (rest);
  const char *colon = strstr (rest, ": ");
  if (g_str_has_prefix (rest, "***") || colon == NULL || colon == rest)
    {
      read_pidgin_event (rest, p);
      return;
    }
  g_autofree char *nick = g_strndup (rest, (gsize) (colon - rest));
  if (strstr (nick, " the topic") != NULL || strstr (nick, " left the room") != NULL
      || strstr (nick, " entered the room") != NULL)
    {
      read_pidgin_event (rest, p);
      return;
    }
  p->kind = SB_CHAT_LINE_MESSAGE;
  p->nick = g_steal_pointer (&nick);
  p->text = g_strdup (colon + 2);
}

static void
parse_pidgin_txt_line (const char *line, Parsed *p)
{
  p->kind = SB_CHAT_LINE_SYSTEM;
  p->tod = -1;
  p->day = -1;
  const char *rest = read_paren_stamp (line, p);
  if (rest != NULL)
    read_pidgin_txt_rest (rest, p);
}

/* An HTML record: "<...>(stamp)<...> <b>nick:</b><...> text<br/>" for a
 * message, "<b> bob entered the room.</b>" for an event. */
static void
parse_pidgin_html_line (const char *line, Parsed *p)
{
  p->kind = SB_CHAT_LINE_SYSTEM;
  p->tod = -1;
  p->day = -1;
  g_autofree char *flat = strip_html (line);
  if (read_paren_stamp (flat, p) == NULL)
    return;
  const char *bold = strstr (line, "<b>");
  const char *bold_end = bold != NULL ? strstr (bold, "</b>") : NULL;
  if (bold_end == NULL)
    return;
  g_autofree char *raw_name = g_strndup (bold + 3, (gsize) (bold_end - bold - 3));
  g_autofree char *name = strip_html (raw_name);
  gsize len = strlen (name);
  if (len > 1 && name[len - 1] == ':' && !g_str_has_prefix (name, "***"))
    {
      name[len - 1] = '\0';
      p->kind = SB_CHAT_LINE_MESSAGE;
      p->nick = g_strdup (g_strstrip (name));
      g_autofree char *text = strip_html (bold_end + 4);
      p->text = g_strdup (g_strstrip (text));
      return;
    }
  read_pidgin_event (name, p);
}

/* ---- the log ------------------------------------------------------------------- */

SbChatLogFormat
sb_chat_log_detect_format (const char *data, gsize len)
{
  gsize n = MIN (len, 4096);
  g_autofree char *head = g_strndup (data, n);
  if (g_str_has_prefix (head, "Conversation with "))
    return SB_CHAT_LOG_PIDGIN_TXT;
  if ((g_ascii_strncasecmp (head, "<html", 5) == 0 || g_ascii_strncasecmp (head, "<!DOCTYPE", 9) == 0)
      && strstr (head, "Conversation with ") != NULL)
    return SB_CHAT_LOG_PIDGIN_HTML;
  return SB_CHAT_LOG_PLAIN;
}

static void
parse_line (SbChatLogFormat format, const char *line, Parsed *p)
{
  switch (format)
    {
    case SB_CHAT_LOG_PIDGIN_HTML:
      parse_pidgin_html_line (line, p);
      break;
    case SB_CHAT_LOG_PIDGIN_TXT:
      parse_pidgin_txt_line (line, p);
      break;
    case SB_CHAT_LOG_PLAIN:
    default:
      parse_plain_line (line, p);
      break;
    }
}

/* Makes @p's time absolute: a dated line sets the day; the clock going back
 * by more than an hour starts the next one. */
static gint64
line_time (const Parsed *p, gint64 *day, int *last_tod)
{
  if (p->day >= 0)
    *day = p->day;
  else if (p->tod >= 0 && *last_tod >= 0 && p->tod + 3600 < *last_tod)
    (*day)++;
  if (p->tod >= 0)
    *last_tod = p->tod;
  return *day * DAY + MAX (*last_tod, 0);
}

SbChatLog *
sb_chat_log_parse (const char *data, gsize len, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (len == 0)
    {
      /* TRANSLATORS: why a chat log was not read */
      g_set_error_literal (error, SB_CHAT_LOG_ERROR, SB_CHAT_LOG_ERROR_EMPTY, _("empty file"));
      return NULL;
    }
  g_autoptr (SbChatLog) log = g_new0 (SbChatLog, 1);
  log->format = sb_chat_log_detect_format (data, len);
  log->lines = g_array_new (FALSE, TRUE, sizeof (SbChatLine));
  log->strings = g_string_chunk_new (4096);
  gint64 day = 0;
  int last_tod = -1;
  for (gsize start = 0; start < len;)
    {
      const char *nl = memchr (data + start, '\n', len - start);
      gsize end = nl != NULL ? (gsize) (nl - data) : len;
      gsize stop = end;
      while (stop > start && (data[stop - 1] == '\r' || data[stop - 1] == '\0'))
        stop--;
      g_autofree char *raw = g_strndup (data + start, stop - start);
      g_autofree char *line = g_utf8_make_valid (raw, -1);
      Parsed p = { 0 };
      parse_line (log->format, line, &p);
      SbChatLine out = {
        .kind = p.kind,
        .time = line_time (&p, &day, &last_tod),
        .nick = p.nick != NULL ? g_string_chunk_insert (log->strings, p.nick) : NULL,
        .new_nick = p.new_nick != NULL ? g_string_chunk_insert (log->strings, p.new_nick) : NULL,
        .text = p.text != NULL ? g_string_chunk_insert (log->strings, p.text) : NULL,
      };
      g_array_append_val (log->lines, out);
      parsed_clear (&p);
      start = end + 1;
    }
  return g_steal_pointer (&log);
}

SbChatLog *
sb_chat_log_read (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, SB_CHAT_LOG_ERROR, SB_CHAT_LOG_ERROR_IO, "%s", local->message);
      return NULL;
    }
  return sb_chat_log_parse (data, len, error);
}

void
sb_chat_log_free (SbChatLog *log)
{
  if (log == NULL)
    return;
  g_clear_pointer (&log->lines, g_array_unref);
  g_clear_pointer (&log->strings, g_string_chunk_free);
  g_free (log);
}

gint64
sb_chat_line_feed (const SbChatLine *line, SbReplyRoom *room, SbReplyLink *out)
{
  g_return_val_if_fail (line != NULL && room != NULL, -1);
  gint64 seq;
  switch (line->kind)
    {
    case SB_CHAT_LINE_MESSAGE:
      if (line->nick != NULL && *line->nick != '\0')
        return sb_reply_room_add_message (room, line->time, line->nick,
                                          line->text != NULL ? line->text : "", out);
      seq = sb_reply_room_add_system (room, line->time);
      break;
    case SB_CHAT_LINE_JOIN:
      seq = sb_reply_room_member_joined (room, line->time, line->nick);
      break;
    case SB_CHAT_LINE_PART:
      seq = sb_reply_room_member_left (room, line->time, line->nick);
      break;
    case SB_CHAT_LINE_NICK:
      seq = sb_reply_room_nick_changed (room, line->time, line->nick, line->new_nick);
      break;
    case SB_CHAT_LINE_SYSTEM:
    default:
      seq = sb_reply_room_add_system (room, line->time);
      break;
    }
  if (out != NULL)
    *out = (SbReplyLink){ .seq = seq, .parent = seq, .confidence = 1.0, .confident = TRUE };
  return seq;
}

GArray *
sb_chat_log_thread (SbChatLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);
  g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
  GArray *links = g_array_sized_new (FALSE, TRUE, sizeof (SbReplyLink), log->lines->len);
  for (guint i = 0; i < log->lines->len; i++)
    {
      const SbChatLine *line = &g_array_index (log->lines, SbChatLine, i);
      SbReplyLink link;
      sb_chat_line_feed (line, room, &link);
      /* The room's names live in the room: point at the log's instead. */
      if (link.parent != link.seq)
        link.parent_nick = g_array_index (log->lines, SbChatLine, link.parent).nick;
      g_array_append_val (links, link);
    }
  return links;
}
