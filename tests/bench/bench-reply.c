/* bench-reply.c: how well, and how fast, the reply scorer attributes replies.
 *
 *   meson test -C BUILD --benchmark reply       (the committed dev files)
 *   SB_IRC_CORPUS=DIR meson test ... reply      (another corpus folder)
 *
 * Runs the scorer (sb-reply.h, through sb-chat-log.h as `smileback threads`
 * does) and the previous-message baseline over the folder's logs, then prints
 * the graph precision, recall and F of Kummerfeld et al., "A Large-Scale
 * Corpus for Conversation Disentanglement" (ACL 2019) for both, the
 * who-answered-whom precision and recall at the argmax and at
 * SB_REPLY_CONFIDENT, and the lines per second.  Never fails on a figure.
 */
#include "sb-reply-corpus.h"

#include <stdio.h>

static void
print_row (const char *name, const SbCorpusScore *score)
{
  double p, r, f;
  sb_corpus_graph_prf (score, &p, &r, &f);
  printf ("%-28s graph P %5.1f R %5.1f F %5.1f   who-answered-whom P %5.1f R %5.1f"
          "  (%" G_GUINT64_FORMAT " links)\n",
          name, p, r, f, 100.0 * (double) score->whom_correct / (double) MAX (score->whom_predicted, 1),
          100.0 * (double) score->whom_found / (double) MAX (score->whom_gold, 1),
          score->whom_predicted);
}

int
main (void)
{
  const char *dir = g_getenv ("SB_IRC_CORPUS");
  if (dir == NULL || *dir == '\0')
    dir = SB_REPLY_DEV_DIR;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) files = sb_corpus_load (dir, &error);
  if (files == NULL)
    {
      printf ("bench-reply: %s (nothing measured)\n", error->message);
      return 0;
    }
  SbCorpusScore baseline = { 0 }, raw = { 0 }, confident = { 0 };
  sb_corpus_run_baseline (files, &baseline);
  gint64 start = g_get_monotonic_time ();
  sb_corpus_run_model (files, NULL, SB_REPLY_CONFIDENT, &raw, &confident);
  double seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  printf ("corpus %s: %u files, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
          " gold links\n", dir, files->len, raw.lines, raw.gold);
  print_row ("previous message", &baseline);
  print_row ("scorer (argmax)", &raw);
  g_autofree char *name = g_strdup_printf ("scorer (confidence >= %.2f)", SB_REPLY_CONFIDENT);
  print_row (name, &confident);
  printf ("speed: %.0f lines/s (%.2f s)\n", (double) raw.lines / MAX (seconds, 1e-9), seconds);
  return 0;
}
