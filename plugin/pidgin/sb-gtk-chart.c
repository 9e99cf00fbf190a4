/* sb-gtk-chart.c: conversations per month with one buddy, drawn with cairo.
 *
 * For each month two bars side by side: conversations the user started
 * (left, solid) and the buddy started (right, hatched).  The part of a bar
 * that was answered is filled, the unanswered rest only outlined, so the
 * chart reads the same without colour.  Drawn on demand from the
 * SbMonthCounts the core plugin returns (smileback-get-monthly).
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

/* Margins in pixels: room for the legend above, the count on the left and
 * the month names below. */
#define CHART_TOP 52.0
#define CHART_LEFT 28.0
#define CHART_RIGHT 8.0
#define CHART_BOTTOM 20.0

/* Each bar takes this share of its month's width (two bars and a gap). */
#define CHART_BAR_SHARE 0.36

typedef struct
{
  double r, g, b;
} SbGtkRgb;

/* Readable on light and dark themes and for the common colour blindness:
 * blue against orange, and the fill pattern carries the meaning anyway. */
static const SbGtkRgb you_colour = { 0.18, 0.40, 0.72 };
static const SbGtkRgb them_colour = { 0.88, 0.47, 0.09 };

static void
set_rgb (cairo_t *cr, const SbGtkRgb *rgb)
{
  cairo_set_source_rgb (cr, rgb->r, rgb->g, rgb->b);
}

static void
set_gdk_colour (cairo_t *cr, const GdkColor *colour)
{
  cairo_set_source_rgb (cr, colour->red / 65535.0, colour->green / 65535.0,
                        colour->blue / 65535.0);
}

/* A repeating diagonal hatch in @rgb.  Caller destroys. */
static cairo_pattern_t *
hatch_pattern (const SbGtkRgb *rgb)
{
  cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 6, 6);
  cairo_t *cr = cairo_create (tile);
  cairo_pattern_t *pattern;

  set_rgb (cr, rgb);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, 0, 6);
  cairo_line_to (cr, 6, 0);
  cairo_stroke (cr);
  cairo_destroy (cr);

  pattern = cairo_pattern_create_for_surface (tile);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_REPEAT);
  cairo_surface_destroy (tile);
  return pattern;
}

/* One bar of @total conversations, @answered of them answered, bottom at
 * @base, @unit pixels per conversation. */
static void
draw_bar (cairo_t *cr, double x, double width, double base, double unit, guint total,
          guint answered, const SbGtkRgb *rgb, cairo_pattern_t *fill)
{
  double answered_h = unit * MIN (answered, total);
  double total_h = unit * total;

  if (total == 0)
    return;
  if (answered_h > 0)
    {
      cairo_rectangle (cr, x, base - answered_h, width, answered_h);
      if (fill != NULL)
        cairo_set_source (cr, fill);
      else
        set_rgb (cr, rgb);
      cairo_fill (cr);
    }
  /* The outline of the whole bar: the unanswered part is this outline only. */
  cairo_rectangle (cr, x + 0.5, base - total_h + 0.5, width - 1, total_h - 1);
  set_rgb (cr, rgb);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}

static void
draw_text (GtkWidget *widget, cairo_t *cr, double x, double y, const char *text,
           gboolean centred)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, centred ? x - w / 2.0 : x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* A legend entry centred on @y: a swatch drawn like a bar, then its words.
 * Returns the x after it. */
static double
draw_legend_entry (GtkWidget *widget, cairo_t *cr, double x, double y, const char *label,
                   const SbGtkRgb *rgb, cairo_pattern_t *fill, guint answered)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, label);
  int w, h;

  draw_bar (cr, x, 12, y + 6, 12, 1, answered, rgb, fill);
  set_gdk_colour (cr, &widget->style->text[GTK_STATE_NORMAL]);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x + 16, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
  return x + 16 + w + 14;
}

void
sb_gtk_chart_draw (GtkWidget *widget, cairo_t *cr, const GArray *months)
{
  GtkAllocation alloc;
  cairo_pattern_t *hatch;
  double plot_w, plot_h, slot, bar, base, unit, x;
  guint max = 0;
  guint label_step;

  gtk_widget_get_allocation (widget, &alloc);
  set_gdk_colour (cr, &widget->style->base[GTK_STATE_NORMAL]);
  cairo_paint (cr);

  if (months == NULL || months->len == 0)
    {
      set_gdk_colour (cr, &widget->style->text[GTK_STATE_NORMAL]);
      draw_text (widget, cr, alloc.width / 2.0, alloc.height / 2.0 - 8,
                 _("Select a buddy to see your conversations month by month."), TRUE);
      return;
    }

  for (guint i = 0; i < months->len; i++)
    {
      const SbMonthCounts *m = &g_array_index (months, SbMonthCounts, i);

      max = MAX (max, MAX (m->started_by_you, m->started_by_them));
    }

  /* The legend: who started on each line, answered (filled) or not (outline). */
  hatch = hatch_pattern (&them_colour);
  x = draw_legend_entry (widget, cr, CHART_LEFT, 10, _("you started, answered"), &you_colour,
                         NULL, 1);
  draw_legend_entry (widget, cr, x, 10, _("you started, no answer"), &you_colour, NULL, 0);
  x = draw_legend_entry (widget, cr, CHART_LEFT, 28, _("they started, answered"), &them_colour,
                         hatch, 1);
  draw_legend_entry (widget, cr, x, 28, _("they started, no answer"), &them_colour, hatch, 0);

  plot_w = MAX (alloc.width - CHART_LEFT - CHART_RIGHT, 10.0);
  plot_h = MAX (alloc.height - CHART_TOP - CHART_BOTTOM, 10.0);
  base = CHART_TOP + plot_h;
  slot = plot_w / months->len;
  bar = MAX (slot * CHART_BAR_SHARE, 2.0);
  unit = max > 0 ? plot_h / max : 0;
  /* Month names need about 30 px each; skip some on a narrow window. */
  label_step = MAX (1u, (guint) (30.0 / slot + 0.999));

  /* The axis and the scale: the busiest month's count at the top. */
  set_gdk_colour (cr, &widget->style->text[GTK_STATE_NORMAL]);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, CHART_LEFT - 0.5, CHART_TOP);
  cairo_line_to (cr, CHART_LEFT - 0.5, base + 0.5);
  cairo_line_to (cr, CHART_LEFT + plot_w, base + 0.5);
  cairo_stroke (cr);
  {
    g_autofree char *top = g_strdup_printf ("%u", max);

    draw_text (widget, cr, 4, CHART_TOP - 6, top, FALSE);
    draw_text (widget, cr, 4, base - 14, "0", FALSE);
  }

  for (guint i = 0; i < months->len; i++)
    {
      const SbMonthCounts *m = &g_array_index (months, SbMonthCounts, i);
      double left = CHART_LEFT + i * slot + (slot - 2 * bar) / 2.0;

      draw_bar (cr, left, bar, base, unit, m->started_by_you, m->answered_by_them, &you_colour,
                NULL);
      draw_bar (cr, left + bar, bar, base, unit, m->started_by_them, m->answered_by_you,
                &them_colour, hatch);

      if ((months->len - 1 - i) % label_step == 0)
        {
          g_autoptr (GDateTime) date = g_date_time_new_local (m->year, m->month, 1, 0, 0, 0);
          g_autofree char *name = date != NULL ? g_date_time_format (date, "%b") : NULL;

          set_gdk_colour (cr, &widget->style->text[GTK_STATE_NORMAL]);
          draw_text (widget, cr, CHART_LEFT + (i + 0.5) * slot, base + 3, name ? name : "?",
                     TRUE);
        }
    }
  cairo_pattern_destroy (hatch);
}
