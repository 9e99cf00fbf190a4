/* sb-reply-corpus.h: the disentanglement corpus, and how the reply scorer
 * does on it, for the reply benchmark, its trainer and its regression test.
 *
 * A corpus folder holds NAME.ascii.txt (or NAME.raw.txt) logs with their
 * NAME.annotation.txt ("A B -": line B answers line A, or starts a thread when
 * A == B), as in Kummerfeld et al., "A Large-Scale Corpus for Conversation
 * Disentanglement" (ACL 2019).  Scores are theirs: graph precision, recall
 * and F over the annotated lines' links (a self-link counts as a link); and
 * ours: who-answered-whom, whether a predicted link's parent was said by the
 * speaker of a gold parent.
 */
#pragma once

#include <glib.h>
#include <smileback/sb-chat-log.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;
  SbChatLog *log;
  GPtrArray *gold; /* per line: GArray of gint64 parents, or NULL when not annotated */
} SbCorpusFile;

typedef struct
{
  guint64 gold, predicted, matched; /* graph links */
  guint64 whom_predicted;           /* predicted links to another line */
  guint64 whom_correct;             /* ... whose parent's speaker is a gold parent's */
  guint64 whom_gold;                /* annotated messages with a gold link to another line */
  guint64 whom_found;               /* ... answered by a correct predicted link */
  guint64 lines;                    /* lines fed */
} SbCorpusScore;

/* The corpus in @dir (files sorted by name), or NULL with @error. */
GPtrArray *sb_corpus_load (const char *dir, GError **error);

/* Adds to @score the links in @parents (one per line of @file; parents[i] == i
 * for a new thread) of the lines whose @confident entry is TRUE (NULL = all);
 * the others count as "new thread" for the graph and are left out of
 * who-answered-whom. */
void sb_corpus_score (const SbCorpusFile *file, const gint64 *parents,
                      const gboolean *confident, SbCorpusScore *score);

/* Runs the reply scorer with @weights (NULL = built-in) over @files: adds
 * the argmax links to @raw and the links at confidence >= @threshold to
 * @at_threshold (either may be NULL). */
void sb_corpus_run_model (GPtrArray *files, const float *weights, double threshold,
                          SbCorpusScore *raw, SbCorpusScore *at_threshold);

/* The paper's baseline: each message answers the previous message. */
void sb_corpus_run_baseline (GPtrArray *files, SbCorpusScore *score);

/* Graph precision, recall and F in percent. */
void sb_corpus_graph_prf (const SbCorpusScore *score, double *p, double *r, double *f);

G_END_DECLS
