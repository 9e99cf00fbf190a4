/* sb-import.c: walks a libpurple log tree and feeds the ledger, in slices.
 *
 * The first step lists logs/<icon>/<account>/<target>/<file> (sorted, so each
 * buddy's files go in time order and the ledger only ever appends) and reads
 * accounts.xml.  Before the first file of an account with TXT logs, a quick
 * look at the speakers of a couple of files per buddy finds the user's own
 * names: a name heard across several buddies' conversations is the user's.
 * Each later step imports whole files: a buddy's logs that follow each other
 * go to the ledger together (one sb_ledger_add_events() per batch of up to
 * BATCH_EVENTS events, smaller when a time budget asks), then the ledger is
 * flushed and the files' marks are set, so a crash or a cancel never leaves a
 * file half-counted: at worst it is read again and its events are recognised
 * as already recorded.
 */
#include "smileback/sb-import.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "smileback/sb-log-reader.h"

G_DEFINE_QUARK (sb-import-error-quark, sb_import_error)

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
  gboolean parsed;
  SbLogFile *log;
  GError *error;
} ImportFile;

typedef struct
{
  char *protocol;
  char *name; /* without resource */
  char *alias;
} XmlAccount;

struct _SbImport
{
  SbLedger *ledger;
  char *logdir;
  char *accounts_file;
  GCancellable *cancellable;
  GTimeZone *zone;
  GPtrArray *extra_names; /* char * */
  GPtrArray *xml_accounts; /* XmlAccount * */
  GPtrArray *accounts;     /* Account * */
  GPtrArray *files;        /* ImportFile * */
  guint next;
  gboolean listed;
  gboolean detected;  /* automated texts were looked for after the last file */
  double usec_per_event; /* the pace of the latest batch, for time budgets */
  SbImportProgress progress;
  const guint8 *secret; /* the ledger's, borrowed */
  gsize secret_len;
  GThreadPool *pool;    /* readers, NULL on one processor */
  GMutex lock;
  GCond parsed;
};

/* ---- names ------------------------------------------------------------- */

char *
sb_import_unescape_name (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  GString *out = g_string_sized_new (strlen (name));
  for (const char *p = name; *p != '\0'; p++)
    {
      if (p[0] == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) << 4
                                          | g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  g_autofree char *raw = g_string_free (out, FALSE);
  return g_utf8_make_valid (raw, -1);
}

char *
sb_import_protocol_for_icon (const char *icon)
{
  /* libpurple 2.x protocols: list_icon() name -> protocol id */
  static const struct
  {
    const char *icon;
    const char *protocol;
  } known[] = {
    { "jabber", "prpl-jabber" },   { "aim", "prpl-aim" },         { "icq", "prpl-icq" },
    { "msn", "prpl-msn" },         { "yahoo", "prpl-yahoo" },     { "yahoojp", "prpl-yahoojp" },
    { "irc", "prpl-irc" },         { "gadu-gadu", "prpl-gg" },    { "novell", "prpl-novell" },
    { "silc", "prpl-silc" },       { "simple", "prpl-simple" },   { "meanwhile", "prpl-meanwhile" },
    { "zephyr", "prpl-zephyr" },   { "bonjour", "prpl-bonjour" }, { "myspace", "prpl-myspace" },
    { "qq", "prpl-qq" },           { "mxit", "prpl-loubserp-mxit" },
  };
  g_return_val_if_fail (icon != NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_ascii_strcasecmp (icon, known[i].icon) == 0)
      return g_strdup (known[i].protocol);
  return g_strconcat ("prpl-", icon, NULL);
}

static char *
strip_resource (const char *account)
{
  const char *slash = strchr (account, '/');
  return slash != NULL ? g_strndup (account, slash - account) : g_strdup (account);
}

/* IRC names that are not people: services, servers, bouncer modules. */
static gboolean
is_irc_service (const char *name)
{
  static const char *const services[] = { "global", "alis", "q", "x", "irc" };
  gsize len = strlen (name);
  if (len >= 4 && g_ascii_strcasecmp (name + len - 4, "serv") == 0)
    return TRUE; /* NickServ, ChanServ, MemoServ, OperServ, HostServ, BotServ, ... */
  if (strchr (name, '.') != NULL || name[0] == '*' || name[0] == '#' || name[0] == '&')
    return TRUE; /* a server window, a ZNC module (*status), a channel */
  for (gsize i = 0; i < G_N_ELEMENTS (services); i++)
    if (g_ascii_strcasecmp (name, services[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
names_contain (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (names->pdata[i] != NULL && g_utf8_collate (names->pdata[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* Adds @name to the NULL-terminated @names unless there already. */
static void
own_add (GPtrArray *names, const char *name)
{
  if (name == NULL || *name == '\0')
    return;
  g_autofree char *folded = g_utf8_casefold (name, -1);
  for (guint i = 0; i + 1 < names->len; i++)
    {
      g_autofree char *f = g_utf8_casefold (names->pdata[i], -1);
      if (strcmp (f, folded) == 0)
        return;
    }
  g_ptr_array_insert (names, names->len - 1, g_strdup (name));
}

/* ---- accounts.xml ------------------------------------------------------ */

typedef struct
{
  GPtrArray *out;
  XmlAccount *current;
  GString *text;
  int level; /* of the element being read: 1 = the root <account version='1.0'> */
  int depth; /* inside an account: 1 = its direct children */
} XmlParse;

static void
xml_account_free (XmlAccount *a)
{
  g_free (a->protocol);
  g_free (a->name);
  g_free (a->alias);
  g_free (a);
}

static void
xml_start (GMarkupParseContext *context, const char *element, const char **names,
           const char **values, gpointer data, GError **error)
{
  XmlParse *xp = data;
  xp->level++;
  if (xp->current != NULL)
    xp->depth++;
  else if (xp->level == 2 && strcmp (element, "account") == 0)
    {
      xp->current = g_new0 (XmlAccount, 1);
      xp->depth = 0;
    }
  g_string_truncate (xp->text, 0);
}

static void
xml_end (GMarkupParseContext *context, const char *element, gpointer data, GError **error)
{
  XmlParse *xp = data;
  xp->level--;
  if (xp->current == NULL)
    return;
  if (xp->depth == 0)
    {
      if (xp->current->protocol != NULL && xp->current->name != NULL)
        g_ptr_array_add (xp->out, xp->current);
      else
        xml_account_free (xp->current);
      xp->current = NULL;
      return;
    }
  if (xp->depth == 1)
    {
      char **slot = NULL;
      if (strcmp (element, "protocol") == 0)
        slot = &xp->current->protocol;
      else if (strcmp (element, "name") == 0)
        slot = &xp->current->name;
      else if (strcmp (element, "alias") == 0)
        slot = &xp->current->alias;
      if (slot != NULL && *slot == NULL)
        {
          g_strstrip (xp->text->str);
          *slot = strcmp (element, "name") == 0 ? strip_resource (xp->text->str)
                                                : g_strdup (xp->text->str);
        }
    }
  xp->depth--;
}

static void
xml_text (GMarkupParseContext *context, const char *text, gsize len, gpointer data,
          GError **error)
{
  XmlParse *xp = data;
  if (xp->current != NULL)
    g_string_append_len (xp->text, text, len);
}

/* The accounts of libpurple's accounts.xml; empty when missing or broken. */
static GPtrArray *
read_accounts_xml (const char *path)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) xml_account_free);
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (path == NULL || !g_file_get_contents (path, &contents, &len, NULL))
    return out;
  static const GMarkupParser parser = { xml_start, xml_end, xml_text, NULL, NULL };
  g_autoptr (GString) text = g_string_new (NULL);
  XmlParse xp = { out, NULL, text, 0, 0 };
  GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, &xp, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_markup_parse_context_parse (context, contents, len, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    g_debug ("%s: %s; using folder names only", path, error->message);
  g_markup_parse_context_free (context);
  if (xp.current != NULL)
    xml_account_free (xp.current);
  return out;
}

/* ---- the tree ---------------------------------------------------------- */

static void
account_free (Account *a)
{
  g_free (a->icon);
  g_free (a->account);
  g_free (a->protocol);
  g_ptr_array_unref (a->own);
  g_free (a);
}

static void
import_file_free (ImportFile *f)
{
  g_strfreev (f->own);
  sb_log_file_free (f->log);
  g_clear_error (&f->error);
  g_free (f->path);
  g_free (f->rel);
  g_free (f->target);
  g_free (f);
}

static Account *
account_new (SbImport *im, const char *icon_dir, const char *account_dir)
{
  Account *a = g_new0 (Account, 1);
  a->icon = sb_import_unescape_name (icon_dir);
  g_autofree char *name = sb_import_unescape_name (account_dir);
  a->account = strip_resource (name);
  a->own = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (a->own, NULL);

  g_autofree char *by_icon = sb_import_protocol_for_icon (a->icon);
  g_autofree char *suffix = g_strconcat ("-", a->icon, NULL);
  const XmlAccount *match = NULL;
  for (guint i = 0; i < im->xml_accounts->len; i++)
    {
      const XmlAccount *x = im->xml_accounts->pdata[i];
      if (g_ascii_strcasecmp (x->name, a->account) != 0)
        continue;
      if (g_strcmp0 (x->protocol, by_icon) == 0 || g_str_has_suffix (x->protocol, suffix))
        {
          match = x;
          break;
        }
      /* the same name on another protocol: only if the icon is not a known one */
      if (match == NULL && g_str_has_prefix (by_icon, "prpl-")
          && strcmp (by_icon + 5, a->icon) == 0)
        match = x;
    }
  a->protocol = g_strdup (match != NULL ? match->protocol : by_icon);

  own_add (a->own, a->account);
  const char *at = strchr (a->account, '@');
  if (at != NULL)
    {
      g_autofree char *local = g_strndup (a->account, at - a->account);
      own_add (a->own, local);
    }
  if (match != NULL)
    own_add (a->own, match->alias);
  for (guint i = 0; i < im->extra_names->len; i++)
    own_add (a->own, im->extra_names->pdata[i]);
  return a;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Sorted entry names of @path; NULL when it is no readable folder. */
static GPtrArray *
list_dir (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
is_dir (const char *path)
{
  GStatBuf st;
  return g_stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static void
list_target (SbImport *im, Account *account, const char *rel_dir, const char *dir_path,
             const char *target_dir)
{
  g_autoptr (GPtrArray) names = list_dir (dir_path);
  if (names == NULL)
    return;

  g_autofree char *target = sb_import_unescape_name (target_dir);
  gboolean irc = g_strcmp0 (account->protocol, "prpl-irc") == 0;
  FileKind kind = FILE_IM;
  if (g_str_has_suffix (target, ".system"))
    kind = FILE_SYSTEM;
  else if (irc && g_str_has_suffix (target, ".chat") && strchr ("#&+!", target[0]) == NULL)
    kind = FILE_SERVICE; /* the server window of irc.libera.chat, not a channel */
  else if (g_str_has_suffix (target, ".chat"))
    {
      kind = FILE_CHAT;
      target[strlen (target) - 5] = '\0';
    }
  else if (irc && is_irc_service (target))
    kind = FILE_SERVICE;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      GStatBuf st;
      if (name[0] == '.' || g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      ImportFile *f = g_new0 (ImportFile, 1);
      f->path = g_steal_pointer (&path);
      f->rel = g_build_filename (rel_dir, name, NULL);
      f->account = account;
      f->target = g_strdup (target);
      f->kind = kind;
      f->txt = g_str_has_suffix (name, ".txt");
      f->size = st.st_size;
      f->mtime = st.st_mtime;
      g_ptr_array_add (im->files, f);
      im->progress.files_total++;
      im->progress.bytes_total += st.st_size;
    }
}

/* For accounts with TXT logs: a name heard in the logs of several buddies is
 * the user's own. */
static void
infer_own_names (SbImport *im, Account *account)
{
  guint first = account->first, last = account->last;
  account->looked = TRUE;
  g_autoptr (GHashTable) heard = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) original = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint buddies = 0;
  const char *target = NULL;
  guint taken = 0;
  g_autoptr (GHashTable) this_buddy = NULL;

  for (guint i = first; i < last; i++)
    {
      ImportFile *f = im->files->pdata[i];
      if (f->kind != FILE_IM || !f->txt)
        continue;
      if (target == NULL || strcmp (target, f->target) != 0)
        {
          target = f->target;
          taken = 0;
          buddies++;
          g_clear_pointer (&this_buddy, g_hash_table_unref);
          this_buddy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        }
      if (taken >= PRESCAN_FILES)
        continue;
      taken++;
      /* as a chat: every name is kept, none is taken for a system line */
      SbLogReaderOptions options = { .peer = f->target, .zone = im->zone,
                                     .max_records = PRESCAN_RECORDS, .chat = TRUE };
      g_autoptr (SbLogFile) log = sb_log_file_read (f->path, &options, NULL);
      if (log == NULL)
        continue;
      for (guint k = 0; k < log->speakers->len; k++)
        {
          const char *who = log->speakers->pdata[k];
          if (who == NULL || g_array_index (log->events, SbEvent, k).kind == SB_EVENT_SYSTEM)
            continue;
          char *folded = g_utf8_casefold (who, -1);
          if (!g_hash_table_add (this_buddy, folded))
            continue;
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (heard, folded));
          g_hash_table_insert (heard, g_strdup (folded), GUINT_TO_POINTER (n + 1));
          if (!g_hash_table_contains (original, folded))
            g_hash_table_insert (original, g_strdup (folded), g_strdup (who));
        }
    }
  if (buddies < 2)
    return;
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, heard);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (GPOINTER_TO_UINT (value) >= 2)
      own_add (account->own, g_hash_table_lookup (original, key));
}

static gboolean
list_tree (SbImport *im, GError **error)
{
  g_autoptr (GPtrArray) icons = list_dir (im->logdir);
  if (icons == NULL)
    {
      g_set_error (error, SB_IMPORT_ERROR, SB_IMPORT_ERROR_NO_LOGS,
                   /* TRANSLATORS: %s is a folder */
                   _("Cannot read the log folder “%s”"), im->logdir);
      return FALSE;
    }
  im->xml_accounts = read_accounts_xml (im->accounts_file);

  for (guint i = 0; i < icons->len; i++)
    {
      const char *icon = icons->pdata[i];
      g_autofree char *icon_path = g_build_filename (im->logdir, icon, NULL);
      if (icon[0] == '.' || !is_dir (icon_path))
        continue;
      g_autoptr (GPtrArray) accounts = list_dir (icon_path);
      if (accounts == NULL)
        continue;
      for (guint j = 0; j < accounts->len; j++)
        {
          const char *acc = accounts->pdata[j];
          g_autofree char *acc_path = g_build_filename (icon_path, acc, NULL);
          if (acc[0] == '.' || !is_dir (acc_path))
            continue;
          g_autoptr (GPtrArray) targets = list_dir (acc_path);
          if (targets == NULL)
            continue;
          Account *account = account_new (im, icon, acc);
          g_ptr_array_add (im->accounts, account);
          guint first = im->files->len;
          for (guint k = 0; k < targets->len; k++)
            {
              const char *t = targets->pdata[k];
              g_autofree char *t_path = g_build_filename (acc_path, t, NULL);
              g_autofree char *rel = g_build_filename (icon, acc, t, NULL);
              if (is_dir (t_path))
                list_target (im, account, rel, t_path, t);
            }
          account->first = first;
          account->last = im->files->len;
        }
    }
  return TRUE;
}

/* ---- importing one file ------------------------------------------------ */

static SbImportSkip
skip_for_error (const GError *error)
{
  if (error->domain != SB_LOG_READER_ERROR)
    return SB_IMPORT_SKIP_UNREADABLE;
  switch ((SbLogReaderError) error->code)
    {
    case SB_LOG_READER_ERROR_IO:
      return SB_IMPORT_SKIP_UNREADABLE;
    case SB_LOG_READER_ERROR_EMPTY:
      return SB_IMPORT_SKIP_EMPTY;
    case SB_LOG_READER_ERROR_SYSTEM:
      return SB_IMPORT_SKIP_SYSTEM;
    case SB_LOG_READER_ERROR_NAME:
    case SB_LOG_READER_ERROR_FORMAT:
    case SB_LOG_READER_ERROR_LAST:
    default:
      return SB_IMPORT_SKIP_NOT_A_LOG;
    }
}

static void
learn_own_names (Account *account, const SbLogFile *log)
{
  for (guint i = 0; i < log->own_seen->len; i++)
    own_add (account->own, log->own_seen->pdata[i]);
}

/* IM events of one buddy (one file or several in a row): one batch for the
 * ledger.  *@skip is set when they were not recorded; FALSE only for store
 * failures. */
static gboolean
import_im (SbImport *im, ImportFile *f, const SbEvent *events, guint n_events, SbImportSkip *skip,
           gint64 now, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (SbBuddyKey) key = sb_buddy_key_new (f->account->protocol, f->account->account,
                                                 f->target);
  if (key == NULL)
    {
      *skip = SB_IMPORT_SKIP_NOT_A_LOG;
      return TRUE;
    }
  const SbStats *before = sb_ledger_get_stats (im->ledger, key);
  int episodes = before != NULL ? (int) before->all.episodes : 0;
  guint messages = before != NULL ? before->all.messages_sent + before->all.messages_received : 0;

  guint n_new = 0;
  if (!sb_ledger_add_events (im->ledger, key, events, n_events, now, &n_new, &local_error))
    {
      if (g_error_matches (local_error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_UNTRACKED))
        {
          *skip = SB_IMPORT_SKIP_UNTRACKED;
          return TRUE;
        }
      if (g_error_matches (local_error, SB_LEDGER_ERROR, SB_LEDGER_ERROR_INVALID))
        {
          g_debug ("%s: %s", f->rel, local_error->message);
          *skip = SB_IMPORT_SKIP_NOT_A_LOG;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  const SbStats *after = sb_ledger_get_stats (im->ledger, key);
  if (after != NULL)
    {
      im->progress.episodes += (int) after->all.episodes - episodes;
      im->progress.messages += after->all.messages_sent + after->all.messages_received - messages;
    }
  im->progress.events += n_new;
  im->progress.duplicates += n_events - n_new;
  return TRUE;
}

/* A group chat log: only who was there. */
static gboolean
import_chat (SbImport *im, ImportFile *f, const SbLogFile *log, GError **error)
{
  SbStore *store = sb_ledger_get_store (im->ledger);
  if (!sb_ledger_flush (im->ledger, error) || !sb_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  SbChatEvent ev = {
    .protocol = f->account->protocol,
    .account = f->account->account,
    .room = f->target,
    .member = NULL,
    .kind = SB_CHAT_JOINED,
    .source = SB_SOURCE_IMPORT,
    .time = log->start,
  };
  gboolean ok = sb_ledger_add_chat_event (im->ledger, &ev, error);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; ok && i < log->events->len; i++)
    {
      const SbEvent *e = &g_array_index (log->events, SbEvent, i);
      const char *who = log->speakers->pdata[i];
      if (who == NULL || e->kind != SB_EVENT_MESSAGE || e->direction != SB_DIRECTION_IN)
        continue;
      char *member = g_utf8_casefold (who, -1);
      if (!g_hash_table_add (seen, member))
        continue;
      ev.kind = SB_CHAT_PRESENT;
      ev.member = member;
      ev.time = e->time;
      ok = sb_ledger_add_chat_event (im->ledger, &ev, error);
      if (ok)
        im->progress.chat_events++;
    }
  if (!ok)
    {
      (void) sb_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return sb_store_exec (store, "COMMIT", error);
}

/* ---- reading ahead ----------------------------------------------------- */

/* Files are parsed by worker threads (the reader is pure) while the calling
 * thread records earlier ones: at most this many files ahead. */
#define READ_AHEAD 4

/* Consecutive IM logs of one buddy are recorded together up to about this many
 * events: one insert transaction, one flush and one transaction of marks
 * instead of one each per file (a log holds a few hundred lines; 10,000 events
 * are a few hundred kilobytes of memory and a few tens of milliseconds). */
#define BATCH_EVENTS 10000

static SbLogReaderOptions
reader_options (SbImport *im, ImportFile *f)
{
  gboolean chat = f->kind == FILE_CHAT;
  return (SbLogReaderOptions){
    .secret = chat ? NULL : im->secret,
    .secret_len = chat ? 0 : im->secret_len,
    .own_names = (const char *const *) f->own,
    .peer = chat ? NULL : f->target,
    .zone = im->zone,
    .chat = chat,
  };
}

/* In a worker: touches only @f (its fields set before it was queued) and
 * what never changes during the import. */
static void
parse_in_worker (gpointer data, gpointer user_data)
{
  ImportFile *f = data;
  SbImport *im = user_data;
  SbLogReaderOptions options = reader_options (im, f);
  GError *error = NULL;
  SbLogFile *log = sb_log_file_read (f->path, &options, &error);
  g_mutex_lock (&im->lock);
  f->log = log;
  f->error = error;
  f->parsed = TRUE;
  g_cond_broadcast (&im->parsed);
  g_mutex_unlock (&im->lock);
}

/* Decides whether @f is to be read (its kind, its mark) and, with workers,
 * starts reading it.  FALSE only on a store failure. */
static gboolean
prepare_file (SbImport *im, ImportFile *f, GError **error)
{
  if (f->checked)
    return TRUE;
  /* before reading the first file of an account, not while listing, so the
   * first step stays short */
  if (!f->account->looked)
    infer_own_names (im, f->account);
  if (f->kind == FILE_IM || f->kind == FILE_CHAT)
    {
      gint64 size = 0, mtime = 0;
      g_autoptr (GError) mark_error = NULL;
      if (sb_store_get_file_mark (sb_ledger_get_store (im->ledger), f->rel, &size, &mtime,
                                  &mark_error))
        f->unchanged = size == f->size && mtime == f->mtime;
      else if (mark_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&mark_error));
          return FALSE;
        }
      if (!f->unchanged)
        {
          f->own = g_strdupv ((char **) f->account->own->pdata);
          if (im->pool != NULL)
            {
              /* exclusive threads all exist already: a push cannot fail */
              f->queued = TRUE;
              g_thread_pool_push (im->pool, f, NULL);
            }
        }
    }
  f->checked = TRUE;
  return TRUE;
}

/* The parsed file, waiting for its worker if needed.  Caller owns both. */
static SbLogFile *
take_parsed (SbImport *im, ImportFile *f, GError **error)
{
  if (!f->queued)
    {
      SbLogReaderOptions options = reader_options (im, f);
      return sb_log_file_read (f->path, &options, error);
    }
  g_mutex_lock (&im->lock);
  while (!f->parsed)
    g_cond_wait (&im->parsed, &im->lock);
  SbLogFile *log = g_steal_pointer (&f->log);
  if (f->error != NULL)
    g_propagate_error (error, g_steal_pointer (&f->error));
  g_mutex_unlock (&im->lock);
  return log;
}

/* Files this thread is about to record, starting with @index, given to the
 * workers (when there are any) so they are parsed by then. */
static gboolean
read_ahead (SbImport *im, guint index, GError **error)
{
  /* this file first: the pool serves in order */
  guint ahead = im->pool != NULL ? MIN (index + 1 + READ_AHEAD, im->files->len) : index + 1;
  for (guint k = index; k < ahead; k++)
    if (!prepare_file (im, im->files->pdata[k], error))
      return FALSE;
  return TRUE;
}

static void
count_done (SbImport *im, const ImportFile *f, SbImportSkip skip)
{
  if (skip == SB_IMPORT_SKIP_LAST)
    im->progress.files_imported++;
  else
    im->progress.skipped[skip]++;
  im->progress.files_done++;
  im->progress.bytes_done += f->size;
}

/* TRUE when @g, the file after a batch opened by @f, joins it: the same
 * buddy's next IM log, to be read. */
static gboolean
joins_batch (const ImportFile *f, const ImportFile *g)
{
  return g->kind == FILE_IM && !g->unchanged && g->account == f->account
         && strcmp (g->target, f->target) == 0;
}

/* Sets the marks of files[@first .. @last) in one transaction. */
static gboolean
set_marks (SbImport *im, guint first, guint last, GError **error)
{
  SbStore *store = sb_ledger_get_store (im->ledger);
  if (!sb_store_exec (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint k = first; k < last; k++)
    {
      const ImportFile *f = im->files->pdata[k];
      if (!sb_store_set_file_mark (store, f->rel, f->size, f->mtime, error))
        {
          (void) sb_store_exec (store, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  if (!sb_store_exec (store, "COMMIT", error))
    {
      (void) sb_store_exec (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

/* Imports the next file and, when it is an IM log, the same buddy's logs
 * after it, while they hold fewer than @max_events events and number at most
 * @max (0 = no limit): one sb_ledger_add_events() for all of them (the ledger
 * takes them in any order), then one flush, then their marks, so a crash never
 * leaves a file half-counted.  One batch or one file per buddy gives the same
 * result: every event of it has the same buddy, and the reader only gives
 * valid times, directions and kinds.  Advances im->next.  FALSE only on store
 * failures. */
static gboolean
import_next (SbImport *im, guint max, guint max_events, gint64 now, GError **error)
{
  guint first = im->next;
  ImportFile *f = im->files->pdata[first];
  SbImportSkip skip = SB_IMPORT_SKIP_LAST;

  if (!read_ahead (im, first, error))
    return FALSE;
  if (f->kind == FILE_SYSTEM || f->kind == FILE_SERVICE || f->unchanged)
    {
      count_done (im, f, f->unchanged ? SB_IMPORT_SKIP_UNCHANGED
                         : f->kind == FILE_SYSTEM ? SB_IMPORT_SKIP_SYSTEM
                                                  : SB_IMPORT_SKIP_SERVICE);
      im->next++;
      return TRUE;
    }

  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (SbEvent));
  g_autoptr (GArray) skips = g_array_new (FALSE, FALSE, sizeof (SbImportSkip));
  guint guessed = 0;
  guint last = first;
  while (last < im->files->len && (max == 0 || last - first < max))
    {
      ImportFile *g = im->files->pdata[last];
      if (last > first)
        {
          if (f->kind != FILE_IM || events->len >= max_events)
            break;
          if (!read_ahead (im, last, error))
            return FALSE;
          if (!joins_batch (f, g))
            break;
        }
      g_autoptr (GError) read_error = NULL;
      g_autoptr (SbLogFile) log = take_parsed (im, g, &read_error);
      SbImportSkip file_skip = SB_IMPORT_SKIP_LAST;
      if (log == NULL)
        {
          g_debug ("%s: %s", g->rel, read_error->message);
          file_skip = skip_for_error (read_error);
        }
      else
        {
          learn_own_names (g->account, log);
          if (g->kind == FILE_CHAT && !import_chat (im, g, log, error))
            return FALSE;
          if (g->kind == FILE_IM)
            {
              g_array_append_vals (events, log->events->data, log->events->len);
              guessed += log->n_guessed;
            }
        }
      g_array_append_val (skips, file_skip);
      last++;
    }

  if (events->len > 0)
    {
      if (!import_im (im, f, (const SbEvent *) events->data, events->len, &skip, now, error))
        return FALSE;
      if (skip == SB_IMPORT_SKIP_LAST)
        im->progress.guessed += guessed;
    }
  /* the ledger's episodes and summaries are on disk before the marks */
  if (!sb_ledger_flush (im->ledger, error) || !set_marks (im, first, last, error))
    return FALSE;
  for (guint k = first; k < last; k++)
    {
      SbImportSkip file_skip = g_array_index (skips, SbImportSkip, k - first);
      count_done (im, im->files->pdata[k], file_skip != SB_IMPORT_SKIP_LAST ? file_skip : skip);
    }
  im->next = last;
  return TRUE;
}

/* ---- public ------------------------------------------------------------ */

SbImport *
sb_import_new (SbLedger *ledger, const char *logdir, GCancellable *cancellable)
{
  g_return_val_if_fail (ledger != NULL && logdir != NULL, NULL);
  SbImport *im = g_new0 (SbImport, 1);
  im->ledger = ledger;
  im->logdir = g_strdup (logdir);
  g_autofree char *parent = g_path_get_dirname (logdir);
  im->accounts_file = g_build_filename (parent, "accounts.xml", NULL);
  im->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  im->extra_names = g_ptr_array_new_with_free_func (g_free);
  im->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_free);
  im->files = g_ptr_array_new_with_free_func ((GDestroyNotify) import_file_free);
  im->secret = sb_ledger_get_secret (ledger, &im->secret_len);
  g_mutex_init (&im->lock);
  g_cond_init (&im->parsed);
  return im;
}

void
sb_import_free (SbImport *im)
{
  if (im == NULL)
    return;
  g_autoptr (GError) error = NULL;
  if (!sb_ledger_flush (im->ledger, &error))
    g_warning ("import: %s", error->message);
  /* drop what was not started, wait for what was */
  if (im->pool != NULL)
    g_thread_pool_free (im->pool, TRUE, TRUE);
  g_mutex_clear (&im->lock);
  g_cond_clear (&im->parsed);
  g_free (im->logdir);
  g_free (im->accounts_file);
  g_clear_object (&im->cancellable);
  g_clear_pointer (&im->zone, g_time_zone_unref);
  g_ptr_array_unref (im->extra_names);
  g_clear_pointer (&im->xml_accounts, g_ptr_array_unref);
  g_ptr_array_unref (im->accounts);
  g_ptr_array_unref (im->files);
  g_free (im);
}

void
sb_import_set_accounts_file (SbImport *im, const char *path)
{
  g_return_if_fail (im != NULL && !im->listed);
  g_free (im->accounts_file);
  im->accounts_file = g_strdup (path);
}

void
sb_import_add_own_name (SbImport *im, const char *name)
{
  g_return_if_fail (im != NULL && !im->listed && name != NULL);
  if (g_utf8_validate (name, -1, NULL) && !names_contain (im->extra_names, name))
    g_ptr_array_add (im->extra_names, g_strdup (name));
}

void
sb_import_set_zone (SbImport *im, GTimeZone *zone)
{
  g_return_if_fail (im != NULL && !im->listed); /* the readers use it */
  g_clear_pointer (&im->zone, g_time_zone_unref);
  if (zone != NULL)
    im->zone = g_time_zone_ref (zone);
}

gboolean
sb_import_step (SbImport *im, guint max_files, gint64 max_usec, gint64 now, GError **error)
{
  g_return_val_if_fail (im != NULL, FALSE);
  gint64 started = g_get_monotonic_time ();

  if (g_cancellable_set_error_if_cancelled (im->cancellable, error))
    return FALSE;
  if (!im->listed)
    {
      im->listed = TRUE;
      if (!list_tree (im, error))
        return FALSE;
      guint cpus = g_get_num_processors ();
      if (cpus > 1 && im->files->len > 1)
        {
          g_autoptr (GError) pool_error = NULL;
          im->pool = g_thread_pool_new (parse_in_worker, im, (int) MIN (cpus - 1, 4), TRUE,
                                        &pool_error);
          if (im->pool == NULL)
            g_debug ("import: reading in this thread: %s", pool_error->message);
        }
    }
  for (guint done = 0; im->next < im->files->len;)
    {
      if (done > 0 && ((max_files > 0 && done >= max_files)
                       || (max_usec > 0 && g_get_monotonic_time () - started >= max_usec)))
        break;
      if (g_cancellable_set_error_if_cancelled (im->cancellable, error))
        return FALSE;
      /* within a time budget, batches no bigger than the time left allows at
       * the pace seen so far */
      guint max_events = BATCH_EVENTS;
      if (max_usec > 0 && im->usec_per_event > 0)
        {
          double left = (double) (max_usec - (g_get_monotonic_time () - started));
          max_events = (guint) CLAMP (left / im->usec_per_event, 1.0, (double) BATCH_EVENTS);
        }
      guint before = im->next;
      guint64 events_before = im->progress.events + im->progress.duplicates;
      gint64 batch_started = g_get_monotonic_time ();
      if (!import_next (im, max_files > 0 ? max_files - done : 0, max_events, now, error))
        return FALSE;
      done += im->next - before;
      guint64 n_events = im->progress.events + im->progress.duplicates - events_before;
      if (n_events > 0)
        im->usec_per_event = (double) (g_get_monotonic_time () - batch_started) / (double) n_events;
    }
  /* Texts that many buddies sent alike show only across files: look once all
   * are in (docs/design.md, "Definitions", automated messages). */
  if (im->next >= im->files->len && !im->detected)
    {
      im->detected = TRUE;
      if (!sb_ledger_detect_automated (im->ledger, &im->progress.automated, error))
        return FALSE;
    }
  return im->next < im->files->len;
}

gboolean
sb_import_run (SbImport *im, gint64 now, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  while (sb_import_step (im, 0, 0, now, &local_error))
    ;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

const SbImportProgress *
sb_import_get_progress (SbImport *im)
{
  g_return_val_if_fail (im != NULL, NULL);
  return &im->progress;
}

gboolean
sb_import_is_finished (SbImport *im)
{
  g_return_val_if_fail (im != NULL, FALSE);
  return im->listed && im->next >= im->files->len;
}

const char *
sb_import_skip_describe (SbImportSkip reason)
{
  switch (reason)
    {
    case SB_IMPORT_SKIP_UNCHANGED:
      return _("unchanged since the last import");
    case SB_IMPORT_SKIP_SYSTEM:
      return _("system logs");
    case SB_IMPORT_SKIP_SERVICE:
      return _("services (not buddies)");
    case SB_IMPORT_SKIP_NOT_A_LOG:
      return _("not a Pidgin log");
    case SB_IMPORT_SKIP_EMPTY:
      return _("empty");
    case SB_IMPORT_SKIP_UNREADABLE:
      return _("unreadable");
    case SB_IMPORT_SKIP_UNTRACKED:
      return _("buddy not tracked");
    case SB_IMPORT_SKIP_LAST:
    default:
      return "";
    }
}
