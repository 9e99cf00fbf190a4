/* sb-cli-merge.c: `smileback merge OTHER.db`: adds another machine's history
 * (a copy of its smileback.db) to this one.  Every message counts once, so
 * merging gives the report an import of both machines' logs would give;
 * merging again changes nothing.  Group-chat lines are merged too.  The rule
 * that recognises one message or room line seen by both machines is in
 * include/smileback/sb-merge.h.
 *
 * OTHER is only read (read-only connection); this database is written
 * through the ledger, as an import writes it.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-merge.h>
#include <stdio.h>

/* The counts are printed as unsigned long long, a type the msgids can name:
 * G_GUINT64_FORMAT is a macro, and xgettext would cut a msgid at it. */
static void
print_result (const SbMergeResult *r)
{
  unsigned long long events = r->events, added = r->added, matched = r->matched;
  unsigned long long lines = r->room_lines, lines_added = r->room_lines_added;

  /* TRANSLATORS: a number of events read from the other database */
  g_autofree char *read = g_strdup_printf (ngettext ("%llu event", "%llu events", events), events);
  /* TRANSLATORS: "Merged 120 events of 4 buddies: 30 added, 90 already here." */
  printf (ngettext ("Merged %s of %u buddy: %llu added, %llu already here.\n",
                    "Merged %s of %u buddies: %llu added, %llu already here.\n", r->buddies),
          read, r->buddies, added, matched);
  if (lines > 0)
    /* TRANSLATORS: "Merged 40 room lines: 10 added, 30 already here." */
    printf (ngettext ("Merged %llu room line: %llu added, %llu already here.\n",
                      "Merged %llu room lines: %llu added, %llu already here.\n", lines),
            lines, lines_added, lines - lines_added);
}

int
sb_cli_merge (int argc, char **argv)
{
  g_autofree char *db_option = NULL;
  const GOptionEntry entries[] = { SB_CLI_DB_OPTION (db_option), { NULL } };
  if (!sb_cli_parse_options (&argc, &argv, _("OTHER.db"), _(SB_CLI_MERGE_SUMMARY), entries, 1)
      || !sb_cli_require_argument (argc, argv, _("OTHER.db")))
    return 2;

  g_autofree char *db = sb_cli_db_path (db_option);
  g_autoptr (GError) error = NULL;
  g_autoptr (SbDbFile) source = sb_merge_open_source (argv[1], db, &error);
  if (source == NULL)
    {
      sb_cli_error ("%s", error->message);
      return 1;
    }
  g_autoptr (SbLedger) ledger = sb_cli_open_ledger (db);
  if (ledger == NULL)
    return 1;
  SbMergeResult result;
  if (!sb_merge_from (ledger, source, g_get_real_time () / G_USEC_PER_SEC, &result, &error))
    {
      /* TRANSLATORS: why the merge stopped */
      sb_cli_error (_("the merge stopped: %s; what was merged is kept, and merging again "
                      "completes it"), error->message);
      return 1;
    }
  print_result (&result);
  return 0;
}
