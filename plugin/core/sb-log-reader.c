/* sb-log-reader.c: libpurple 2.x conversation logs (HTML and TXT) to SbEvents.
 *
 * One pass over the bytes (read by sb_log_file_read() in chunks: a line longer
 * than the options' max_line refuses the file before it is held whole), split
 * into physical lines with memchr; a line that starts like a libpurple record
 * ("(stamp) ..." in TXT, a <font>/<span> stamp wrapper in HTML: sb-log-line.c)
 * opens a record, any other line continues the body of the open one, so bodies
 * with raw newlines stay whole.  Records keep pointers into the bytes.  Then
 * the clock gives each record its UTC time (sb-log-stamp.c), the sides are
 * resolved (sb-log-sides.c), and only then is each body hashed as
 * sb_text_digest() hashes live messages: in the file's own bytes when they are
 * ASCII, from a cleaned copy otherwise.
 */
#include "sb-log-reader-private.h"
#include "sb-bytes-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (sb-log-reader-error-quark, sb_log_reader_error)

/* ---- text -------------------------------------------------------------- */

void
sb_log_append_clean (GString *buf, const char *p, gsize len)
{
  const char *end = p + len;
  gsize ascii = sb_bytes_ascii_prefix (p, len);
  g_string_append_len (buf, p, ascii);
  p += ascii;
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

void
sb_log_decode_entities (GString *s)
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

/* UTF-8 characters in @len bytes. */
static gsize
utf8_chars (const char *s, gsize len)
{
  gsize n = sb_bytes_ascii_prefix (s, len);
  for (gsize i = n; i < len; i++)
    n += ((guchar) s[i] & 0xC0) != 0x80;
  return n;
}

/* How many of the @len bytes at @s come before the first '<' or '&'. */
static gsize
markup_free_prefix (const char *s, gsize len)
{
  gsize i = 0;
  for (; i + 8 <= len; i += 8)
    {
      guint64 x = sb_bytes_load (s + i);
      if ((sb_bytes_equal (x, '<') | sb_bytes_equal (x, '&')) != 0)
        break;
    }
  while (i < len && s[i] != '<' && s[i] != '&')
    i++;
  return i;
}

/* A record's text as it is measured and hashed. */
typedef struct
{
  const char *p;
  gsize len;
  gboolean ascii;  /* no byte above 0x7F: one byte, one character */
  gboolean markup; /* HTML with a '<' or an '&': tags and entities to read */
} Text;

static gsize
text_chars (const Text *t, gsize from, gsize n)
{
  return t->ascii ? n : utf8_chars (t->p + from, n);
}

/* Characters a reader would see in @t: tags skipped and entities counted
 * once in markup; UTF-8 characters otherwise.  For sb_size_bucket(), which
 * is coarse: counted up to VISIBLE_ENOUGH. */
#define VISIBLE_ENOUGH 257
static gsize
visible_length (const Text *t)
{
  const char *s = t->p;
  gsize len = t->len;
  if (!t->markup)
    return text_chars (t, 0, len);
  gsize n = 0;
  for (gsize i = 0; i < len && n < VISIBLE_ENOUGH;)
    {
      gsize run = markup_free_prefix (s + i, len - i);
      n += text_chars (t, i, run);
      i += run;
      if (i >= len)
        break;
      const char *close = s[i] == '<' ? memchr (s + i, '>', len - i)
                                       : memchr (s + i, ';', MIN (len - i, 10));
      n += s[i] == '&' || close == NULL; /* an entity is one character, a lone '<' too */
      i = close != NULL ? (gsize) (close - s) + 1 : i + 1;
    }
  return n;
}

/* ---- events ------------------------------------------------------------ */

/* The text of @r's body [@b, @e): the file's own bytes when they are ASCII
 * without NULs (most lines), else a cleaned copy in ps->buf.  Without '<'
 * nor '&' HTML reads as plain text, and the digest's normalizer skips the
 * tests for tags and entities. */
static Text
record_text (Parser *ps, const Record *r, const char *b, const char *e)
{
  gboolean me = r->me && r->kind == SB_EVENT_MESSAGE;
  Text t = { b, e - b, !me && sb_bytes_is_ascii (b, e - b), FALSE };
  if (!t.ascii)
    {
      GString *buf = ps->buf;
      g_string_truncate (buf, 0);
      if (me)
        g_string_append (buf, "/me ");
      sb_log_append_clean (buf, b, e - b);
      t.p = buf->str;
      t.len = buf->len;
    }
  t.markup = ps->html && markup_free_prefix (t.p, t.len) < t.len;
  return t;
}

/* The event of @r into @ev: its digest and size from the body.  FALSE when
 * @r makes none. */
static gboolean
record_event (Parser *ps, Record *r, SbEvent *ev)
{
  const SbLogReaderOptions *o = ps->opts;
  if (r->time <= 0)
    return FALSE; /* before 1970 in UTC: no event can say so */
  const char *b = r->body, *e = r->body_end;
  sb_log_trim_body (&b, &e, ps->html);
  /* IRC CTCP (\001VERSION\001) is protocol noise, never a message */
  if (e > b && *b == '\001')
    r->kind = SB_EVENT_SYSTEM;

  Text text = record_text (ps, r, b, e);
  *ev = (SbEvent){
    .time = r->time,
    .direction = r->side == SIDE_OUT ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
    .kind = r->kind,
    .source = SB_SOURCE_IMPORT,
    .flags = r->flags,
    .size_bucket = sb_size_bucket (visible_length (&text)),
  };
  /* TXT holds the text libpurple showed, live capture hashes its HTML:
   * plain text is read as what its escaped HTML would show */
  if (o->secret != NULL && o->secret_len > 0)
    ev->digest
      = sb_text_digest_len (o->secret, o->secret_len, text.p, text.len, text.markup, ps->scratch);
  return TRUE;
}

/* The events of the records, with their speakers, written in place. */
static void
emit_events (Parser *ps)
{
  GArray *events = ps->file->events;
  GPtrArray *speakers = ps->file->speakers;
  g_array_set_size (events, ps->records->len);
  g_ptr_array_set_size (speakers, ps->records->len);
  guint n = 0;
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (!record_event (ps, r, &g_array_index (events, SbEvent, n)))
        continue;
      speakers->pdata[n++] = (gpointer) r->speaker;
    }
  g_array_set_size (events, n);
  g_ptr_array_set_size (speakers, n);
}

/* ---- scanning ---------------------------------------------------------- */

/* Where the scan stands: the records made so far (ps->records grows ahead
 * of them), the one whose body a continuation line extends (an index: the
 * records move as they grow). */
#define NO_RECORD G_MAXUINT
typedef struct
{
  guint used;
  guint open;
  gboolean header_seen;
} Scan;

/* Parses [@s, @e) into the next record of ps->records, kept when the line
 * opens one.  FALSE when it does not, or at the options' record limit
 * (*@stop). */
static gboolean
add_record (Parser *ps, Scan *sc, const char *s, const char *e, gboolean *stop)
{
  GArray *records = ps->records;
  guint n = sc->used;
  if (n == records->len)
    g_array_set_size (records, MAX (64u, 2 * n)); /* not zeroed: each record is, below */
  Record *r = &g_array_index (records, Record, n);
  *r = (Record){ 0 };
  if (!(ps->html ? sb_log_parse_html_line (s, e, r) : sb_log_parse_txt_line (s, e, r)))
    return FALSE;
  guint max = ps->opts->max_records;
  if (max > 0 && n >= max)
    {
      *stop = TRUE;
      return TRUE;
    }
  sc->used++;
  sc->open = r->body_open ? n : NO_RECORD;
  return TRUE;
}

/* One physical line [@s, @e) (@first: the file's first).  FALSE on a file
 * that is no conversation (a system log), or at the options' record limit
 * (*@stop). */
static gboolean
scan_line (Parser *ps, Scan *sc, const char *s, const char *e, gboolean first, gboolean *stop,
           GError **error)
{
  SbLogFile *file = ps->file;
  if (add_record (ps, sc, s, e, stop))
    return TRUE;
  if (sb_log_is_header (s, e, ps->html) || (first && FIND (s, e, "Conversation with ") != NULL))
    {
      if (!sb_log_parse_header (file, s, e, error))
        return FALSE;
      sc->header_seen = TRUE;
      sc->open = NO_RECORD;
    }
  else if (ps->html && sb_log_is_footer (s, e))
    {
      file->complete = TRUE;
      sc->open = NO_RECORD;
    }
  else if (sc->open != NO_RECORD)
    g_array_index (ps->records, Record, sc->open).body_end = e; /* a continuation line */
  else if (s < e)
    file->n_unparsed++;
  return TRUE;
}

/* @options, or every option at its default when NULL. */
static const SbLogReaderOptions *
options_or_none (const SbLogReaderOptions *options)
{
  static const SbLogReaderOptions none = { 0 };
  return options != NULL ? options : &none;
}

static gsize
max_line (const SbLogReaderOptions *o)
{
  return o->max_line > 0 ? o->max_line : SB_LOG_READER_MAX_LINE;
}

static void
set_too_long_error (const SbLogReaderOptions *o, GError **error)
{
  g_autofree char *size = g_format_size_full (max_line (o), G_FORMAT_SIZE_IEC_UNITS);
  g_set_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_TOO_LONG,
               /* TRANSLATORS: why a log file was not read; %s is a size ("16.0 MiB") */
               _("a line longer than %s: not a log as libpurple writes them"), size);
}

/* Splits [@data, @end) into lines (LF, CRLF, stray CRs and leading blanks
 * and NULs trimmed) and scans each. */
static gboolean
scan_lines (Parser *ps, const char *data, const char *end, gboolean *header_seen, GError **error)
{
  Scan sc = { 0, NO_RECORD, FALSE };
  gboolean stop = FALSE;
  for (const char *p = data; p < end && !stop;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      if ((gsize) (line_end - p) > max_line (ps->opts))
        {
          set_too_long_error (ps->opts, error);
          return FALSE;
        }
      const char *e = line_end;
      while (e > p && e[-1] == '\r')
        e--;
      const char *s = p;
      while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\0'))
        s++;
      if (!scan_line (ps, &sc, s, e, p == data, &stop, error))
        return FALSE;
      p = nl != NULL ? nl + 1 : end;
    }
  g_array_set_size (ps->records, sc.used);
  *header_seen = sc.header_seen;
  return TRUE;
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

/* A new file with what its name says; NULL when the name is no log's. */
static SbLogFile *
file_from_name (const char *basename, GTimeZone *zone, GError **error)
{
  gint64 start;
  int offset;
  gboolean has_offset;
  SbLogFormat format;
  if (!sb_log_parse_file_name (basename, zone, &start, &offset, &has_offset, &format, error))
    return NULL;
  SbLogFile *file = log_file_new ();
  file->format = format;
  file->start = start;
  file->utc_offset = offset;
  file->has_offset = has_offset;
  return file;
}

/* Why a file with no record is not read. */
static void
set_no_record_error (const SbLogFile *file, gboolean header_seen, GError **error)
{
  if (header_seen && file->n_unparsed == 0)
    g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_EMPTY,
                         "a header without a single line");
  else
    g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_FORMAT,
                         "no line written by libpurple");
}

SbLogFile *
sb_log_file_parse (const char *basename, const char *data, gsize len,
                   const SbLogReaderOptions *options, GError **error)
{
  g_return_val_if_fail (basename != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  const SbLogReaderOptions *o = options_or_none (options);

  g_autoptr (SbLogFile) file = file_from_name (basename, o->zone, error);
  if (file == NULL)
    return NULL;
  /* a crash can leave NUL blocks at the end of a file */
  while (len > 0 && (data[len - 1] == '\0' || sb_log_is_space (data[len - 1])))
    len--;
  if (len == 0)
    {
      g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_EMPTY, "empty file");
      return NULL;
    }

  g_autoptr (GArray) records = g_array_sized_new (FALSE, FALSE, sizeof (Record), 64);
  g_autoptr (GString) buf = g_string_sized_new (256);
  g_autoptr (GString) scratch = g_string_sized_new (256);
  Parser ps = { o, file, file->format == SB_LOG_FORMAT_HTML, records, buf, scratch };
  gboolean header_seen = FALSE;
  if (!scan_lines (&ps, data, data + len, &header_seen, error))
    return NULL;
  if (records->len == 0)
    {
      set_no_record_error (file, header_seen, error);
      return NULL;
    }

  sb_log_clock_run (&ps);
  sb_log_resolve_sides (&ps);
  emit_events (&ps);
  if (file->events->len == 0)
    {
      g_set_error_literal (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_EMPTY,
                           "no line with a usable time");
      return NULL;
    }
  return g_steal_pointer (&file);
}

/* ---- reading ----------------------------------------------------------- */

/* Reads are at most this large, so a file of one endless line is refused
 * after max_line bytes and one chunk, never held whole. */
#define READ_CHUNK (1024 * 1024)

static void
set_io_error (const char *what, const char *path, int errsv, GError **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_set_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_IO, what, display,
               g_strerror (errsv));
}

/* Where the unfinished line of @buf ends up starting once the bytes
 * [@from, @to) are added: after their last newline, else at @line_start. */
static gsize
unfinished_line (const char *buf, gsize from, gsize to, gsize line_start)
{
  for (gsize i = to; i > from; i--)
    if (buf[i - 1] == '\n')
      return i;
  return line_start;
}

/* The open file @fd, whole into *@data (NUL-terminated, caller frees) of
 * *@len bytes: its @size bytes (as g_file_get_contents() reads a regular
 * file), or up to its end when @size is 0.  FALSE at a line longer than
 * max_line, or on a read error. */
static gboolean
read_fd (int fd, const char *path, gsize size, const SbLogReaderOptions *o, char **data,
         gsize *len, GError **error)
{
  /* room for the expected bytes, a read that finds the end, and a NUL */
  gsize expected = size > 0 ? size : READ_CHUNK;
  gsize cap = MIN (expected, max_line (o) + READ_CHUNK) + 2, n = 0, line_start = 0;
  g_autofree char *buf = g_malloc (cap);
  for (gssize got = 1; got != 0 && (size == 0 || n < size);)
    {
      if (cap - n < 2)
        buf = g_realloc (buf, cap *= 2);
      got = read (fd, buf + n, MIN (cap - n - 1, (gsize) READ_CHUNK));
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          /* TRANSLATORS: "Cannot read “FILE”: Is a directory" */
          set_io_error (_("Cannot read “%s”: %s"), path, errno, error);
          return FALSE;
        }
      line_start = unfinished_line (buf, n, n + got, line_start);
      n += got;
      if (n - line_start > max_line (o))
        {
          set_too_long_error (o, error);
          return FALSE;
        }
    }
  buf[n] = '\0';
  *len = n;
  *data = g_steal_pointer (&buf);
  return TRUE;
}

gboolean
sb_log_read_bytes (const char *path, const SbLogReaderOptions *options, char **data, gsize *len,
                   GError **error)
{
  g_return_val_if_fail (path != NULL && data != NULL && len != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  const SbLogReaderOptions *o = options_or_none (options);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      /* TRANSLATORS: "Cannot open “FILE”: No such file or directory" */
      set_io_error (_("Cannot open “%s”: %s"), path, errno, error);
      return FALSE;
    }
  GStatBuf st;
  gboolean regular = fstat (fd, &st) == 0 && S_ISREG (st.st_mode);
  gboolean ok = read_fd (fd, path, regular ? (gsize) st.st_size : 0, o, data, len, error);
  g_close (fd, NULL);
  return ok;
}

SbLogFile *
sb_log_file_read (const char *path, const SbLogReaderOptions *options, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  const SbLogReaderOptions *o = options_or_none (options);
  g_autofree char *basename = g_path_get_basename (path);
  if (!sb_log_parse_file_name (basename, o->zone, NULL, NULL, NULL, NULL, error))
    return NULL;

  /* read, not mapped: logs are small, and unmapping each costs more than
   * copying it */
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!sb_log_read_bytes (path, o, &data, &len, error))
    return NULL;
  return sb_log_file_parse (basename, data, len, o, error);
}
