/* sb-log-reader.c: libpurple 2.x conversation logs (HTML and TXT) to SbEvents.
 *
 * One pass over the bytes (memory-mapped by sb_log_file_read()), split into
 * physical lines with memchr; a line that starts like a libpurple record
 * ("(stamp) ..." in TXT, a <font>/<span> stamp wrapper in HTML) opens a record,
 * any other line continues the body of the open one, so bodies with raw
 * newlines stay whole.  Records keep pointers into the bytes; a second pass
 * resolves who spoke (colours, then the user's own names, then the buddy's,
 * then the two-party rule) and only then hashes each body with
 * sb_text_digest(), the way live capture does.
 *
 * Times: the file name gives the local date, time and UTC offset the window
 * opened at; each undated line's time of day advances a running clock, a
 * backward jump of more than ROLLOVER_S being the next day; dated stamps
 * (offline messages, history) are taken as written and do not move the clock.
 */
#include "smileback/sb-log-reader.h"

#include <string.h>

G_DEFINE_QUARK (sb-log-reader-error-quark, sb_log_reader_error)

/* A backward jump of the time of day larger than this is the next day; a
 * smaller one is an out-of-order server timestamp (about half an
 * hour). */
#define ROLLOVER_S (30 * 60)
#define DAY_S (24 * 60 * 60)

/* A stamp is short: "(05/07/2014 09:21:02 AM)" and translations of it. */
#define MAX_STAMP 64
/* A speaker name longer than this is not a name but a system line. */
#define MAX_NAME 128
/* TXT "/me" lines are matched against at most this many known names. */
#define MAX_KNOWN_NAMES 64

/* libpurple's HTML colours (log.c) */
#define COLOUR_SENT 0x16569E
#define COLOUR_RECV 0xA82F2F
#define COLOUR_ME 0x062585
#define COLOUR_ERROR 0xFF0000
#define COLOUR_WHISPER 0x6C2585

typedef enum
{
  SIDE_OUT = SB_DIRECTION_OUT,
  SIDE_IN = SB_DIRECTION_IN,
  SIDE_UNKNOWN = 2,
} Side;

/* One record while the file is parsed: spans into the file's bytes. */
typedef struct
{
  gint64 time;
  const char *name; /* raw (still escaped in HTML), NULL for system lines */
  gsize name_len;
  const char *body; /* up to body_end, continuation lines included */
  const char *body_end;
  SbEventKind kind;
  Side side;
  guint flags;
  gboolean me;       /* "/me" line: TXT names are split off the body later */
  gboolean body_open; /* the body runs to the end of the line (may continue) */
  const char *speaker; /* interned, set by resolve */
} Record;

typedef struct
{
  const SbLogReaderOptions *opts;
  SbLogFile *file;
  gboolean html;
  gint64 clock_local; /* local seconds of the latest undated record */
  int clock_tod;
  int offset;
  GArray *records;
  GString *buf;
} Parser;

/* ---- small helpers ----------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static gint64
days_from_civil (int y, int m, int d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
valid_date (int y, int m, int d)
{
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
    return FALSE;
  return d <= g_date_get_days_in_month ((GDateMonth) m, (GDateYear) y);
}

static gboolean
eat_n (const char **p, const char *end, const char *lit, gsize n)
{
  /* libpurple writes these in one case: compare bytes first */
  if ((gsize) (end - *p) < n
      || (memcmp (*p, lit, n) != 0 && g_ascii_strncasecmp (*p, lit, n) != 0))
    return FALSE;
  *p += n;
  return TRUE;
}
#define EAT(p, end, lit) eat_n ((p), (end), (lit), sizeof (lit) - 1)

static const char *
find_n (const char *p, const char *end, const char *lit, gsize n)
{
  if (p == NULL || end == NULL || p >= end)
    return NULL;
  return memmem (p, end - p, lit, n);
}
#define FIND(p, end, lit) find_n ((p), (end), (lit), sizeof (lit) - 1)

static gboolean
ends_with (const char *p, const char *end, const char *lit, gsize n)
{
  return (gsize) (end - p) >= n && g_ascii_strncasecmp (end - n, lit, n) == 0;
}
#define ENDS(p, end, lit) ends_with ((p), (end), (lit), sizeof (lit) - 1)

static const char *
rfind_n (const char *p, const char *end, const char *lit, gsize n)
{
  for (const char *q = end - n; q >= p; q--)
    if (memcmp (q, lit, n) == 0)
      return q;
  return NULL;
}

/* Appends @len bytes to @buf as valid UTF-8 without NULs (invalid bytes become
 * U+FFFD, NULs are dropped). */
static void
append_clean (GString *buf, const char *p, gsize len)
{
  const char *end = p + len;
  while (p < end)
    {
      const char *bad = NULL;
      if (g_utf8_validate_len (p, end - p, &bad))
        {
          g_string_append_len (buf, p, end - p);
          return;
        }
      g_string_append_len (buf, p, bad - p);
      p = bad;
      if (*p == '\0')
        {
          p++;
          continue;
        }
      gunichar c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (buf, "\xEF\xBF\xBD");
          p++;
        }
      else
        {
          /* valid but g_utf8_validate refused it (a non-character): keep it */
          const char *next = g_utf8_next_char (p);
          g_string_append_len (buf, p, next - p);
          p = next;
        }
    }
}

/* Decodes the few entities g_markup_escape_text() writes, in place. */
static void
decode_entities (GString *s)
{
  static const struct
  {
    const char *entity;
    const char *text;
  } table[] = {
    { "&lt;", "<" }, { "&gt;", ">" }, { "&amp;", "&" }, { "&quot;", "\"" }, { "&apos;", "'" },
    { "&#39;", "'" },
  };
  if (strchr (s->str, '&') == NULL)
    return;
  gsize w = 0;
  for (gsize r = 0; r < s->len;)
    {
      gboolean done = FALSE;
      if (s->str[r] == '&')
        for (guint i = 0; i < G_N_ELEMENTS (table) && !done; i++)
          {
            gsize n = strlen (table[i].entity);
            if (r + n <= s->len && memcmp (s->str + r, table[i].entity, n) == 0)
              {
                s->str[w++] = table[i].text[0];
                r += n;
                done = TRUE;
              }
          }
      if (!done)
        s->str[w++] = s->str[r++];
    }
  g_string_truncate (s, w);
}

/* Characters a reader would see: tags skipped and entities counted once in
 * HTML; UTF-8 characters otherwise.  For sb_size_bucket(), which is coarse. */
static gsize
visible_length (const char *s, gsize len, gboolean html)
{
  gsize n = 0;
  for (gsize i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (html && c == '<')
        {
          const char *gt = memchr (s + i, '>', len - i);
          if (gt != NULL)
            {
              i = gt - s;
              continue;
            }
        }
      if (html && c == '&')
        {
          const char *semi = memchr (s + i, ';', MIN (len - i, 10));
          if (semi != NULL)
            {
              n++;
              i = semi - s;
              continue;
            }
        }
      if ((c & 0xC0) != 0x80)
        n++;
    }
  return n;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- stamps and file names --------------------------------------------- */

static gboolean
word_start (const char *text, gsize i)
{
  return i == 0 || !g_ascii_isalpha (text[i - 1]);
}

/* Sets *@am / *@pm when the bytes at @i start a 12-hour marker; returns how
 * many bytes to skip (at least 1). */
static gsize
scan_marker (const char *text, gsize len, gsize i, gboolean *am, gboolean *pm)
{
  static const char *const pm_words[] = { "\xE5\x8D\x88\xE5\xBE\x8C" /* 午後 */,
                                          "\xE4\xB8\x8B\xE5\x8D\x88" /* 下午 */,
                                          "\xEC\x98\xA4\xED\x9B\x84" /* 오후 */ };
  static const char *const am_words[] = { "\xE5\x8D\x88\xE5\x89\x8D" /* 午前 */,
                                          "\xE4\xB8\x8A\xE5\x8D\x88" /* 上午 */,
                                          "\xEC\x98\xA4\xEC\xA0\x84" /* 오전 */ };
  char c = g_ascii_tolower (text[i]);
  if ((c == 'a' || c == 'p') && word_start (text, i) && i + 1 < len)
    {
      gsize j = i + 1;
      if (text[j] == '.')
        j++;
      if (j < len && g_ascii_tolower (text[j]) == 'm'
          && (j + 1 == len || !g_ascii_isalpha (text[j + 1])))
        {
          *(c == 'a' ? am : pm) = TRUE;
          return j + 1 - i;
        }
    }
  if ((unsigned char) text[i] >= 0x80 && i + 6 <= len)
    for (guint k = 0; k < G_N_ELEMENTS (pm_words); k++)
      {
        if (memcmp (text + i, pm_words[k], 6) == 0)
          {
            *pm = TRUE;
            return 6;
          }
        if (memcmp (text + i, am_words[k], 6) == 0)
          {
            *am = TRUE;
            return 6;
          }
      }
  return 1;
}

typedef struct
{
  int y, m, d;
} YearMonthDay;

gboolean
sb_log_parse_stamp (const char *text, gsize len, gint64 ref_day, int *tod, gboolean *has_date,
                    int *year, int *month, int *day)
{
  int g[6], glen[6], n = 0;
  gboolean am = FALSE, pm = FALSE;

  for (gsize i = 0; i < len;)
    {
      if (g_ascii_isdigit (text[i]))
        {
          int v = 0, l = 0;
          while (i < len && g_ascii_isdigit (text[i]))
            {
              if (++l > 4)
                return FALSE;
              v = v * 10 + (text[i++] - '0');
            }
          if (n == 6)
            return FALSE;
          g[n] = v;
          glen[n++] = l;
        }
      else
        i += scan_marker (text, len, i, &am, &pm);
    }

  if (n != 2 && n != 3 && n != 5 && n != 6)
    return FALSE;
  int t0 = n >= 5 ? 3 : 0;
  int h = g[t0], m = g[t0 + 1], s = (n == 3 || n == 6) ? g[t0 + 2] : 0;
  if (am || pm)
    {
      if (h < 1 || h > 12)
        return FALSE;
      if (pm && h < 12)
        h += 12;
      else if (am && h == 12)
        h = 0;
    }
  if (h > 23 || m > 59 || s > 60 || glen[t0] > 2 || glen[t0 + 1] != 2)
    return FALSE;
  if (tod != NULL)
    *tod = h * 3600 + m * 60 + MIN (s, 59);

  if (n < 5)
    {
      if (has_date != NULL)
        *has_date = FALSE;
      return TRUE;
    }

  /* Which order?  A four-digit first group is a year; otherwise try the three
   * readings and keep the one nearest to the file's clock, preferring dates not
   * after it (dated stamps are for older messages). */
  YearMonthDay cand[3];
  int nc = 0;
  if (glen[0] >= 3)
    cand[nc++] = (YearMonthDay){ g[0], g[1], g[2] };
  else
    {
      cand[nc++] = (YearMonthDay){ g[2], g[1], g[0] }; /* 27/04/17 */
      cand[nc++] = (YearMonthDay){ g[2], g[0], g[1] }; /* 05/07/2014 */
      if (glen[2] <= 2)
        cand[nc++] = (YearMonthDay){ g[0], g[1], g[2] }; /* 13-02-01 */
    }
  int best = -1;
  gint64 best_cost = G_MAXINT64;
  for (int i = 0; i < nc; i++)
    {
      if (cand[i].y < 100)
        cand[i].y += cand[i].y < 70 ? 2000 : 1900;
      if (!valid_date (cand[i].y, cand[i].m, cand[i].d))
        continue;
      gint64 diff = ref_day - days_from_civil (cand[i].y, cand[i].m, cand[i].d);
      gint64 cost = diff >= -1 ? diff + 1 : -diff * 8;
      if (cost < best_cost)
        {
          best_cost = cost;
          best = i;
        }
    }
  if (best < 0)
    return FALSE;
  if (has_date != NULL)
    *has_date = TRUE;
  if (year != NULL)
    *year = cand[best].y;
  if (month != NULL)
    *month = cand[best].m;
  if (day != NULL)
    *day = cand[best].d;
  return TRUE;
}

static int
digits (const char *p, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return -1;
      v = v * 10 + (p[i] - '0');
    }
  return v;
}

gboolean
sb_log_parse_file_name (const char *basename, GTimeZone *zone, gint64 *start, int *utc_offset,
                        gboolean *has_offset, SbLogFormat *format, GError **error)
{
  g_return_val_if_fail (basename != NULL, FALSE);
  gsize len = strlen (basename);
  SbLogFormat fmt;
  if (len > 5 && g_ascii_strcasecmp (basename + len - 5, ".html") == 0)
    fmt = SB_LOG_FORMAT_HTML;
  else if (len > 4 && g_ascii_strcasecmp (basename + len - 4, ".htm") == 0)
    fmt = SB_LOG_FORMAT_HTML;
  else if (len > 4 && g_ascii_strcasecmp (basename + len - 4, ".txt") == 0)
    fmt = SB_LOG_FORMAT_TXT;
  else
    goto bad;

  /* "YYYY-MM-DD.HHMMSS" */
  if (len < 17 || basename[4] != '-' || basename[7] != '-' || basename[10] != '.')
    goto bad;
  int y = digits (basename, 4), mo = digits (basename + 5, 2), d = digits (basename + 8, 2);
  int h = digits (basename + 11, 2), mi = digits (basename + 13, 2), s = digits (basename + 15, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || !valid_date (y, mo, d) || h > 23
      || mi > 59 || s > 60)
    goto bad;
  s = MIN (s, 59);

  int off = 0;
  gboolean has_off = FALSE;
  const char *rest = basename + 17;
  if ((rest[0] == '+' || rest[0] == '-') && len >= 22)
    {
      int oh = digits (rest + 1, 2), om = digits (rest + 3, 2);
      if (oh >= 0 && om >= 0 && oh <= 14 && om < 60)
        {
          off = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
          has_off = TRUE;
        }
    }
  if (!has_off)
    {
      g_autoptr (GTimeZone) local = zone == NULL ? g_time_zone_new_local () : NULL;
      g_autoptr (GDateTime) dt = g_date_time_new (zone != NULL ? zone : local, y, mo, d, h, mi, s);
      if (dt == NULL)
        goto bad;
      off = (int) (g_date_time_get_utc_offset (dt) / G_TIME_SPAN_SECOND);
    }

  if (start != NULL)
    *start = days_from_civil (y, mo, d) * DAY_S + h * 3600 + mi * 60 + s - off;
  if (utc_offset != NULL)
    *utc_offset = off;
  if (has_offset != NULL)
    *has_offset = has_off;
  if (format != NULL)
    *format = fmt;
  return TRUE;

bad:
  g_set_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_NAME,
               "“%s” is not a libpurple log file name", basename);
  return FALSE;
}

/* ---- lines ------------------------------------------------------------- */

/* Time of a record from its stamp, moving the running clock for undated ones. */
static gboolean
stamp_time (Parser *ps, const char *stamp, gsize len, gint64 *time, guint *flags)
{
  int tod, y, m, d;
  gboolean dated;
  gint64 ref_day = ps->clock_local >= 0 ? ps->clock_local / DAY_S : (ps->clock_local - DAY_S + 1) / DAY_S;

  if (!sb_log_parse_stamp (stamp, len, ref_day, &tod, &dated, &y, &m, &d))
    return FALSE;
  if (dated)
    {
      *time = days_from_civil (y, m, d) * DAY_S + tod - ps->offset;
      *flags = SB_EVENT_FLAG_BACKLOG;
      return TRUE;
    }
  int delta = tod - ps->clock_tod;
  if (delta < -ROLLOVER_S)
    delta += DAY_S;
  else if (delta >= DAY_S - ROLLOVER_S)
    delta -= DAY_S;
  ps->clock_local += delta;
  ps->clock_tod = tod;
  *time = ps->clock_local - ps->offset;
  *flags = 0;
  return TRUE;
}

/* Trims white space and libpurple's closing <br/> or <br> off a body. */
static void
trim_body (const char **b, const char **e, gboolean html)
{
  while (*e > *b && is_space ((*e)[-1]))
    (*e)--;
  if (html)
    {
      if (ENDS (*b, *e, "<br/>"))
        *e -= 5;
      else if (ENDS (*b, *e, "<br>"))
        *e -= 4;
      else if (ENDS (*b, *e, "<br />"))
        *e -= 6;
    }
  while (*e > *b && is_space (**b))
    (*b)++;
  while (*e > *b && is_space ((*e)[-1]))
    (*e)--;
}

/* Splits "name: body", "name <AUTO-REPLY>: body" (any language: the marker is
 * whatever sits in angle brackets, escaped in HTML) for a TXT line or an HTML
 * <b> text. */
static void
split_auto_reply (Record *r, gboolean html)
{
  const char *end = r->name + r->name_len;
  const char *open = NULL;
  if (html ? ENDS (r->name, end, "&gt;") : ENDS (r->name, end, ">"))
    open = html ? rfind_n (r->name, end, " &lt;", 5) : rfind_n (r->name, end, " <", 2);
  if (open != NULL && open > r->name)
    {
      r->kind = SB_EVENT_AUTO_REPLY;
      r->name_len = open - r->name;
    }
}

/* An HTML line: TRUE when it opens a record (fills @r), FALSE for a
 * continuation, a header or a footer. */
static gboolean
parse_html_line (Parser *ps, const char *p, const char *end, Record *r)
{
  const char *q = p;
  guint32 colour = 0;
  gboolean coloured = FALSE;

  if (EAT (&q, end, "<font color=\"#") || EAT (&q, end, "<span style=\"color: #")
      || EAT (&q, end, "<span style=\"color:#"))
    {
      if (end - q < 8)
        return FALSE;
      for (int i = 0; i < 6; i++)
        {
          if (!g_ascii_isxdigit (q[i]))
            return FALSE;
          colour = colour << 4 | g_ascii_xdigit_value (q[i]);
        }
      q += 6;
      if (!EAT (&q, end, "\">"))
        return FALSE;
      coloured = TRUE;
    }
  if (!EAT (&q, end, "<font size=\"2\">(") && !EAT (&q, end, "<span style=\"font-size: smaller\">("))
    return FALSE;
  const char *close = FIND (q, MIN (end, q + MAX_STAMP), ")</");
  if (close == NULL)
    return FALSE;
  const char *stamp = q;
  q = close + 1;
  if (!EAT (&q, end, "</font>") && !EAT (&q, end, "</span>"))
    return FALSE;
  if (!stamp_time (ps, stamp, close - stamp, &r->time, &r->flags))
    return FALSE;

  r->kind = SB_EVENT_SYSTEM;
  r->side = SIDE_IN;
  r->body_open = FALSE;
  if (q < end && *q == ' ')
    q++;
  if (!EAT (&q, end, "<b>"))
    {
      /* a raw line: "(T) text" */
      r->body = q;
      r->body_end = end;
      r->body_open = TRUE;
      return TRUE;
    }
  const char *b = q;
  const char *b_end = FIND (q, end, "</b>");
  if (b_end == NULL)
    {
      r->body = b;
      r->body_end = end;
      r->body_open = TRUE;
      return TRUE;
    }
  q = b_end + 4;
  if (coloured && !EAT (&q, end, "</font>"))
    EAT (&q, end, "</span>");
  if (q < end && *q == ' ')
    q++;

  if (coloured && colour == COLOUR_ME && b_end - b > 3 && memcmp (b, "***", 3) == 0)
    {
      /* "/me": the colour does not say who; the name does */
      r->kind = SB_EVENT_MESSAGE;
      r->me = TRUE;
      r->side = SIDE_UNKNOWN;
      r->name = b + 3;
      r->name_len = b_end - b - 3;
      r->body = q;
      r->body_end = end;
      r->body_open = TRUE;
      return TRUE;
    }
  if (!coloured || colour == COLOUR_ERROR || b_end == b || b_end[-1] != ':' || b[0] == ' ')
    {
      /* system "<b> text</b>", error, whisper "<b> name:</b> text" */
      const char *rest = q, *rest_end = end;
      trim_body (&rest, &rest_end, TRUE);
      if (rest < rest_end)
        {
          r->body = q;
          r->body_end = end;
          r->body_open = TRUE;
        }
      else
        {
          r->body = b;
          r->body_end = b_end;
        }
      return TRUE;
    }

  r->kind = SB_EVENT_MESSAGE;
  r->name = b;
  r->name_len = b_end - b - 1;
  r->body = q;
  r->body_end = end;
  r->body_open = TRUE;
  split_auto_reply (r, TRUE);
  if (colour == COLOUR_SENT)
    r->side = SIDE_OUT;
  else if (colour == COLOUR_RECV)
    r->side = SIDE_IN;
  else
    r->side = SIDE_UNKNOWN;
  return TRUE;
}

/* A TXT line: TRUE when it opens a record. */
static gboolean
parse_txt_line (Parser *ps, const char *p, const char *end, Record *r)
{
  if (p >= end || *p != '(')
    return FALSE;
  const char *close = memchr (p, ')', MIN (end - p, MAX_STAMP));
  if (close == NULL || (close + 1 < end && close[1] != ' '))
    return FALSE;
  if (!stamp_time (ps, p + 1, close - p - 1, &r->time, &r->flags))
    return FALSE;
  const char *q = close + 1;
  if (q < end)
    q++;
  r->body_open = TRUE;
  r->body_end = end;
  r->side = SIDE_IN;

  if (end - q > 3 && memcmp (q, "***", 3) == 0)
    {
      /* "***name action": where the name ends is decided with the names known */
      r->kind = SB_EVENT_MESSAGE;
      r->me = TRUE;
      r->side = SIDE_UNKNOWN;
      r->name = q + 3;
      r->name_len = 0;
      r->body = q + 3;
      return TRUE;
    }
  const char *colon = FIND (q, MIN (end, q + MAX_NAME), ": ");
  if (colon == NULL && end - q >= 1 && end[-1] == ':' && end - q <= MAX_NAME)
    colon = end - 1; /* "name:" with an empty first line */
  if (colon != NULL && colon > q && *q != ' ' && *q != '*')
    {
      r->kind = SB_EVENT_MESSAGE;
      r->side = SIDE_UNKNOWN;
      r->name = q;
      r->name_len = colon - q;
      r->body = MIN (colon + 2, end);
      split_auto_reply (r, FALSE);
      return TRUE;
    }
  r->kind = SB_EVENT_SYSTEM;
  r->body = q;
  return TRUE;
}

static gboolean
is_footer (const char *p, const char *end)
{
  return EAT (&p, end, "</p>") || EAT (&p, end, "</body>") || EAT (&p, end, "</html>");
}

static gboolean
is_header (const char *p, const char *end, gboolean html)
{
  if (html)
    return EAT (&p, end, "<!DOCTYPE") || EAT (&p, end, "<html");
  return EAT (&p, end, "Conversation with ") || EAT (&p, end, "System log for account ");
}

/* "Conversation with X at DATE on ACCOUNT (PRPL)", wrapped in <title> in HTML. */
static gboolean
parse_header (SbLogFile *file, const char *p, const char *end, GError **error)
{
  const char *s = FIND (p, end, "System log for account ");
  if (s != NULL && (file->format == SB_LOG_FORMAT_TXT || FIND (p, s, "<title>") != NULL))
    {
      g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_SYSTEM,
                           "a system log, not a conversation");
      return FALSE;
    }
  s = FIND (p, end, "Conversation with ");
  if (s == NULL || file->title_name != NULL)
    return TRUE; /* a second header: two windows opened in the same second */
  s += strlen ("Conversation with ");
  const char *e = end;
  const char *t = FIND (s, end, "</");
  if (t != NULL)
    e = t;
  g_autoptr (GString) buf = g_string_new (NULL);
  const char *at = FIND (s, e, " at ");
  if (at == NULL)
    return TRUE;
  append_clean (buf, s, at - s);
  file->title_name = g_strdup (buf->str);
  const char *on = rfind_n (at, e, " on ", 4);
  const char *paren = rfind_n (at, e, " (", 2);
  if (on != NULL && paren != NULL && paren > on && e[-1] == ')')
    {
      g_string_truncate (buf, 0);
      append_clean (buf, on + 4, paren - on - 4);
      file->title_account = g_strdup (buf->str);
      g_string_truncate (buf, 0);
      append_clean (buf, paren + 2, e - paren - 3);
      file->title_protocol = g_strdup (buf->str);
    }
  return TRUE;
}

/* ---- resolving speakers and hashing ------------------------------------ */

static const char *
intern_name (Parser *ps, const char *p, gsize len)
{
  GString *buf = ps->buf;
  g_string_truncate (buf, 0);
  append_clean (buf, p, len);
  if (ps->html)
    decode_entities (buf);
  g_strstrip (buf->str);
  buf->len = strlen (buf->str);
  if (buf->len == 0)
    return NULL;
  return g_string_chunk_insert_const (ps->file->names, buf->str);
}

static gboolean
name_in (const char *folded, const char *const *names)
{
  for (; names != NULL && *names != NULL; names++)
    {
      g_autofree char *f = g_utf8_casefold (*names, -1);
      if (strcmp (f, folded) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_peer (const char *folded, const char *peer)
{
  if (peer == NULL)
    return FALSE;
  g_autofree char *f = g_utf8_casefold (peer, -1);
  if (strcmp (f, folded) == 0)
    return TRUE;
  const char *at = strchr (f, '@');
  return at != NULL && strlen (folded) == (gsize) (at - f) && strncmp (f, folded, at - f) == 0;
}

/* The side a name is known to be on, from colours, own names and the peer. */
static Side
known_side (Parser *ps, GHashTable *colours, const char *speaker)
{
  gpointer v;
  if (g_hash_table_lookup_extended (colours, speaker, NULL, &v))
    return GPOINTER_TO_INT (v);
  g_autofree char *folded = g_utf8_casefold (speaker, -1);
  if (name_in (folded, ps->opts->own_names))
    return SIDE_OUT;
  if (is_peer (folded, ps->opts->peer))
    return SIDE_IN;
  return SIDE_UNKNOWN;
}

/* TXT "***name action": the longest known name followed by a space, else the
 * first word. */
static void
split_txt_me (Parser *ps, Record *r, GHashTable *known)
{
  gsize best = 0;
  GHashTableIter it;
  gpointer key;
  gsize avail = r->body_end - r->body;
  const char *nl = memchr (r->body, '\n', avail);
  if (nl != NULL)
    avail = nl - r->body;
  /* a conversation has a handful of names; a file with thousands is not one,
   * and must not cost names x lines */
  g_hash_table_iter_init (&it, known);
  while (g_hash_table_size (known) <= MAX_KNOWN_NAMES && g_hash_table_iter_next (&it, &key, NULL))
    {
      gsize n = strlen (key);
      if (n > best && n < avail && r->body[n] == ' ' && memcmp (r->body, key, n) == 0)
        best = n;
    }
  if (best == 0)
    {
      const char *sp = memchr (r->body, ' ', avail);
      best = sp != NULL ? (gsize) (sp - r->body) : avail;
    }
  r->name_len = best;
  r->body = MIN (r->body + best + 1, r->body_end);
}

static void
resolve_sides (Parser *ps)
{
  GArray *recs = ps->records;
  g_autoptr (GHashTable) colours = g_hash_table_new (NULL, NULL); /* interned name -> Side */
  g_autoptr (GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < recs->len; i++)
    {
      Record *r = &g_array_index (recs, Record, i);
      if (r->name == NULL || (r->me && !ps->html))
        continue;
      r->speaker = intern_name (ps, r->name, r->name_len);
      if (r->speaker == NULL)
        {
          r->kind = SB_EVENT_SYSTEM;
          r->side = SIDE_IN;
          continue;
        }
      g_hash_table_add (known, (gpointer) r->speaker);
      if (r->side != SIDE_UNKNOWN && !g_hash_table_contains (colours, r->speaker))
        {
          g_hash_table_insert (colours, (gpointer) r->speaker, GINT_TO_POINTER (r->side));
          if (r->side == SIDE_OUT)
            g_ptr_array_add (ps->file->own_seen, (gpointer) r->speaker);
        }
    }
  for (guint i = 0; i < recs->len; i++)
    {
      Record *r = &g_array_index (recs, Record, i);
      if (r->me && !ps->html)
        {
          split_txt_me (ps, r, known);
          r->speaker = intern_name (ps, r->name, r->name_len);
          if (r->speaker == NULL)
            r->kind = SB_EVENT_SYSTEM;
        }
    }

  /* Names known from colours, own names or the peer name. */
  g_autoptr (GHashTable) sides = g_hash_table_new (NULL, NULL);
  gboolean used[2] = { FALSE, FALSE };
  g_autoptr (GHashTable) unknown = g_hash_table_new (NULL, NULL); /* name -> count */
  for (guint i = 0; i < recs->len; i++)
    {
      Record *r = &g_array_index (recs, Record, i);
      if (r->speaker == NULL || r->kind == SB_EVENT_SYSTEM)
        continue;
      gpointer v;
      Side side;
      if (g_hash_table_lookup_extended (sides, r->speaker, NULL, &v))
        side = GPOINTER_TO_INT (v);
      else
        {
          side = known_side (ps, colours, r->speaker);
          g_hash_table_insert (sides, (gpointer) r->speaker, GINT_TO_POINTER (side));
        }
      if (r->side == SIDE_UNKNOWN)
        r->side = side;
      if (r->side != SIDE_UNKNOWN)
        used[r->side] = TRUE;
      else
        g_hash_table_insert (unknown, (gpointer) r->speaker,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (unknown, r->speaker)) + 1));
    }
  if (g_hash_table_size (unknown) == 0)
    return;

  /* Two parties.  With one side heard from, the most frequent unknown name is
   * the other side; with none, the most frequent is the buddy and the next the
   * user (a guess, counted).  Any other unknown name in a TXT IM log is a
   * system line that happens to hold ": ".  In HTML, in /me lines and in
   * chats an unknown name is someone else. */
  const char *first = NULL, *second = NULL;
  guint first_n = 0, second_n = 0;
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, unknown);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      guint n = GPOINTER_TO_UINT (value);
      if (n > first_n || (n == first_n && g_strcmp0 (key, first) < 0))
        {
          second = first;
          second_n = first_n;
          first = key;
          first_n = n;
        }
      else if (n > second_n || (n == second_n && g_strcmp0 (key, second) < 0))
        {
          second = key;
          second_n = n;
        }
    }
  gboolean none_heard = !used[SIDE_OUT] && !used[SIDE_IN];
  Side first_side = SIDE_UNKNOWN, second_side = SIDE_UNKNOWN;
  if (ps->opts->chat)
    first_side = second_side = SIDE_IN;
  else if (none_heard)
    {
      first_side = SIDE_IN;
      second_side = SIDE_OUT;
    }
  else if (!used[SIDE_IN])
    first_side = SIDE_IN;
  else if (!used[SIDE_OUT])
    first_side = SIDE_OUT;

  for (guint i = 0; i < recs->len; i++)
    {
      Record *r = &g_array_index (recs, Record, i);
      if (r->side != SIDE_UNKNOWN || r->kind == SB_EVENT_SYSTEM)
        continue;
      if (r->speaker == first && first_side != SIDE_UNKNOWN)
        r->side = first_side;
      else if (r->speaker == second && second_side != SIDE_UNKNOWN)
        r->side = second_side;
      else if (ps->html || r->me || ps->opts->chat)
        r->side = SIDE_IN;
      else
        {
          r->kind = SB_EVENT_SYSTEM;
          r->side = SIDE_IN;
          r->speaker = NULL;
          continue;
        }
      if (none_heard && !ps->opts->chat)
        ps->file->n_guessed++;
    }
}

/* Digest and size of each record, then the events. */
static void
emit_events (Parser *ps)
{
  const SbLogReaderOptions *o = ps->opts;
  GString *buf = ps->buf;
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (r->time <= 0)
        continue; /* before 1970 in UTC: no event can say so */
      const char *b = r->body, *e = r->body_end;
      trim_body (&b, &e, ps->html);
      /* IRC CTCP (\001VERSION\001) is protocol noise, never a message */
      if (e > b && *b == '\001')
        r->kind = SB_EVENT_SYSTEM;

      g_string_truncate (buf, 0);
      if (r->me && r->kind == SB_EVENT_MESSAGE)
        g_string_append (buf, "/me ");
      append_clean (buf, b, e - b);

      SbEvent ev = { 0 };
      ev.time = r->time;
      ev.direction = r->side == SIDE_OUT ? SB_DIRECTION_OUT : SB_DIRECTION_IN;
      ev.kind = r->kind;
      ev.source = SB_SOURCE_IMPORT;
      ev.flags = r->flags;
      ev.size_bucket = sb_size_bucket (visible_length (buf->str, buf->len, ps->html));
      if (o->secret != NULL && o->secret_len > 0)
        {
          /* TXT holds the text libpurple showed, live capture hashes its
           * HTML: escape what HTML would read as markup.  Only '<' and '&'
           * can be (other escapes decode back to themselves), and most
           * lines have neither: no copy for those. */
          if (ps->html || strpbrk (buf->str, "<&") == NULL)
            ev.digest = sb_text_digest (o->secret, o->secret_len, buf->str);
          else
            {
              g_autofree char *escaped = g_markup_escape_text (buf->str, buf->len);
              ev.digest = sb_text_digest (o->secret, o->secret_len, escaped);
            }
        }
      g_array_append_val (ps->file->events, ev);
      g_ptr_array_add (ps->file->speakers, (gpointer) r->speaker);
    }
}

/* ---- the file ---------------------------------------------------------- */

static SbLogFile *
log_file_new (void)
{
  SbLogFile *file = g_new0 (SbLogFile, 1);
  file->events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  file->speakers = g_ptr_array_new ();
  file->own_seen = g_ptr_array_new ();
  file->names = g_string_chunk_new (256);
  return file;
}

void
sb_log_file_free (SbLogFile *file)
{
  if (file == NULL)
    return;
  g_free (file->title_name);
  g_free (file->title_account);
  g_free (file->title_protocol);
  g_array_unref (file->events);
  g_ptr_array_unref (file->speakers);
  g_ptr_array_unref (file->own_seen);
  g_string_chunk_free (file->names);
  g_free (file);
}

SbLogFile *
sb_log_file_parse (const char *basename, const char *data, gsize len,
                   const SbLogReaderOptions *options, GError **error)
{
  static const SbLogReaderOptions no_options = { 0 };
  g_return_val_if_fail (basename != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  const SbLogReaderOptions *o = options != NULL ? options : &no_options;

  gint64 start;
  int offset;
  gboolean has_offset;
  SbLogFormat format;
  if (!sb_log_parse_file_name (basename, o->zone, &start, &offset, &has_offset, &format, error))
    return NULL;

  /* a crash can leave NUL blocks at the end of a file */
  while (len > 0 && (data[len - 1] == '\0' || is_space (data[len - 1])))
    len--;
  if (len == 0)
    {
      g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_EMPTY, "empty file");
      return NULL;
    }

  g_autoptr (SbLogFile) file = log_file_new ();
  file->format = format;
  file->start = start;
  file->utc_offset = offset;
  file->has_offset = has_offset;

  g_autoptr (GArray) records = g_array_new (FALSE, TRUE, sizeof (Record));
  g_autoptr (GString) buf = g_string_sized_new (256);
  Parser ps = {
    .opts = o,
    .file = file,
    .html = format == SB_LOG_FORMAT_HTML,
    .clock_local = start + offset,
    .clock_tod = (int) (((start + offset) % DAY_S + DAY_S) % DAY_S),
    .offset = offset,
    .records = records,
    .buf = buf,
  };

  gboolean header_seen = FALSE;
  Record *open = NULL;
  const char *end = data + len;
  for (const char *p = data; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      const char *next = nl != NULL ? nl + 1 : end;
      const char *e = line_end;
      while (e > p && e[-1] == '\r')
        e--;
      const char *s = p;
      while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\0'))
        s++;

      Record r = { 0 };
      if (ps.html ? parse_html_line (&ps, s, e, &r) : parse_txt_line (&ps, s, e, &r))
        {
          if (o->max_records > 0 && records->len >= o->max_records)
            break;
          g_array_append_val (records, r);
          open = &g_array_index (records, Record, records->len - 1);
          if (!open->body_open)
            open = NULL;
        }
      else if (is_header (s, e, ps.html) || (p == data && FIND (s, e, "Conversation with ") != NULL))
        {
          if (!parse_header (file, s, e, error))
            return NULL;
          header_seen = TRUE;
          open = NULL;
        }
      else if (ps.html && is_footer (s, e))
        {
          file->complete = TRUE;
          open = NULL;
        }
      else if (open != NULL)
        open->body_end = e; /* a continuation line */
      else if (s < e)
        file->n_unparsed++;
      p = next;
    }

  if (records->len == 0)
    {
      if (header_seen && file->n_unparsed == 0)
        g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_EMPTY,
                             "a header without a single line");
      else
        g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_FORMAT,
                             "no line written by libpurple");
      return NULL;
    }

  resolve_sides (&ps);
  emit_events (&ps);
  if (file->events->len == 0)
    {
      g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_EMPTY,
                           "no line with a usable time");
      return NULL;
    }
  return g_steal_pointer (&file);
}

SbLogFile *
sb_log_file_read (const char *path, const SbLogReaderOptions *options, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *basename = g_path_get_basename (path);
  if (!sb_log_parse_file_name (basename, options != NULL ? options->zone : NULL, NULL, NULL, NULL,
                               NULL, error))
    return NULL;

  g_autoptr (GError) local_error = NULL;
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_IO, "%s",
                   local_error->message);
      return NULL;
    }
  const char *data = g_mapped_file_get_contents (mapped);
  gsize len = g_mapped_file_get_length (mapped);
  return sb_log_file_parse (basename, data != NULL ? data : "", len, options, error);
}
