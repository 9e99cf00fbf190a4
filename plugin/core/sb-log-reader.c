/* sb-log-reader.c: libpurple 2.x conversation logs (HTML and TXT) to SbEvents.
 *
 * One pass over the bytes (read by sb_log_file_read()), split into physical
 * lines with memchr; a line that starts like a libpurple record ("(stamp) ..."
 * in TXT, a <font>/<span> stamp wrapper in HTML: sb-log-line.c) opens a
 * record, any other line continues the body of the open one, so bodies with
 * raw newlines stay whole.  Records keep pointers into the bytes.  Then the
 * clock gives each record its UTC time (sb-log-stamp.c), the sides are
 * resolved (sb-log-sides.c), and only then is each body hashed with
 * sb_text_digest(), the way live capture does.
 */
#include "sb-log-reader-private.h"

G_DEFINE_QUARK (sb-log-reader-error-quark, sb_log_reader_error)

/* ---- text -------------------------------------------------------------- */

/* How many bytes at @p are ASCII without NUL: eight at a time. */
static gsize
plain_ascii_prefix (const char *p, gsize len)
{
  const guint64 high = G_GUINT64_CONSTANT (0x8080808080808080);
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  gsize i = 0;
  for (; i + 8 <= len; i += 8)
    {
      guint64 x;
      memcpy (&x, p + i, 8);
      if ((x & high) != 0 || ((x - ones) & ~x & high) != 0)
        break;
    }
  while (i < len && (guchar) p[i] - 1u < 0x7fu)
    i++;
  return i;
}

void
sb_log_append_clean (GString *buf, const char *p, gsize len)
{
  const char *end = p + len;
  gsize ascii = plain_ascii_prefix (p, len);
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
  gsize n = plain_ascii_prefix (s, len);
  for (gsize i = n; i < len; i++)
    n += ((guchar) s[i] & 0xC0) != 0x80;
  return n;
}

/* Characters a reader would see in @s (NUL-terminated at @len): tags skipped
 * and entities counted once in HTML; UTF-8 characters otherwise.  For
 * sb_size_bucket(), which is coarse: counted up to VISIBLE_ENOUGH. */
#define VISIBLE_ENOUGH 257
static gsize
visible_length (const char *s, gsize len, gboolean html)
{
  if (!html)
    return utf8_chars (s, len);
  gsize n = 0;
  for (gsize i = 0; i < len && n < VISIBLE_ENOUGH;)
    {
      gsize run = MIN (strcspn (s + i, "<&"), len - i);
      n += utf8_chars (s + i, run);
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

/* Digest and size of each record, then the events. */
static void
emit_events (Parser *ps)
{
  const SbLogReaderOptions *o = ps->opts;
  GString *buf = ps->buf;
  /* one allocation each, sized for every record */
  g_array_set_size (ps->file->events, ps->records->len);
  g_array_set_size (ps->file->events, 0);
  g_ptr_array_set_size (ps->file->speakers, ps->records->len);
  g_ptr_array_set_size (ps->file->speakers, 0);
  for (guint i = 0; i < ps->records->len; i++)
    {
      Record *r = &g_array_index (ps->records, Record, i);
      if (r->time <= 0)
        continue; /* before 1970 in UTC: no event can say so */
      const char *b = r->body, *e = r->body_end;
      sb_log_trim_body (&b, &e, ps->html);
      /* IRC CTCP (\001VERSION\001) is protocol noise, never a message */
      if (e > b && *b == '\001')
        r->kind = SB_EVENT_SYSTEM;

      g_string_truncate (buf, 0);
      if (r->me && r->kind == SB_EVENT_MESSAGE)
        g_string_append (buf, "/me ");
      sb_log_append_clean (buf, b, e - b);

      SbEvent ev = { 0 };
      ev.time = r->time;
      ev.direction = r->side == SIDE_OUT ? SB_DIRECTION_OUT : SB_DIRECTION_IN;
      ev.kind = r->kind;
      ev.source = SB_SOURCE_IMPORT;
      ev.flags = r->flags;
      ev.size_bucket = sb_size_bucket (visible_length (buf->str, buf->len, ps->html));
      /* TXT holds the text libpurple showed, live capture hashes its HTML:
       * plain text is read as what its escaped HTML would show */
      if (o->secret != NULL && o->secret_len > 0)
        ev.digest = sb_text_digest_len (o->secret, o->secret_len, buf->str, buf->len, ps->html,
                                        ps->scratch);
      g_array_append_val (ps->file->events, ev);
      g_ptr_array_add (ps->file->speakers, (gpointer) r->speaker);
    }
}

/* ---- scanning ---------------------------------------------------------- */

/* Where the scan stands: the record whose body a continuation line extends. */
typedef struct
{
  Record *open;
  gboolean header_seen;
} Scan;

/* One physical line [@s, @e) (@first: the file's first).  FALSE on a file
 * that is no conversation (a system log), or at the options' record limit
 * (*@stop). */
static gboolean
scan_line (Parser *ps, Scan *sc, const char *s, const char *e, gboolean first, gboolean *stop,
           GError **error)
{
  SbLogFile *file = ps->file;
  Record r = { 0 };
  if (ps->html ? sb_log_parse_html_line (s, e, &r) : sb_log_parse_txt_line (s, e, &r))
    {
      guint max = ps->opts->max_records;
      if (max > 0 && ps->records->len >= max)
        {
          *stop = TRUE;
          return TRUE;
        }
      g_array_append_val (ps->records, r);
      Record *added = &g_array_index (ps->records, Record, ps->records->len - 1);
      sc->open = added->body_open ? added : NULL;
    }
  else if (sb_log_is_header (s, e, ps->html) || (first && FIND (s, e, "Conversation with ") != NULL))
    {
      if (!sb_log_parse_header (file, s, e, error))
        return FALSE;
      sc->header_seen = TRUE;
      sc->open = NULL;
    }
  else if (ps->html && sb_log_is_footer (s, e))
    {
      file->complete = TRUE;
      sc->open = NULL;
    }
  else if (sc->open != NULL)
    sc->open->body_end = e; /* a continuation line */
  else if (s < e)
    file->n_unparsed++;
  return TRUE;
}

/* Splits [@data, @end) into lines (LF, CRLF, stray CRs and leading blanks
 * and NULs trimmed) and scans each. */
static gboolean
scan_lines (Parser *ps, const char *data, const char *end, gboolean *header_seen, GError **error)
{
  Scan sc = { NULL, FALSE };
  gboolean stop = FALSE;
  for (const char *p = data; p < end && !stop;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
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
  static const SbLogReaderOptions no_options = { 0 };
  g_return_val_if_fail (basename != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  const SbLogReaderOptions *o = options != NULL ? options : &no_options;

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

  g_autoptr (GArray) records = g_array_sized_new (FALSE, TRUE, sizeof (Record), 64);
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

SbLogFile *
sb_log_file_read (const char *path, const SbLogReaderOptions *options, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_autofree char *basename = g_path_get_basename (path);
  if (!sb_log_parse_file_name (basename, options != NULL ? options->zone : NULL, NULL, NULL, NULL,
                               NULL, error))
    return NULL;

  /* read, not mapped: logs are small, and unmapping each costs more than
   * copying it */
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local_error = NULL;
  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      g_set_error (error, SB_LOG_READER_ERROR, SB_LOG_READER_ERROR_IO, "%s",
                   local_error->message);
      return NULL;
    }
  return sb_log_file_parse (basename, data, len, options, error);
}
