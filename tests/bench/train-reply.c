/* train-reply.c: learns the reply scorer's weight table (sb-reply-features.c).
 *
 *   train-reply TRAIN_DIR DEV_DIR 5 > plugin/core/sb-reply-weights.inc
 *
 * A log-linear ranker, as the linear model of Kummerfeld et al., "A
 * Large-Scale Corpus for Conversation Disentanglement" (ACL 2019) is a
 * ranker: for each annotated message of the train files, the room lists its
 * options (each earlier line in the window, and itself); one stochastic
 * gradient step (rate 0.1, or $SB_TRAIN_RATE) raises the log-probability of
 * its gold options under the softmax of the scores, and the weights are
 * averaged over all steps.  SB_TRAIN_PERCEPTRON=1 trains an averaged
 * perceptron instead (a mistake moves the best gold option's features up by
 * 1 and the wrong option's down by 1).  Rooms run with the weights
 * being learned, so features that read earlier decisions ("this line answered
 * you") see what the scorer would have decided.  Files are shuffled each epoch
 * with a fixed seed: the run is reproducible.  The epoch kept is the one whose
 * averaged weights score the best graph F on the dev files; a temperature is
 * then fitted on dev (maximum likelihood of the gold options under the
 * softmax) and divided in, so that a link's confidence is its probability.
 * The table goes to stdout; progress and dev figures to stderr.
 */
#include "sb-reply-corpus.h"
#include "sb-reply-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  float *weights;      /* the weights being learned, read by the rooms */
  double *accumulated; /* sum of step * update, for the average */
  double step;
  const SbCorpusFile *file;
  guint64 mistakes, decisions;
  gboolean log_linear; /* softmax gradient steps instead of perceptron updates */
  double rate;
} Trainer;

static double
score_of (const float *weights, const SbReplyCandidate *option)
{
  double score = 0;
  for (guint i = 0; i < option->n_features; i++)
    score += weights[option->features[i]];
  return score;
}

static gboolean
is_gold (GArray *gold, gint64 seq)
{
  for (guint g = 0; g < gold->len; g++)
    if (g_array_index (gold, gint64, g) == seq)
      return TRUE;
  return FALSE;
}

static void
update (Trainer *t, const SbReplyCandidate *option, float delta)
{
  for (guint i = 0; i < option->n_features; i++)
    {
      t->weights[option->features[i]] += delta;
      t->accumulated[option->features[i]] += delta * t->step;
    }
}

static void
learn_cb (gint64 seq, const SbReplyCandidate *options, guint n, gpointer user_data)
{
  Trainer *t = user_data;
  GArray *gold = seq < t->file->gold->len ? g_ptr_array_index (t->file->gold, seq) : NULL;
  if (gold == NULL)
    return;
  t->step += 1;
  t->decisions++;
  guint best = 0;
  gint best_gold = -1;
  double best_score = -INFINITY, best_gold_score = -INFINITY;
  for (guint i = 0; i < n; i++)
    {
      double s = score_of (t->weights, &options[i]);
      if (s > best_score)
        {
          best_score = s;
          best = i;
        }
      if (is_gold (gold, options[i].seq) && s > best_gold_score)
        {
          best_gold_score = s;
          best_gold = (gint) i;
        }
    }
  if (best_gold < 0)
    return;
  if (!is_gold (gold, options[best].seq))
    t->mistakes++;
  if (!t->log_linear)
    {
      if (!is_gold (gold, options[best].seq))
        {
          update (t, &options[best_gold], 1.0f);
          update (t, &options[best], -1.0f);
        }
      return;
    }
  /* Log-linear: the gradient of log P(gold) under the softmax. */
  double p[SB_REPLY_WINDOW + 1], all = 0, right = 0;
  for (guint i = 0; i < n; i++)
    {
      p[i] = exp (score_of (t->weights, &options[i]) - best_score);
      all += p[i];
      right += is_gold (gold, options[i].seq) ? p[i] : 0;
    }
  for (guint i = 0; i < n; i++)
    {
      double g = (is_gold (gold, options[i].seq) ? p[i] / right : 0) - p[i] / all;
      if (fabs (g) > 1e-6)
        update (t, &options[i], (float) (t->rate * g));
    }
}

static void
train_file (Trainer *t, const SbCorpusFile *file)
{
  g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
  sb_reply_room_set_weights (room, t->weights);
  sb_reply_room_set_observer (room, learn_cb, t);
  t->file = file;
  for (guint i = 0; i < file->log->lines->len; i++)
    sb_chat_line_feed (&g_array_index (file->log->lines, SbChatLine, i), room, NULL);
}

static void
averaged (const Trainer *t, guint n, float *out)
{
  for (guint i = 0; i < n; i++)
    out[i] = (float) (t->weights[i] - t->accumulated[i] / MAX (t->step, 1.0));
}

/* ---- the temperature --------------------------------------------------------- */

static const double temperatures[] = { 0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0 };

typedef struct
{
  const float *weights;
  const SbCorpusFile *file;
  double log_likelihood[G_N_ELEMENTS (temperatures)];
} Calibration;

static void
calibrate_cb (gint64 seq, const SbReplyCandidate *options, guint n, gpointer user_data)
{
  Calibration *c = user_data;
  GArray *gold = seq < c->file->gold->len ? g_ptr_array_index (c->file->gold, seq) : NULL;
  if (gold == NULL)
    return;
  double scores[SB_REPLY_WINDOW + 1], top = -INFINITY;
  gboolean any_gold = FALSE;
  for (guint i = 0; i < n; i++)
    {
      scores[i] = score_of (c->weights, &options[i]);
      top = MAX (top, scores[i]);
      any_gold = any_gold || is_gold (gold, options[i].seq);
    }
  if (!any_gold)
    return;
  for (gsize k = 0; k < G_N_ELEMENTS (temperatures); k++)
    {
      double all = 0, right = 0;
      for (guint i = 0; i < n; i++)
        {
          double e = exp ((scores[i] - top) / temperatures[k]);
          all += e;
          right += is_gold (gold, options[i].seq) ? e : 0;
        }
      c->log_likelihood[k] += log (right / all);
    }
}

static double
fit_temperature (GPtrArray *dev, const float *weights)
{
  Calibration c = { .weights = weights };
  for (guint f = 0; f < dev->len; f++)
    {
      c.file = g_ptr_array_index (dev, f);
      g_autoptr (SbReplyRoom) room = sb_reply_room_new ();
      sb_reply_room_set_weights (room, weights);
      sb_reply_room_set_observer (room, calibrate_cb, &c);
      for (guint i = 0; i < c.file->log->lines->len; i++)
        sb_chat_line_feed (&g_array_index (c.file->log->lines, SbChatLine, i), room, NULL);
    }
  gsize best = 0;
  for (gsize k = 0; k < G_N_ELEMENTS (temperatures); k++)
    if (c.log_likelihood[k] > c.log_likelihood[best])
      best = k;
  fprintf (stderr, "temperature %.2f (dev log-likelihood %.1f)\n", temperatures[best],
           c.log_likelihood[best]);
  return temperatures[best];
}

/* ---- main -------------------------------------------------------------------- */

static double
dev_f (GPtrArray *dev, const float *weights)
{
  SbCorpusScore score = { 0 };
  sb_corpus_run_model (dev, weights, 0, &score, NULL);
  double p, r, f;
  sb_corpus_graph_prf (&score, &p, &r, &f);
  return f;
}

static void
report_thresholds (GPtrArray *dev, const float *weights)
{
  for (double threshold = 0; threshold < 0.951; threshold += 0.05)
    {
      SbCorpusScore raw = { 0 }, at = { 0 };
      sb_corpus_run_model (dev, weights, threshold, &raw, &at);
      double p, r, f;
      sb_corpus_graph_prf (&at, &p, &r, &f);
      fprintf (stderr, "dev threshold %.2f: graph F %.1f  who-answered-whom P %.1f R %.1f\n",
               threshold, f, 100.0 * at.whom_correct / MAX (at.whom_predicted, 1),
               100.0 * at.whom_found / MAX (at.whom_gold, 1));
    }
}

int
main (int argc, char **argv)
{
  if (argc < 3)
    {
      fprintf (stderr, "usage: train-reply TRAIN_DIR DEV_DIR [EPOCHS] > sb-reply-weights.inc\n");
      return 2;
    }
  guint epochs = argc > 3 ? (guint) atoi (argv[3]) : 10;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) train = sb_corpus_load (argv[1], &error);
  g_autoptr (GPtrArray) dev = train != NULL ? sb_corpus_load (argv[2], &error) : NULL;
  if (dev == NULL)
    {
      fprintf (stderr, "train-reply: %s\n", error->message);
      return 1;
    }
  guint n = sb_reply_n_features ();
  Trainer t = { .weights = g_new0 (float, n), .accumulated = g_new0 (double, n),
                .log_linear = g_strcmp0 (g_getenv ("SB_TRAIN_PERCEPTRON"), "1") != 0,
                .rate = g_getenv ("SB_TRAIN_RATE") != NULL ? g_ascii_strtod (g_getenv ("SB_TRAIN_RATE"), NULL) : 0.1 };
  g_autofree float *avg = g_new0 (float, n);
  g_autofree float *best = g_new0 (float, n);
  double best_f = -1;
  guint best_epoch = 0;
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  for (guint epoch = 1; epoch <= epochs; epoch++)
    {
      t.mistakes = t.decisions = 0;
      for (guint i = train->len; i > 1; i--) /* Fisher-Yates */
        {
          guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
          gpointer tmp = train->pdata[i - 1];
          train->pdata[i - 1] = train->pdata[j];
          train->pdata[j] = tmp;
        }
      for (guint f = 0; f < train->len; f++)
        train_file (&t, g_ptr_array_index (train, f));
      averaged (&t, n, avg);
      double f = dev_f (dev, avg);
      fprintf (stderr, "epoch %u: train mistakes %.1f%%, dev graph F %.2f\n", epoch,
               100.0 * t.mistakes / MAX (t.decisions, 1), f);
      if (f >= best_f)
        {
          best_f = f;
          best_epoch = epoch;
          memcpy (best, avg, n * sizeof *best);
        }
    }
  fprintf (stderr, "kept epoch %u (dev graph F %.2f)\n", best_epoch, best_f);
  double temperature = fit_temperature (dev, best);
  for (guint i = 0; i < n; i++)
    best[i] = (float) (best[i] / temperature);
  report_thresholds (dev, best);

  printf ("/* %u features: %s, epoch %u of %u, temperature %.2f;\n"
          " * generated by tests/bench/train-reply.c, do not edit. */\n",
          n, t.log_linear ? "log-linear ranker (averaged SGD)" : "averaged perceptron", best_epoch,
          epochs, temperature);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = sb_reply_feature_name (i);
      printf ("  %9.4ff, /* %s */\n", best[i], name);
    }
  g_free (t.weights);
  g_free (t.accumulated);
  return 0;
}
