/* sb-cli-private.h: what the files of the smileback command share.
 *
 * The command is a table of subcommands (sb-cli.c); each handler parses its own
 * options with GOption, prints errors on stderr and returns the exit status.
 */
#pragma once

#include <glib.h>
#include <smileback/smileback.h>

G_BEGIN_DECLS

typedef int (*SbCliHandler) (int argc, char **argv);

typedef struct
{
  const char *name;        /* "report" */
  const char *arguments;   /* "[--db FILE] [--json] [--since DATE]" */
  const char *description; /* translated at print time */
  SbCliHandler handler;    /* argv[0] is the subcommand's name */
} SbCliCommand;

/* The database a libpurple profile uses: $PURPLEHOME/smileback.db if set, else
 * ~/.purple/smileback.db.  Caller frees. */
char *sb_cli_default_db_path (void);

/* The profile folder (the directory of sb_cli_default_db_path()).  Caller frees. */
char *sb_cli_default_profile_dir (void);

/* Parses a subcommand's options (@parameter and @summary as GOption shows
 * them in --help) and allows at most @max_args arguments after them.  On a
 * usage error prints it and returns FALSE: the handler then exits with 2. */
gboolean sb_cli_parse_options (int *argc, char ***argv, const char *parameter, const char *summary,
                               const GOptionEntry *entries, int max_args);

/* Prints "smileback: MESSAGE" on stderr. */
void sb_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

int sb_cli_report (int argc, char **argv);
int sb_cli_import (int argc, char **argv);
int sb_cli_threads (int argc, char **argv);

G_END_DECLS
