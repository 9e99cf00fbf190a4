/* sb-cli-export.c: `smileback export [OUTFILE]`: every table of metadata as
 * one JSON object, to OUTFILE (created with mode 0600, written under a
 * temporary name and renamed, so it appears whole or not at all) or stdout.
 *
 *   { "format": "smileback-export", "version": 1, "schema": 6,
 *     "exported_at": "2024-05-01T10:00:00Z",
 *     "buddies": [ {"protocol": ..., "account": ..., "buddy": ..., "tracked": 1}, ... ],
 *     "events": [...], "episodes": [...], "summaries": [...], "chat_events": [...],
 *     "prompt_state": [...], "prompt_log": [...], "pairs": [...],
 *     "rooms": [ {"protocol": ..., "account": ..., "room": ...}, ... ],
 *     "room_lines": [ {"protocol": ..., "account": ..., "room": ..., "time": ...,
 *                      "speaker": "bob@example.org" or null for the user,
 *                      "parent_time": ... or null, "parent_speaker": ..., "confident": 1,
 *                      "source": 0}, ... ] }
 *
 * Each row names its buddy by key, each room line its room by key and its
 * speakers by member key.  Never in it: the profile's secret, and the events'
 * and room lines' digests (keyed hashes of the texts: they reveal nothing without
 * the secret but mean nothing on another machine, so the safe choice is to
 * leave them out); there is no text to leave out, none is stored.  The rows
 * are read in one read transaction on a read-only connection, so the export
 * is consistent while Pidgin writes.
 */
#include "sb-cli-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <smileback/sb-dbfile.h>
#include <stdio.h>
#include <unistd.h>

#define EXPORT_VERSION 1

typedef struct
{
  FILE *out;
  gboolean first;
} Writer;

/* One row as a JSON object on its own line. */
static void
write_row (const SbDbFileValue *values, guint n_values, gpointer user_data)
{
  Writer *writer = user_data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  for (guint i = 0; i < n_values; i++)
    {
      json_builder_set_member_name (builder, values[i].name);
      if (values[i].null)
        json_builder_add_null_value (builder);
      else if (values[i].text != NULL)
        json_builder_add_string_value (builder, values[i].text);
      else
        json_builder_add_int_value (builder, values[i].number);
    }
  json_builder_end_object (builder);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);
  fprintf (writer->out, "%s\n    %s", writer->first ? "" : ",", text);
  writer->first = FALSE;
}

static gboolean
write_export (SbDbFile *file, FILE *out, GError **error)
{
  g_autofree char *now = sb_cli_iso8601 (g_get_real_time () / G_USEC_PER_SEC);
  fprintf (out, "{\n  \"format\": \"smileback-export\",\n  \"version\": %d,\n"
                "  \"schema\": %d,\n  \"exported_at\": \"%s\"",
           EXPORT_VERSION, sb_dbfile_get_schema_version (file), now);
  if (!sb_dbfile_begin (file, error))
    return FALSE;
  gboolean ok = TRUE;
  for (SbDbFileTable t = 0; ok && t < SB_DBFILE_TABLE_LAST; t++)
    {
      Writer writer = { out, TRUE };
      fprintf (out, ",\n  \"%s\": [", sb_dbfile_table_name (t));
      ok = sb_dbfile_foreach_row (file, t, write_row, &writer, error);
      fprintf (out, "%s]", writer.first ? "" : "\n  ");
    }
  sb_dbfile_end (file);
  fprintf (out, "\n}\n");
  return ok;
}

static gboolean
set_errno_error (const char *path, int saved, GError **error)
{
  /* TRANSLATORS: a file, then the system's reason */
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("cannot write %s: %s"),
               path, g_strerror (saved));
  return FALSE;
}

/* Flushes, syncs and closes @out; FALSE with @error. */
static gboolean
close_synced (FILE *out, const char *path, GError **error)
{
  gboolean ok = fflush (out) == 0 && !ferror (out) && fsync (fileno (out)) == 0;
  int saved = errno;
  if (fclose (out) != 0 && ok)
    {
      ok = FALSE;
      saved = errno;
    }
  return ok || set_errno_error (path, saved, error);
}

/* Writes the export to @path: a 0600 temporary file beside it, synced, then
 * renamed over it. */
static gboolean
export_to_file (SbDbFile *file, const char *path, GError **error)
{
  g_autofree char *temp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (temp, O_WRONLY, 0600);
  FILE *out = fd >= 0 ? fdopen (fd, "w") : NULL;
  if (out == NULL)
    {
      int saved = errno;
      if (fd >= 0)
        {
          close (fd);
          (void) g_unlink (temp);
        }
      return set_errno_error (path, saved, error);
    }
  gboolean ok = write_export (file, out, error) ? close_synced (out, path, error)
                                                 : (fclose (out), FALSE);
  if (ok && g_rename (temp, path) != 0)
    ok = set_errno_error (path, errno, error);
  if (!ok)
    (void) g_unlink (temp);
  return ok;
}

int
sb_cli_export (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  const GOptionEntry entries[] = { SB_CLI_DB_OPTION (db_option), { NULL } };
  if (!sb_cli_parse_options (&argc, &argv, _("[OUTFILE]"), _(SB_CLI_EXPORT_SUMMARY), entries, 1))
    return 2;

  g_autofree char *db = sb_cli_db_path (db_option);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbDbFile) file = sb_dbfile_open (db, &error);
  gboolean ok = file != NULL && sb_dbfile_check_usable (file, &error)
                && (argc == 2 ? export_to_file (file, argv[1], &error)
                              : write_export (file, stdout, &error));
  if (!ok)
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  return 0;
}
