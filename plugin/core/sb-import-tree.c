/* sb-import-tree.c: the log tree and the names in it.
 *
 * logs/<icon>/<account>/<target>/<file>, sorted, so each buddy's files go in
 * time order and the ledger only ever appends.  Each account gets the names
 * the user goes by (the folder name, its local part, the alias in
 * accounts.xml, names given by the caller, and names heard across several
 * buddies' TXT logs); each buddy its aliases from blist.xml.
 */
#include "sb-import-private.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

/* The TXT speaker look: records read per file, files per buddy. */
#define PRESCAN_RECORDS 100
#define PRESCAN_FILES 2

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

gboolean
sb_import_names_contain (GPtrArray *names, const char *name)
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

/* ---- the tree ---------------------------------------------------------- */

void
sb_import_account_free (Account *a)
{
  g_free (a->icon);
  g_free (a->account);
  g_free (a->protocol);
  g_ptr_array_unref (a->own);
  g_free (a);
}

void
sb_import_file_free (ImportFile *f)
{
  g_strfreev (f->own);
  sb_log_file_free (f->log);
  g_clear_error (&f->error);
  g_free (f->chat_text);
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
  a->account = sb_import_strip_resource (name);
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
  g_autofree char *key = sb_import_buddy_key (account->protocol, account->account, target);
  const char *const *aliases = g_hash_table_lookup (im->aliases, key);
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
      f->peer_names = kind == FILE_IM ? aliases : NULL;
      f->kind = kind;
      f->txt = g_str_has_suffix (name, ".txt");
      f->size = st.st_size;
      f->mtime = st.st_mtime;
      g_ptr_array_add (im->files, f);
      im->progress.files_total++;
      im->progress.bytes_total += st.st_size;
    }
}

/* Names heard across an account's buddies: casefolded name -> number of
 * buddies, and the name as first written. */
typedef struct
{
  GHashTable *heard;
  GHashTable *original;
} Heard;

/* Adds the speakers of the first records of @f, once per buddy (@this_buddy). */
static void
hear_file (SbImport *im, const ImportFile *f, Heard *h, GHashTable *this_buddy)
{
  /* as a chat: every name is kept, none is taken for a system line */
  SbLogReaderOptions options = { .peer = f->target, .zone = im->zone,
                                 .max_records = PRESCAN_RECORDS, .chat = TRUE };
  g_autoptr (SbLogFile) log = sb_log_file_read (f->path, &options, NULL);
  for (guint k = 0; log != NULL && k < log->speakers->len; k++)
    {
      const char *who = log->speakers->pdata[k];
      if (who == NULL || g_array_index (log->events, SbEvent, k).kind == SB_EVENT_SYSTEM)
        continue;
      char *folded = g_utf8_casefold (who, -1);
      if (!g_hash_table_add (this_buddy, folded))
        continue;
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (h->heard, folded));
      g_hash_table_insert (h->heard, g_strdup (folded), GUINT_TO_POINTER (n + 1));
      if (!g_hash_table_contains (h->original, folded))
        g_hash_table_insert (h->original, g_strdup (folded), g_strdup (who));
    }
}

/* Reads the first PRESCAN_FILES TXT logs of each buddy; returns how many
 * buddies had any. */
static guint
hear_account (SbImport *im, const Account *account, Heard *h)
{
  guint buddies = 0, taken = 0;
  const char *target = NULL;
  g_autoptr (GHashTable) this_buddy = NULL;
  for (guint i = account->first; i < account->last; i++)
    {
      const ImportFile *f = im->files->pdata[i];
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
      if (taken++ < PRESCAN_FILES)
        hear_file (im, f, h, this_buddy);
    }
  return buddies;
}

void
sb_import_infer_own_names (SbImport *im, Account *account)
{
  account->looked = TRUE;
  g_autoptr (GHashTable) heard = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) original = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Heard h = { heard, original };
  if (hear_account (im, account, &h) < 2)
    return;
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, heard);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (GPOINTER_TO_UINT (value) >= 2)
      own_add (account->own, g_hash_table_lookup (original, key));
}

void
sb_import_learn_own_names (Account *account, const SbLogFile *log)
{
  for (guint i = 0; i < log->own_seen->len; i++)
    own_add (account->own, log->own_seen->pdata[i]);
}

/* The targets of logs/@icon/@acc/ as one account's files. */
static void
list_account (SbImport *im, const char *icon, const char *icon_path, const char *acc)
{
  g_autofree char *acc_path = g_build_filename (icon_path, acc, NULL);
  if (acc[0] == '.' || !is_dir (acc_path))
    return;
  g_autoptr (GPtrArray) targets = list_dir (acc_path);
  if (targets == NULL)
    return;
  Account *account = account_new (im, icon, acc);
  g_ptr_array_add (im->accounts, account);
  account->first = im->files->len;
  for (guint k = 0; k < targets->len; k++)
    {
      const char *t = targets->pdata[k];
      g_autofree char *t_path = g_build_filename (acc_path, t, NULL);
      g_autofree char *rel = g_build_filename (icon, acc, t, NULL);
      if (is_dir (t_path))
        list_target (im, account, rel, t_path, t);
    }
  account->last = im->files->len;
}

static void
list_icon (SbImport *im, const char *icon)
{
  g_autofree char *icon_path = g_build_filename (im->logdir, icon, NULL);
  if (icon[0] == '.' || !is_dir (icon_path))
    return;
  g_autoptr (GPtrArray) accounts = list_dir (icon_path);
  for (guint j = 0; accounts != NULL && j < accounts->len; j++)
    list_account (im, icon, icon_path, accounts->pdata[j]);
}

gboolean
sb_import_list_tree (SbImport *im, GError **error)
{
  g_autoptr (GPtrArray) icons = list_dir (im->logdir);
  if (icons == NULL)
    {
      g_set_error (error, SB_IMPORT_ERROR, SB_IMPORT_ERROR_NO_LOGS,
                   /* TRANSLATORS: %s is a folder */
                   _("Cannot read the log folder “%s”"), im->logdir);
      return FALSE;
    }
  g_autofree char *accounts_xml = g_build_filename (im->profile_dir, "accounts.xml", NULL);
  g_autofree char *blist_xml = g_build_filename (im->profile_dir, "blist.xml", NULL);
  im->xml_accounts = sb_import_read_accounts (accounts_xml);
  im->aliases = sb_import_read_aliases (blist_xml);
  for (guint i = 0; i < icons->len; i++)
    list_icon (im, icons->pdata[i]);
  return TRUE;
}
