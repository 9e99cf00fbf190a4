/* sb-import-profile.c: what the importer reads from the libpurple profile
 * besides the logs: accounts.xml (protocols and the user's aliases) and
 * blist.xml (the buddies' aliases).  A missing or broken file is no error:
 * the folder names are used as they are.
 */
#include "sb-import-private.h"

#include <string.h>

char *
sb_import_strip_resource (const char *account)
{
  const char *slash = strchr (account, '/');
  return slash != NULL ? g_strndup (account, slash - account) : g_strdup (account);
}

char *
sb_import_buddy_key (const char *protocol, const char *account, const char *buddy)
{
  g_autofree char *bare = sb_import_strip_resource (account);
  g_autofree char *a = g_utf8_casefold (bare, -1);
  g_autofree char *b = g_utf8_casefold (buddy, -1);
  return g_strconcat (protocol, "\n", a, "\n", b, NULL);
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
          *slot = strcmp (element, "name") == 0 ? sb_import_strip_resource (xp->text->str)
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

/* Runs @parser over the file at @path, if it can be read; a broken file
 * stops where it breaks. */
static void
parse_xml_file (const char *path, const GMarkupParser *parser, gpointer data)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (path == NULL || !g_file_get_contents (path, &contents, &len, NULL))
    return;
  GMarkupParseContext *context = g_markup_parse_context_new (parser, 0, data, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_markup_parse_context_parse (context, contents, len, &error)
      || !g_markup_parse_context_end_parse (context, &error))
    g_debug ("%s: %s; using names as the folders give them", path, error->message);
  g_markup_parse_context_free (context);
}

GPtrArray *
sb_import_read_accounts (const char *path)
{
  static const GMarkupParser parser = { xml_start, xml_end, xml_text, NULL, NULL };
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) xml_account_free);
  g_autoptr (GString) text = g_string_new (NULL);
  XmlParse xp = { out, NULL, text, 0, 0 };
  parse_xml_file (path, &parser, &xp);
  if (xp.current != NULL)
    xml_account_free (xp.current);
  return out;
}

/* ---- blist.xml --------------------------------------------------------- */

/* <contact alias='C'><buddy account='A' proto='P'><name>N</name>
 * <alias>L</alias><setting name='servernick' type='string'>S</setting>
 * </buddy></contact> */
typedef struct
{
  GHashTable *out;
  GString *text;
  char *contact_alias;
  char *account;
  char *protocol;
  char *name;
  GPtrArray *names; /* the buddy being read, NULL outside a <buddy> */
  gboolean servernick;
} BlistParse;

static const char *
attribute (const char **names, const char **values, const char *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], wanted) == 0)
      return values[i];
  return NULL;
}

static void
blist_start (GMarkupParseContext *context, const char *element, const char **names,
             const char **values, gpointer data, GError **error)
{
  BlistParse *bp = data;
  g_string_truncate (bp->text, 0);
  if (strcmp (element, "contact") == 0)
    {
      g_free (bp->contact_alias);
      bp->contact_alias = g_strdup (attribute (names, values, "alias"));
    }
  else if (strcmp (element, "buddy") == 0 && bp->names == NULL)
    {
      bp->names = g_ptr_array_new_with_free_func (g_free);
      bp->account = g_strdup (attribute (names, values, "account"));
      bp->protocol = g_strdup (attribute (names, values, "proto"));
    }
  else if (strcmp (element, "setting") == 0 && bp->names != NULL)
    bp->servernick = g_strcmp0 (attribute (names, values, "name"), "servernick") == 0;
}

static void
add_alias (GPtrArray *names, const char *alias)
{
  if (alias == NULL || *alias == '\0' || !g_utf8_validate (alias, -1, NULL)
      || sb_import_names_contain (names, alias))
    return;
  g_ptr_array_add (names, g_strdup (alias));
}

/* The buddy read: its names under its key, after any earlier ones. */
static void
blist_finish_buddy (BlistParse *bp)
{
  g_autoptr (GPtrArray) names = g_steal_pointer (&bp->names);
  add_alias (names, bp->contact_alias);
  if (bp->account != NULL && bp->protocol != NULL && bp->name != NULL && names->len > 0)
    {
      char *key = sb_import_buddy_key (bp->protocol, bp->account, bp->name);
      char **before = g_hash_table_lookup (bp->out, key);
      for (char **n = before; n != NULL && *n != NULL; n++)
        add_alias (names, *n);
      g_ptr_array_add (names, NULL);
      g_hash_table_insert (bp->out, key, g_ptr_array_free (g_steal_pointer (&names), FALSE));
    }
  g_clear_pointer (&bp->account, g_free);
  g_clear_pointer (&bp->protocol, g_free);
  g_clear_pointer (&bp->name, g_free);
}

static void
blist_end (GMarkupParseContext *context, const char *element, gpointer data, GError **error)
{
  BlistParse *bp = data;
  g_strstrip (bp->text->str);
  if (strcmp (element, "contact") == 0)
    g_clear_pointer (&bp->contact_alias, g_free);
  if (bp->names == NULL)
    return;
  if (strcmp (element, "name") == 0 && bp->name == NULL)
    bp->name = g_strdup (bp->text->str);
  else if (strcmp (element, "alias") == 0 || (strcmp (element, "setting") == 0 && bp->servernick))
    add_alias (bp->names, bp->text->str);
  else if (strcmp (element, "buddy") == 0)
    blist_finish_buddy (bp);
  bp->servernick = FALSE;
}

static void
blist_text (GMarkupParseContext *context, const char *text, gsize len, gpointer data,
            GError **error)
{
  BlistParse *bp = data;
  g_string_append_len (bp->text, text, len);
}

GHashTable *
sb_import_read_aliases (const char *path)
{
  static const GMarkupParser parser = { blist_start, blist_end, blist_text, NULL, NULL };
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_strfreev);
  g_autoptr (GString) text = g_string_new (NULL);
  BlistParse bp = { .out = out, .text = text };
  parse_xml_file (path, &parser, &bp);
  g_clear_pointer (&bp.names, g_ptr_array_unref);
  g_free (bp.contact_alias);
  g_free (bp.account);
  g_free (bp.protocol);
  g_free (bp.name);
  return out;
}
