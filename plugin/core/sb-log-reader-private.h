/* sb-log-reader-private.h: the log reader's parts, shared by its files.
 *
 *   sb-log-reader.c  the file: scanning its lines, then times, sides, events
 *   sb-log-line.c    one physical line: a record's stamp, name and body
 *   sb-log-stamp.c   stamps, file names, and the clock that turns times of
 *                    day into UTC
 *   sb-log-sides.c   who wrote each record
 *
 * Records point into the file's bytes; nothing is copied per line, and when
 * the events are made only a body that is not plain ASCII is (cleaned).
 */
#pragma once

#include "smileback/sb-log-reader.h"

#include <string.h>

G_BEGIN_DECLS

/* A backward jump of the time of day larger than this is the next day; a
 * smaller one is an out-of-order server timestamp (about half an hour). */
#define ROLLOVER_S (30 * 60)
#define DAY_S (24 * 60 * 60)

/* A stamp is short: "(05/07/2014 09:21:02 AM)" and translations of it. */
#define MAX_STAMP 64
/* A speaker name longer than this is not a name but a system line. */
#define MAX_NAME 128
/* TXT "/me" lines are matched against at most this many known names. */
#define MAX_KNOWN_NAMES 64

/* libpurple's HTML colours (html_logger_write in libpurple/log.c): sent and
 * received messages, auto-replies included, are in COLOUR_SENT / COLOUR_RECV;
 * "/me" lines of either side in COLOUR_ME; whispers in COLOUR_WHISPER. */
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

/* A stamp as written. */
typedef struct
{
  int tod;          /* seconds since midnight, markers applied */
  int hour;         /* the hour as written */
  gboolean marker;  /* it said AM or PM (or a translation) */
  gboolean dated;   /* it carries a date: time and date are taken as written */
} Stamp;

/* One record while the file is parsed: spans into the file's bytes. */
typedef struct
{
  gint64 time;        /* UTC, set by sb_log_clock_run() */
  const char *stamp;  /* the stamp's inside, re-read for dated stamps */
  gsize stamp_len;
  Stamp st;
  const char *name;   /* raw (still escaped in HTML), NULL for system and nameless lines */
  gsize name_len;
  const char *body;   /* up to body_end, continuation lines included */
  const char *body_end;
  SbEventKind kind;
  Side side;
  guint flags;
  gboolean me;        /* "/me" line: TXT names are split off the body later */
  gboolean body_open; /* the body runs to the end of the line (may continue) */
  const char *speaker; /* interned, set by sb_log_resolve_sides() */
} Record;

typedef struct
{
  const SbLogReaderOptions *opts;
  SbLogFile *file;
  gboolean html;
  GArray *records; /* Record */
  GString *buf;     /* a record's cleaned text, when not ASCII */
  GString *scratch; /* its normalized text */
} Parser;

/* ---- bytes (inline: the line scanner's inner loop) --------------------- */

static inline char
sb_log_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* TRUE when the @n bytes at @p are @lit in any case (libpurple writes them
 * in one case: bytes first). */
static inline gboolean
sb_log_same_ci (const char *p, const char *lit, gsize n)
{
  if (memcmp (p, lit, n) == 0)
    return TRUE;
  for (gsize i = 0; i < n; i++)
    if (sb_log_lower (p[i]) != sb_log_lower (lit[i]))
      return FALSE;
  return TRUE;
}

/* Skips the literal @lit at *@p, in any case. */
static inline gboolean
sb_log_eat_n (const char **p, const char *end, const char *lit, gsize n)
{
  if ((gsize) (end - *p) < n || !sb_log_same_ci (*p, lit, n))
    return FALSE;
  *p += n;
  return TRUE;
}
#define EAT(p, end, lit) sb_log_eat_n ((p), (end), (lit), sizeof (lit) - 1)

/* The first @lit in [@p, @end): memchr for its first byte, then memcmp (the
 * literals are a few bytes; memmem's set-up costs more than this). */
static inline const char *
sb_log_find_n (const char *p, const char *end, const char *lit, gsize n)
{
  if (p == NULL || end == NULL || p >= end || n == 0)
    return NULL;
  while ((gsize) (end - p) >= n)
    {
      const char *q = memchr (p, lit[0], end - p - n + 1);
      if (q == NULL)
        return NULL;
      if (memcmp (q + 1, lit + 1, n - 1) == 0)
        return q;
      p = q + 1;
    }
  return NULL;
}
#define FIND(p, end, lit) sb_log_find_n ((p), (end), (lit), sizeof (lit) - 1)

static inline gboolean
sb_log_ends_with (const char *p, const char *end, const char *lit, gsize n)
{
  return (gsize) (end - p) >= n && sb_log_same_ci (end - n, lit, n);
}
#define ENDS(p, end, lit) sb_log_ends_with ((p), (end), (lit), sizeof (lit) - 1)

static inline gboolean
sb_log_is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The last @lit in [@p, @end), or NULL. */
const char *sb_log_rfind (const char *p, const char *end, const char *lit, gsize n);

/* ---- text (sb-log-reader.c) -------------------------------------------- */

/* Appends @len bytes to @buf as valid UTF-8 without NULs (invalid bytes become
 * U+FFFD, NULs are dropped). */
void sb_log_append_clean (GString *buf, const char *p, gsize len);

/* Decodes the few entities g_markup_escape_text() writes, in place. */
void sb_log_decode_entities (GString *s);

/* ---- lines (sb-log-line.c) --------------------------------------------- */

/* TRUE when the line [@p, @end) opens a record (fills @r: stamp, name, body,
 * kind, and the side when the line's colour says it); FALSE for a
 * continuation, a header or a footer.  Times are set later. */
gboolean sb_log_parse_html_line (const char *p, const char *end, Record *r);
gboolean sb_log_parse_txt_line (const char *p, const char *end, Record *r);

/* A header line ("Conversation with ...", <html>) or an HTML footer. */
gboolean sb_log_is_header (const char *p, const char *end, gboolean html);
gboolean sb_log_is_footer (const char *p, const char *end);

/* Fills @file's title fields from a header line.  FALSE with
 * SB_LOG_READER_ERROR_SYSTEM for a system log. */
gboolean sb_log_parse_header (SbLogFile *file, const char *p, const char *end, GError **error);

/* Trims white space and libpurple's closing <br/> or <br> off a body. */
void sb_log_trim_body (const char **b, const char **e, gboolean html);

/* ---- stamps and the clock (sb-log-stamp.c) ------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
gint64 sb_log_days_from_civil (int y, int m, int d);

/* Reads a stamp's inside into @st.  FALSE when it is not a time. */
gboolean sb_log_read_stamp (const char *text, gsize len, Stamp *st);

/* Sets every record's UTC time: undated stamps advance a clock started at
 * the file's opening, in the user's zone (options->zone, NULL = local) when
 * that zone agrees with the file name's offset, else at that fixed offset;
 * a file whose stamps never say AM or PM but only ever run from 1 to 12 is
 * read as a 12-hour clock.  Dated stamps are taken as written and flagged
 * SB_EVENT_FLAG_BACKLOG. */
void sb_log_clock_run (Parser *ps);

/* ---- sides (sb-log-sides.c) -------------------------------------------- */

/* Decides who wrote each record: its colour, then the names the user and the
 * buddy go by (the options' and the header's), then the two-party rule. */
void sb_log_resolve_sides (Parser *ps);

G_END_DECLS
