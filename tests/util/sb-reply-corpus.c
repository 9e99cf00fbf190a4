/* sb-reply-corpus.c: loading the disentanglement corpus and scoring links
 * (see sb-reply-corpus.h). */
#include "sb-reply-corpus.h"
#include "sb-reply-private.h"

#include <stdlib.h>
#include <string.h>

static void
corpus_file_free (gpointer data)
{
  SbCorpusFile *file = data;
  g_free (file->name);
  sb_chat_log_free (file->log);
  g_ptr_array_unref (file->gold);
  g_free (file);
}

static void
gold_free (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

/* Reads "A B -" lines into file->gold: the later line answers the earlier. */
static gboolean
load_annotation (SbCorpusFile *file, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  if (!g_file_get_contents (path, &data, NULL, error))
    return FALSE;
  guint n = file->log->lines->len;
  file->gold = g_ptr_array_new_full (n, gold_free);
  g_ptr_array_set_size (file->gold, (gint) n);
  g_auto (GStrv) rows = g_strsplit (data, "\n", -1);
  for (char **row = rows; *row != NULL; row++)
    {
      char *end = NULL;
      gint64 a = g_ascii_strtoll (*row, &end, 10);
      if (end == *row)
        continue;
      char *end2 = NULL;
      gint64 b = g_ascii_strtoll (end, &end2, 10);
      if (end2 == end)
        continue;
      gint64 child = MAX (a, b), parent = MIN (a, b);
      if (child < 0 || child >= n)
        continue;
      GArray *parents = g_ptr_array_index (file->gold, child);
      if (parents == NULL)
        {
          parents = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_ptr_array_index (file->gold, child) = parents;
        }
      g_array_append_val (parents, parent);
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
sb_corpus_load (const char *dir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    if (g_str_has_suffix (name, ".annotation.txt"))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - strlen (".annotation.txt")));
  g_ptr_array_sort (names, compare_names);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (corpus_file_free);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *ascii = g_strdup_printf ("%s/%s.ascii.txt", dir, name);
      g_autofree char *raw = g_strdup_printf ("%s/%s.raw.txt", dir, name);
      g_autofree char *annotation = g_strdup_printf ("%s/%s.annotation.txt", dir, name);
      SbCorpusFile *file = g_new0 (SbCorpusFile, 1);
      file->name = g_strdup (name);
      g_ptr_array_add (files, file);
      file->log = sb_chat_log_read (g_file_test (ascii, G_FILE_TEST_EXISTS) ? ascii : raw, error);
      if (file->log == NULL || !load_annotation (file, annotation, error))
        return NULL;
    }
  return g_steal_pointer (&files);
}

static gboolean
same_speaker (const SbChatLine *a, const SbChatLine *b)
{
  return a->kind == SB_CHAT_LINE_MESSAGE && b->kind == SB_CHAT_LINE_MESSAGE && a->nick != NULL
         && b->nick != NULL && g_ascii_strcasecmp (a->nick, b->nick) == 0;
}

void
sb_corpus_score (const SbCorpusFile *file, const gint64 *parents, const gboolean *confident,
                 SbCorpusScore *score)
{
  const SbChatLine *lines = (const SbChatLine *) file->log->lines->data;
  for (guint i = 0; i < file->gold->len; i++)
    {
      GArray *gold = g_ptr_array_index (file->gold, i);
      if (gold == NULL)
        continue;
      gint64 parent = confident == NULL || confident[i] ? parents[i] : i;
      score->gold += gold->len;
      score->predicted++;
      gboolean gold_other = FALSE, speaker_right = FALSE;
      for (guint g = 0; g < gold->len; g++)
        {
          gint64 gp = g_array_index (gold, gint64, g);
          score->matched += gp == parent;
          if (gp != i)
            {
              gold_other = TRUE;
              speaker_right = speaker_right || (parent != i && same_speaker (&lines[gp], &lines[parent]));
            }
        }
      if (lines[i].kind != SB_CHAT_LINE_MESSAGE)
        continue;
      score->whom_gold += gold_other;
      score->whom_found += gold_other && speaker_right;
      if (parent != i)
        {
          score->whom_predicted++;
          score->whom_correct += speaker_right;
        }
    }
}

void
sb_corpus_run_model (GPtrArray *files, const float *weights, double threshold, SbCorpusScore *raw,
                     SbCorpusScore *at_threshold)
{
  for (guint f = 0; f < files->len; f++)
    {
      const SbCorpusFile *file = g_ptr_array_index (files, f);
      guint n = file->log->lines->len;
      g_autofree gint64 *parents = g_new (gint64, n);
      g_autofree gboolean *confident = g_new (gboolean, n);
      g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
      sb_reply_room_set_weights (room, weights);
      for (guint i = 0; i < n; i++)
        {
          SbReplyLink link;
          sb_chat_line_feed (&g_array_index (file->log->lines, SbChatLine, i), room, &link);
          parents[i] = link.parent;
          confident[i] = link.confidence >= threshold;
        }
      if (raw != NULL)
        {
          sb_corpus_score (file, parents, NULL, raw);
          raw->lines += n;
        }
      if (at_threshold != NULL)
        {
          sb_corpus_score (file, parents, confident, at_threshold);
          at_threshold->lines += n;
        }
    }
}

void
sb_corpus_run_baseline (GPtrArray *files, SbCorpusScore *score)
{
  for (guint f = 0; f < files->len; f++)
    {
      const SbCorpusFile *file = g_ptr_array_index (files, f);
      guint n = file->log->lines->len;
      const SbChatLine *lines = (const SbChatLine *) file->log->lines->data;
      g_autofree gint64 *parents = g_new (gint64, n);
      gint64 previous = -1;
      for (guint i = 0; i < n; i++)
        {
          gboolean message = lines[i].kind == SB_CHAT_LINE_MESSAGE;
          parents[i] = message && previous >= 0 ? previous : i;
          if (message)
            previous = i;
        }
      sb_corpus_score (file, parents, NULL, score);
      score->lines += n;
    }
}

void
sb_corpus_graph_prf (const SbCorpusScore *score, double *p, double *r, double *f)
{
  *p = score->predicted > 0 ? 100.0 * (double) score->matched / (double) score->predicted : 0;
  *r = score->gold > 0 ? 100.0 * (double) score->matched / (double) score->gold : 0;
  *f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}
