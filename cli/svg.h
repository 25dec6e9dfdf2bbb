/* svg.h: a small chart writer: a figure of panels (line, scatter and raster
 * charts) written as one standalone SVG file, for `spikec plot`.
 *
 * A figure has a title and a grid of panels, `columns` to a row (or fewer,
 * where svg_new_row starts the next row early), all with the same plot
 * area. A panel has a title, axis labels, linear axes with ticks at 1, 2 or
 * 5 times a power of ten, light grid lines, and a legend below its x label
 * that lists every series given a label (the legend never covers the
 * data). Axis ranges follow the data (y rounded out to whole ticks, x with
 * a little padding) unless svg_range fixes them.
 *
 * Series, drawn in the order given, colours from a 10-colour palette:
 *   line     one <polyline> per run of finite points (a NaN y breaks the
 *            line); a line of at most SVG_MARKER_POINTS points also puts a
 *            <circle> on each point;
 *   scatter  a <circle> per finite point;
 *   raster   a bitmap bits[t * units + u] of `steps` x `units`: one <path>
 *            with a mark at (t + 1, u) for each nonzero byte; x runs over
 *            the steps 1..steps, y over the units 0..units-1 (the panel's
 *            ranges and integer ticks are set by svg_raster).
 *
 * Everything given is copied, so callers may free their arrays at once.
 * Text is escaped for XML, and bytes that are not UTF-8 become '?', so any
 * label (a directory name) gives a well-formed file. No font is embedded:
 * text widths are estimated generously for a sans-serif font, so labels
 * and tick labels do not overlap. svg_write writes through a temporary file
 * and a rename (io/fileio.h). Running out of memory aborts.
 */
#ifndef SPIKEC_RUNTIME_SVG_H
#define SPIKEC_RUNTIME_SVG_H

#include <stddef.h>

#define SVG_MARKER_POINTS 40

typedef struct SvgFigure SvgFigure;
typedef struct SvgPanel SvgPanel;

typedef enum { SVG_SOLID, SVG_DASHED, SVG_DOTTED, SVG_DASHDOT } SvgDash;

SvgFigure *svg_figure(const char *title, int columns);
void svg_free(SvgFigure *f);

/* A new panel at the end of the grid; any text may be NULL (left out). */
SvgPanel *svg_panel(SvgFigure *f, const char *title, const char *xlabel, const char *ylabel);

/* The next panel starts a new row of the grid. */
void svg_new_row(SvgFigure *f);

/* Fixes the range of axis 'x' or 'y' (lo < hi); ticks stay inside it. */
void svg_range(SvgPanel *p, char axis, double lo, double hi);
/* Ticks on axis 'x' or 'y' only at integers (epochs, steps, units). */
void svg_integer_ticks(SvgPanel *p, char axis);

/* color: a palette index (any int, taken modulo 10); label NULL: not in
 * the legend. */
void svg_line(SvgPanel *p, const char *label, int color, SvgDash dash, const double *x, const double *y, int n);
void svg_scatter(SvgPanel *p, const char *label, int color, const double *x, const double *y, int n);
void svg_raster(SvgPanel *p, const char *label, int color, const unsigned char *bits, int steps, int units);

/* "#1f77b4" ...: palette colour i modulo 10. */
const char *svg_color(int i);

/* Writes the figure to path. 0, or -1 with a message in err. */
int svg_write(const SvgFigure *f, const char *path, char *err, size_t errlen);

#endif
