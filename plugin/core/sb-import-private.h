/* sb-import-private.h: the importer's parts, shared by its files.
 *
 *   sb-import.c          the steps: reading ahead, batches for the ledger,
 *                        file marks, the public calls
 *   sb-import-tree.c     listing logs/<icon>/<account>/<target>/ and the
 *                        names the user and each buddy go by
 *   sb-import-profile.c  the profile's accounts.xml and blist.xml
 */
#pragma once

#include "smileback/sb-import.h"
#include "smileback/sb-log-reader.h"

G_BEGIN_DECLS

/* The TXT speaker look: records read per file, files per buddy. */
#define PRESCAN_RECORDS 100
#define PRESCAN_FILES 2

typedef enum
{
  FILE_IM,
  FILE_CHAT,
  FILE_SYSTEM,  /* skipped: .system */
  FILE_SERVICE, /* skipped: IRC services and servers */
} FileKind;

typedef struct
{
  char *icon;     /* folder name, unescaped: "jabber" */
  char *account;  /* folder name, unescaped, without resource */
  char *protocol; /* "prpl-jabber" */
  GPtrArray *own; /* char *, NULL-terminated: names the user goes by */
  guint first, last; /* its files: im->files[first .. last) */
  gboolean looked;   /* infer_own_names() done */
} Account;

typedef struct
{
  char *path; /* absolute */
  char *rel;  /* relative to the log folder: the key of the file's mark */
  Account *account;
  char *target; /* buddy, or room without ".chat" */
  FileKind kind;
  gboolean txt;
  gint64 size;
  gint64 mtime;
  /* reading ahead (see prepare_file); log, error and parsed under im->lock */
  gboolean checked;   /* kind and mark looked at */
  gboolean unchanged; /* its mark matches: nothing to read */
  gboolean queued;    /* given to a worker */
  char **own;         /* the user's names when it was given out */
  const char *const *peer_names; /* the buddy's aliases, borrowed from im->aliases */
  gboolean parsed;
  SbLogFile *log;
  GError *error;
  char *chat_text; /* a group chat's bytes, for its reply links; NULL otherwise */
  gsize chat_len;
} ImportFile;

/* An account of accounts.xml. */
typedef struct
{
  char *protocol;
  char *name; /* without resource */
  char *alias;
} XmlAccount;

typedef struct
{
  guint64 queued;
  SbImportProgress progress;
} Checkpoint;

struct _SbImport
{
  SbLedger *ledger;
  char *logdir;
  char *profile_dir; /* where accounts.xml and blist.xml are */
  GCancellable *cancellable;
  GTimeZone *zone;
  GPtrArray *extra_names; /* char * */
  GPtrArray *xml_accounts; /* XmlAccount * */
  GHashTable *aliases;     /* sb_import_buddy_key () -> char **: the buddy's names in blist.xml */
  GPtrArray *accounts;     /* Account * */
  GPtrArray *files;        /* ImportFile * */
  guint next;
  gboolean listed;
  gboolean detected;  /* automated texts were looked for after the last file */
  double usec_per_event; /* the pace of the latest batch, for time budgets */
  gint64 deadline;       /* when the current step's time is up (monotonic us), 0: never */
  SbImportProgress progress;
  /* The progress after each batch, with how many writes were queued by then
   * (sb_store_get_queued()): what is saved is the last one the writer has
   * committed (sb_import_get_saved_progress()).  Oldest first. */
  GArray *checkpoints; /* Checkpoint */
  SbImportProgress saved;
  const guint8 *secret; /* the ledger's, borrowed */
  gsize secret_len;
  GThreadPool *pool;    /* readers, NULL on one processor */
  GMutex lock;
  GCond parsed;
};

/* ---- sb-import-profile.c ----------------------------------------------- */

/* The accounts of accounts.xml at @path; empty when missing or broken. */
GPtrArray *sb_import_read_accounts (const char *path);

/* The buddies' other names in blist.xml at @path: sb_import_buddy_key() ->
 * NULL-terminated char ** (alias, server alias, contact alias).  Empty when
 * missing or broken. */
GHashTable *sb_import_read_aliases (const char *path);

/* "protocol\naccount\nbuddy", the account without resource, names casefolded. */
char *sb_import_buddy_key (const char *protocol, const char *account, const char *buddy);

/* "jedi@example.com/Adium" -> "jedi@example.com". */
char *sb_import_strip_resource (const char *account);

/* ---- sb-import-tree.c -------------------------------------------------- */

/* Lists the tree into im->accounts and im->files, reading the profile's
 * files first.  FALSE with SB_IMPORT_ERROR_NO_LOGS when there is no tree. */
gboolean sb_import_list_tree (SbImport *im, GError **error);

/* For accounts with TXT logs: a name heard in the logs of several buddies is
 * the user's own (a quick look at a couple of files per buddy). */
void sb_import_infer_own_names (SbImport *im, Account *account);

/* Adds what the file showed in the sent colour to the account's own names. */
void sb_import_learn_own_names (Account *account, const SbLogFile *log);

void sb_import_account_free (Account *a);
void sb_import_file_free (ImportFile *f);

/* TRUE when @name is in @names (by g_utf8_collate). */
gboolean sb_import_names_contain (GPtrArray *names, const char *name);

G_END_DECLS
