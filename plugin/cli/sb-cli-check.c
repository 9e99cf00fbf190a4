/* sb-cli-check.c: `smileback check`: is the history sound?  Integrity
 * (PRAGMA quick_check, or integrity_check with --full), the schema version
 * against the one this build writes, the counts of buddies, events,
 * conversations, group-chat observations and room lines, and the damaged
 * copies the store moved aside ("smileback.db.corrupt-TIME").
 *
 * Read-only, on its own connection: it works while Pidgin has the file open
 * and never changes it.  Exit status 1 when the file is damaged, not Smile
 * Back's, or too new for this build.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-dbfile.h>
#include <stdio.h>

static void
print_field (const char *label, const char *value)
{
  g_autofree char *padded = sb_cli_fit (label, 20, SB_CLI_CUT_END, FALSE);
  printf ("%s %s\n", padded, value);
}

/* "5 (current)", "3 (older: upgraded when next opened)", ...; sets *@usable. */
static char *
describe_schema (int version, gboolean *usable)
{
  *usable = version >= 1 && version <= SB_STORE_SCHEMA_VERSION;
  if (version < 1)
    return g_strdup (_("none: not a Smile Back database"));
  if (version > SB_STORE_SCHEMA_VERSION)
    /* TRANSLATORS: the file's schema version, then this build's */
    return g_strdup_printf (_("%d, newer than this version knows (%d): it will not be opened"),
                            version, SB_STORE_SCHEMA_VERSION);
  if (version < SB_STORE_SCHEMA_VERSION)
    return g_strdup_printf (_("%d, older: upgraded to %d when next opened"), version,
                            SB_STORE_SCHEMA_VERSION);
  return g_strdup_printf (_("%d (current)"), version);
}

static void
print_counts (const SbDbFileCounts *counts)
{
  const struct
  {
    const char *label;
    gint64 value;
  } lines[] = {
    { _("Buddies:"), counts->buddies },
    { _("Events:"), counts->events },
    { _("Conversations:"), counts->episodes },
    { _("Group chat events:"), counts->chat_events },
    { _("Room lines:"), counts->room_lines },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, lines[i].value);
      print_field (lines[i].label, value);
    }
}

/* Lists the copies moved aside; "nothing" when there are none, unless @quiet. */
static void
print_moved_aside (const char *db, gboolean quiet)
{
  g_auto (GStrv) moved = sb_dbfile_find_moved_aside (db);
  for (int i = 0; moved[i] != NULL; i++)
    print_field (i == 0 ? _("Moved aside:") : "", moved[i]);
  if (moved[0] == NULL && !quiet)
    print_field (_("Moved aside:"), _("nothing"));
}

/* Says so when a -wal lies beside the missing database @db: changes that
 * never reached it, which SQLite would delete with a new database. */
static void
tell_orphan_wal (const char *db)
{
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  if (!g_file_test (db, G_FILE_TEST_EXISTS) && g_file_test (wal, G_FILE_TEST_IS_REGULAR))
    /* TRANSLATORS: %s is a file, the log of changes of a database that is gone */
    sb_cli_error (_("%s, the log of changes of that database, is there without it: Smile Back "
                    "sets it aside (never deletes it) when Pidgin or Finch next starts"),
                  wal);
}

/* Prints the check of @file; TRUE when it is sound and usable. */
static gboolean
check (SbDbFile *file, gboolean full, GError **error)
{
  g_autofree char *problem = NULL;
  if (!sb_dbfile_check_integrity (file, full, &problem, error))
    return FALSE;
  print_field (_("Database:"), sb_dbfile_get_path (file));
  g_autofree char *damage = problem != NULL ? g_strdup_printf (_("damaged: %s"), problem) : NULL;
  print_field (_("Integrity:"), damage != NULL ? damage : _("ok"));
  gboolean usable = FALSE;
  g_autofree char *schema = describe_schema (sb_dbfile_get_schema_version (file), &usable);
  print_field (_("Schema:"), schema);
  SbDbFileCounts counts;
  g_autoptr (GError) count_error = NULL;
  if (problem == NULL && usable && sb_dbfile_count (file, &counts, &count_error))
    print_counts (&counts);
  else if (count_error != NULL)
    print_field (_("Counts:"), count_error->message);
  print_moved_aside (sb_dbfile_get_path (file), FALSE);
  return problem == NULL && usable && count_error == NULL;
}

int
sb_cli_check (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  gboolean full = FALSE;
  const GOptionEntry entries[] = {
    SB_CLI_DB_OPTION (db_option),
    { "full", 0, 0, G_OPTION_ARG_NONE, &full,
      N_ ("Run the full integrity check (slower on a large history)"), NULL },
    { NULL },
  };
  if (!sb_cli_parse_options (&argc, &argv, NULL, _(SB_CLI_CHECK_SUMMARY), entries, 0))
    return 2;

  g_autofree char *db = sb_cli_db_path (db_option);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbDbFile) file = sb_dbfile_open (db, &error);
  if (file == NULL)
    {
      sb_cli_error ("%s", error->message);
      tell_orphan_wal (db);
      print_moved_aside (db, TRUE);
      return 1;
    }
  if (check (file, full, &error))
    return 0;
  if (error != NULL)
    sb_cli_error ("%s", error->message);
  return 1;
}
