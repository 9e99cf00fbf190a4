/* sb-log-reader.h: reads one conversation log written by libpurple 2.x.
 *
 * Pidgin and Finch write one file per conversation window under
 * logs/<prpl>/<account>/<buddy>/, named "%Y-%m-%d.%H%M%S%z%Z.html" (or .txt):
 * the local time the window opened, with its UTC offset.  Lines carry only the
 * time of day (locale-dependent, 12 or 24 hours); a date is added only to
 * messages older than 20 minutes when written; a new day is never marked.
 * This reader turns such a file into SbEvent values (UTC times, direction,
 * kind, size bucket, digest), and never keeps the text.
 *
 * It takes what real logs contain: HTML before 2.14 (<font>) and after (<span>),
 * TXT, several locales, 12/24 h clocks, day rollovers, dated stamps, auto-replies
 * in any language, /me, system and error lines, bodies running over several
 * lines, CRLF and stray CRs, invalid UTF-8, NUL padding, a missing footer, empty
 * and one-line files.  A file it cannot use gets a GError in
 * SB_LOG_READER_ERROR saying why; it never crashes on any input (fuzzed: see
 * tests/fuzz/).
 *
 * Pure: GLib only.
 */
#pragma once

/* The Pidgin plugin reaches history only through core-smileback's IPC
 * (docs/design.md, "Layers"): its target defines SB_PIDGIN_LAYER. */
#ifdef SB_PIDGIN_LAYER
#error "sb-log-reader.h is the log reader, which lives in core-smileback: gtk-smileback uses smileback-purple/sb-ipc.h"
#endif

#include <glib.h>
#include "sb-event.h"

G_BEGIN_DECLS

#define SB_LOG_READER_ERROR (sb_log_reader_error_quark ())
GQuark sb_log_reader_error_quark (void);

/* Why a file was not read.  Each is a per-file skip reason for the importer. */
typedef enum
{
  SB_LOG_READER_ERROR_NAME,   /* the file name is not "<date>.<time>...(.html|.txt)" */
  SB_LOG_READER_ERROR_IO,     /* could not be opened or read */
  SB_LOG_READER_ERROR_EMPTY,  /* empty, or a header without a single line */
  SB_LOG_READER_ERROR_SYSTEM, /* a system log (sign-ons), not a conversation */
  SB_LOG_READER_ERROR_FORMAT, /* no line looks like libpurple's: not a log */
  SB_LOG_READER_ERROR_TOO_LONG, /* a line longer than the options' max_line */
  SB_LOG_READER_ERROR_LAST
} SbLogReaderError;

/* The longest line read: libpurple ends every message with a newline, and
 * no protocol carries a message near this size, so a longer line is a file
 * that lost its newlines or is no log.  Such a file is refused before it is
 * read whole. */
#define SB_LOG_READER_MAX_LINE (16 * 1024 * 1024)

typedef enum
{
  SB_LOG_FORMAT_HTML = 0,
  SB_LOG_FORMAT_TXT = 1,
} SbLogFormat;

/* What the caller knows that the file does not say.  Zero-initialise, then set
 * what applies; every field is optional except where noted. */
typedef struct
{
  /* The profile secret for sb_text_digest() (sb_ledger_get_secret()).  NULL
   * gives digest 0 and skips the hashing: enough to collect speaker names. */
  const guint8 *secret;
  gsize secret_len;
  /* NULL-terminated names the user goes by on this account (account name, its
   * local part, aliases), compared case-insensitively.  They decide the side of
   * TXT lines and of HTML /me lines of names never seen in colour. */
  const char *const *own_names;
  /* The buddy's name (the folder name), also compared case-insensitively, with
   * and without its "@domain". */
  const char *peer;
  /* NULL-terminated other names the buddy goes by (aliases from blist.xml),
   * compared like @peer.  The header's "Conversation with X" and "on ACCOUNT"
   * are used as well, as the buddy's and the user's. */
  const char *const *peer_names;
  /* The user's time zone; NULL = local.  It gives the offset of old file
   * names that carry none, and, when it agrees with a file name's offset at
   * the file's start, the offset of each later line (a file crossing a
   * daylight-saving change).  Otherwise the name's offset holds throughout. */
  GTimeZone *zone;
  /* Stop after this many records (0 = all): a quick look for speaker names. */
  guint max_records;
  /* A group chat log: many parties, so names of unknown side are others
   * (never turned into system lines by the two-party rule). */
  gboolean chat;
  /* Refuse a file with a line longer than this many bytes, with
   * SB_LOG_READER_ERROR_TOO_LONG (0 = SB_LOG_READER_MAX_LINE). */
  gsize max_line;
} SbLogReaderOptions;

/* One parsed file.  events[i] was said by speakers[i] (NULL for system lines
 * and for messages written without a name, whose side the colour or the
 * format gave),
 * in file order (not sorted: dated stamps and server clocks go backwards). */
typedef struct
{
  SbLogFormat format;
  gint64 start;        /* UTC seconds of the file name's date and time */
  int utc_offset;      /* seconds east of UTC when the window opened */
  gboolean has_offset; /* FALSE when the name had none and @zone was used */
  char *title_name;    /* X of "Conversation with X at ...", NULL without header */
  char *title_account; /* the account as in the header (may carry a resource) */
  char *title_protocol; /* the icon name in parentheses ("jabber") */
  GArray *events;      /* SbEvent, source SB_SOURCE_IMPORT */
  GPtrArray *speakers; /* const char *, borrowed from the file, NULL-able; parallel to events */
  GPtrArray *own_seen; /* const char *: names written in the "sent" colour (HTML) */
  guint n_guessed;     /* messages whose side had to be guessed (unknown TXT names) */
  guint n_unparsed;    /* lines that were neither a record, a continuation nor a header */
  gboolean complete;   /* the HTML footer was there (Pidgin closed the log cleanly) */
  /*< private >*/
  GStringChunk *names;
} SbLogFile;

/* Parses the file name alone: @basename like "2010-06-04.153012-0400EDT.html".
 * Sets *@start (UTC), *@utc_offset, *@has_offset and *@format (each may be
 * NULL).  Without an offset in the name, @zone (NULL = local) decides.  FALSE
 * with SB_LOG_READER_ERROR_NAME when the name is not a libpurple log name. */
gboolean sb_log_parse_file_name (const char *basename, GTimeZone *zone, gint64 *start,
                                 int *utc_offset, gboolean *has_offset, SbLogFormat *format,
                                 GError **error);

/* Reads and parses the log at @path (read whole, never modified; a line
 * longer than the options' max_line stops the reading).  @options may be
 * NULL.  Returns a new SbLogFile (free with sb_log_file_free()) or NULL
 * with @error in SB_LOG_READER_ERROR. */
SbLogFile *sb_log_file_read (const char *path, const SbLogReaderOptions *options,
                             GError **error);

/* The bytes of the log at @path, as sb_log_file_read() reads them, into
 * *@data (NUL-terminated after *@len bytes; caller frees).  FALSE with
 * SB_LOG_READER_ERROR_IO, or SB_LOG_READER_ERROR_TOO_LONG at a line longer
 * than the options' max_line (@options may be NULL). */
gboolean sb_log_read_bytes (const char *path, const SbLogReaderOptions *options, char **data,
                            gsize *len, GError **error);

/* Same on bytes already in memory: @basename gives the date and the format,
 * @data of @len bytes need not be NUL-terminated nor valid UTF-8.  Never reads
 * outside @data. */
SbLogFile *sb_log_file_parse (const char *basename, const char *data, gsize len,
                              const SbLogReaderOptions *options, GError **error);

/* NULL-safe. */
void sb_log_file_free (SbLogFile *file);

/* Parses a stamp's inside ("09:21:02 PM", "23:04:42", "05/07/2014 09:21:02 AM",
 * "2014-05-07 23:04:42", "9.21.02"): sets *@tod to seconds since midnight and,
 * when the stamp carries a date, *@has_date and *@year/@month/@day, choosing
 * among day-month-year, month-day-year and year-month-day the valid reading
 * nearest to (and preferably not after) @ref_day (days since 1970-01-01).
 * FALSE when it is not a time.  Exposed for tests. */
gboolean sb_log_parse_stamp (const char *text, gsize len, gint64 ref_day, int *tod,
                             gboolean *has_date, int *year, int *month, int *day);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbLogFile, sb_log_file_free)

G_END_DECLS
