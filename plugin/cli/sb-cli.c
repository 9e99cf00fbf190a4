/* sb-cli.c: the smileback command: a table of subcommands.
 *
 *   smileback report [--db FILE] [--json|--csv] [--since DATE]
 *   smileback import [--db FILE] [LOGDIR]
 *   smileback buddy [--db FILE] NAME
 *   smileback due [--db FILE]
 *   smileback forget [--db FILE] [--yes] NAME
 *   smileback export [--db FILE] [OUTFILE]
 *   smileback check [--db FILE] [--full]
 *   smileback merge [--db FILE] OTHER.db
 *   smileback threads [--confident] FILE...
 *
 * `smileback --help` is generated from the table.  Each handler parses its own
 * options, prints errors on stderr and returns the exit status.
 */
#include "sb-cli-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-i18n.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>

static const SbCliCommand commands[] = {
  { "report", "[--db FILE] [--json|--csv] [--since DATE]", SB_CLI_REPORT_SUMMARY, sb_cli_report },
  { "import", "[--db FILE] [--me NAME] [LOGDIR]",
    N_ ("Import existing Pidgin and Finch logs"), sb_cli_import },
  { "buddy", "[--db FILE] NAME", SB_CLI_BUDDY_SUMMARY, sb_cli_buddy },
  { "due", "[--db FILE]", SB_CLI_DUE_SUMMARY, sb_cli_due },
  { "forget", "[--db FILE] [--yes] NAME", SB_CLI_FORGET_SUMMARY, sb_cli_forget },
  { "export", "[--db FILE] [OUTFILE]", SB_CLI_EXPORT_SUMMARY, sb_cli_export },
  { "check", "[--db FILE] [--full]", SB_CLI_CHECK_SUMMARY, sb_cli_check },
  { "merge", "[--db FILE] OTHER.db", SB_CLI_MERGE_SUMMARY, sb_cli_merge },
  { "threads", "[--confident] FILE...",
    N_ ("Which line each line of a group chat log answers"), sb_cli_threads },
};

char *
sb_cli_default_profile_dir (void)
{
  const char *home = g_getenv ("PURPLEHOME");
  if (home != NULL && *home != '\0')
    return g_strdup (home);
  return g_build_filename (g_get_home_dir (), ".purple", NULL);
}

char *
sb_cli_default_db_path (void)
{
  g_autofree char *dir = sb_cli_default_profile_dir ();
  return g_build_filename (dir, "smileback.db", NULL);
}

void
sb_cli_error (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "smileback: %s\n", message);
}

gboolean
sb_cli_parse_options (int *argc, char ***argv, const char *parameter, const char *summary,
                      const GOptionEntry *entries, int max_args)
{
  g_autoptr (GOptionContext) options = g_option_context_new (parameter);
  g_option_context_set_summary (options, summary);
  g_option_context_set_translation_domain (options, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (options, argc, argv, &error))
    {
      sb_cli_error ("%s", error->message);
      return FALSE;
    }
  /* (*argv)[0] is the subcommand. */
  if (*argc - 1 > max_args)
    {
      /* TRANSLATORS: %s is an argument the command did not expect. */
      sb_cli_error (_("unexpected argument “%s”"), (*argv)[max_args + 1]);
      return FALSE;
    }
  return TRUE;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: smileback COMMAND [OPTIONS]"));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n           %s\n", commands[i].name, commands[i].arguments,
             _(commands[i].description));
  fprintf (out, "\n%s\n", _("Run “smileback COMMAND --help” for a command's options."));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  sb_i18n_bind ();
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].handler (argc - 1, argv + 1);

  /* TRANSLATORS: %s is what the user typed instead of a command. */
  sb_cli_error (_("unknown command “%s”"), argv[1]);
  print_usage (stderr);
  return 2;
}
