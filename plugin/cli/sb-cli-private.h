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

/* The --db option every subcommand takes, filling @var (a char *). */
#define SB_CLI_DB_OPTION(var)                                                               \
  { "db", 0, 0, G_OPTION_ARG_FILENAME, &(var), N_ ("The database (default: the profile's)"), \
    N_ ("FILE") }

/* Each subcommand's one-line description: the command table's and its --help's. */
#define SB_CLI_REPORT_SUMMARY N_ ("One row per buddy: who starts, who answers")
#define SB_CLI_BUDDY_SUMMARY N_ ("One buddy's figures, conversations per month and next reminder")
#define SB_CLI_DUE_SUMMARY N_ ("Who to reach out to, best first, and why")
#define SB_CLI_FORGET_SUMMARY N_ ("Delete every row about a buddy")
#define SB_CLI_EXPORT_SUMMARY N_ ("All metadata as JSON (never text, never the secret)")
#define SB_CLI_CHECK_SUMMARY N_ ("Check the database: integrity, schema, counts")
#define SB_CLI_MERGE_SUMMARY N_ ("Add another machine's history; every message counts once")

/* TRUE when the subcommand got its one argument (@what names it in the
 * error); else prints a usage error: exit 2. */
gboolean sb_cli_require_argument (int argc, char **argv, const char *what);

/* @option (the --db value, may be NULL) or the profile's database.  Caller frees. */
char *sb_cli_db_path (const char *option);

/* Opens the history at @db for a subcommand, waiting a while for a locked
 * one: a command that only reads opens it SB_STORE_READ_ONLY (nothing is
 * created, migrated, moved or written), one that writes SB_STORE_VISITOR
 * (the ledger always: it creates a missing file).  Neither ever moves a
 * damaged file aside: only the plugin does, on its own profile's file.  Why
 * it failed (missing, a folder, no permission, not Smile Back's, damaged,
 * newer, locked) is printed, and NULL returned: exit 1. */
SbStore *sb_cli_open_store (const char *db, SbStoreMode mode);
SbLedger *sb_cli_open_ledger (const char *db);

/* The buddy list libpurple keeps beside the database (blist.xml): aliases,
 * groups and the keep-in-touch setting per buddy. */
typedef struct _SbCliBlist SbCliBlist;

typedef struct
{
  char *alias;          /* the contact's alias, else the buddy's; NULL when none */
  char *group;          /* NULL when unknown */
  int keep_in_touch_days; /* SB_NODE_KEEP_IN_TOUCH_DAYS of the buddy, contact or group */
} SbCliBlistEntry;

/* Reads blist.xml in @db's folder; an empty list when it is missing or unreadable. */
SbCliBlist *sb_cli_blist_load (const char *db);
const SbCliBlistEntry *sb_cli_blist_lookup (SbCliBlist *blist, const SbBuddyKey *key);
void sb_cli_blist_free (SbCliBlist *blist);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbCliBlist, sb_cli_blist_free)

/* One buddy of the history with its figures. */
typedef struct
{
  gint64 id;
  SbBuddyKey *key;
  gboolean tracked;
  SbStats stats;        /* over the episodes since the load's @since */
  const char *alias;    /* borrowed from the blist, NULL when none */
  const char *group;    /* borrowed from the blist, NULL when unknown */
  gint64 keep_in_touch_s; /* SbPlannerBuddy.keep_in_touch_s semantics */
} SbCliBuddy;

/* Every buddy of @store (GPtrArray of SbCliBuddy), sorted by key, figures
 * computed at @now from episodes started at or after @since.  @blist may be
 * NULL.  NULL with @error. */
GPtrArray *sb_cli_load_buddies (SbStore *store, SbCliBlist *blist, gint64 since, gint64 now,
                                GError **error);

/* A subcommand's view of the history: the store, the buddy list beside it
 * and every buddy with its figures. */
typedef struct
{
  char *db;
  SbStore *store;
  SbCliBlist *blist;
  GPtrArray *buddies; /* SbCliBuddy, sorted by key */
  gint64 now;
} SbCliHistory;

/* Opens the history at @db_option (or the profile's) as @mode (see
 * sb_cli_open_store()) with figures over the conversations since @since.  On
 * failure prints why and returns NULL: exit 1. */
SbCliHistory *sb_cli_history_open (const char *db_option, gint64 since, SbStoreMode mode);
void sb_cli_history_free (SbCliHistory *history);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbCliHistory, sb_cli_history_free)

/* The buddy whose id or alias is @name (case-insensitive).  None or several:
 * prints it (with the candidates) and returns NULL (exit 1). */
SbCliBuddy *sb_cli_find_buddy (GPtrArray *buddies, const char *name);

/* "Alias (id)" or the id alone.  Caller frees. */
char *sb_cli_buddy_name (const SbCliBuddy *buddy);

/* The terminal's width: the tty's, else $COLUMNS, else 80. */
int sb_cli_terminal_width (void);

/* Columns @text takes on a terminal (wide characters count two). */
int sb_cli_display_width (const char *text);

typedef enum
{
  SB_CLI_CUT_END,    /* "a long na…" */
  SB_CLI_CUT_MIDDLE, /* "bob@ex…le.org" */
} SbCliCut;

/* @text shortened with an ellipsis (@cut) and padded to exactly @width
 * columns, on the left when @right.  Caller frees. */
char *sb_cli_fit (const char *text, int width, SbCliCut cut, gboolean right);

/* TRUE when the locale's charset is UTF-8 (block characters may be shown). */
gboolean sb_cli_utf8_locale (void);

/* ISO 8601 UTC ("2024-05-01T10:00:00Z") of @time, NULL when out of range.
 * Caller frees. */
char *sb_cli_iso8601 (gint64 time);

int sb_cli_report (int argc, char **argv);
int sb_cli_import (int argc, char **argv);
int sb_cli_buddy (int argc, char **argv);
int sb_cli_due (int argc, char **argv);
int sb_cli_forget (int argc, char **argv);
int sb_cli_export (int argc, char **argv);
int sb_cli_check (int argc, char **argv);
int sb_cli_merge (int argc, char **argv);
int sb_cli_threads (int argc, char **argv);

G_END_DECLS
