/* libFuzzer target for the libpurple log reader (plugin/core/sb-log-*.c).
 *
 * Input: one flags byte, then the file's bytes.  Flags: bit 0 TXT (else
 * HTML), bit 1 a group chat, bit 2 the user has own names and the buddy
 * aliases, bit 3 the first line (up to 64 bytes) is the file name instead of
 * a fixed valid one, bit 4 the user's zone has daylight saving
 * (Europe/Berlin, else UTC).  The
 * seed corpus is written by test-log-reader from its fixtures (see README.md).
 * Any input must parse or fail with a GError, never crash or leak.
 */
#include <smileback/sb-log-reader.h>

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const guint8 secret[32] = "fuzz-secret-fuzz-secret-fuzz-se";
  static const char *const own[] = { "Me", "me@example.org", NULL };
  static const char *const aliases[] = { "Bobby", "Bob B.", NULL };
  if (size < 1)
    return 0;
  guint8 flags = data[0];
  const char *bytes = (const char *) data + 1;
  gsize len = size - 1;

  g_autofree char *name = g_strdup ((flags & 1) != 0 ? "2010-06-04.153012-0400EDT.txt"
                                                     : "2010-06-04.153012-0400EDT.html");
  if ((flags & 8) != 0)
    {
      const char *nl = memchr (bytes, '\n', MIN (len, 64));
      if (nl != NULL)
        {
          g_free (name);
          name = g_strndup (bytes, nl - bytes);
          len -= nl + 1 - bytes;
          bytes = nl + 1;
        }
    }

  /* a copy of exactly @len bytes, so ASan sees any read past the end */
  g_autofree char *copy = g_memdup2 (bytes, len);
  g_autoptr (GTimeZone) zone = (flags & 16) != 0 ? g_time_zone_new_identifier ("Europe/Berlin")
                                                  : g_time_zone_new_utc ();
  SbLogReaderOptions options = {
    .secret = secret,
    .secret_len = sizeof secret,
    .own_names = (flags & 4) != 0 ? own : NULL,
    .peer_names = (flags & 4) != 0 ? aliases : NULL,
    .peer = "bob@example.org",
    .zone = zone,
    .chat = (flags & 2) != 0,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SbLogFile) file = sb_log_file_parse (name, copy != NULL ? copy : "", len, &options,
                                                  &error);
  g_assert ((file == NULL) != (error == NULL));
  if (file != NULL)
    g_assert_cmpuint (file->events->len, ==, file->speakers->len);

  int tod;
  gboolean dated;
  int y, m, d;
  (void) sb_log_parse_stamp (copy != NULL ? copy : "", MIN (len, 64), 16000, &tod, &dated, &y,
                             &m, &d);
  return 0;
}
