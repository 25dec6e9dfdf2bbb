/* svg_check.c: draws, through cli/svg.h, what `spikec plot` never
 * draws, for tests/plot/run_plot.sh to check with xmllint: a scatter, a
 * line broken by NaNs (2 polylines), a line of one point, an empty panel,
 * a 1 x 1 raster, a fixed range, a constant line, huge and tiny values,
 * and labels with XML specials, UTF-8, invalid UTF-8 and control bytes.
 *
 *   svg_check OUT.svg      exit 0 when written
 */
#include <math.h>
#include <stdio.h>
#include "cli/svg.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: svg_check OUT.svg\n");
		return 2;
	}
	double x[] = {1, 2, 3, 4, 5}, y[] = {0.5, NAN, 0.25, 0.75, 1};
	double big[] = {1e9, 3e9, 2e9, 5e9, 4e9}, tiny[] = {1e-7, 3e-7, 2e-7, 5e-7, 4e-7}, flat[] = {2, 2, 2, 2, 2};
	unsigned char one = 1;
	SvgFigure *f = svg_figure("svg_check: <&> \"quotes\" \xc3\xa9t\xc3\xa9 \xff\x01", 2);
	SvgPanel *p = svg_panel(f, "scatter & line", "x < 6", "y > 0");
	svg_scatter(p, "scatter", 0, x, y, 5);
	svg_line(p, "broken line", 1, SVG_DOTTED, x, y, 5);
	svg_line(p, "one point", 2, SVG_DASHDOT, x, y, 1);
	svg_panel(f, "empty", NULL, NULL);
	svg_raster(svg_panel(f, "1 x 1 raster", "step", "unit"), NULL, 3, &one, 1, 1);
	p = svg_panel(f, "fixed range, constant", "x", NULL);
	svg_range(p, 'y', 0, 10);
	svg_line(p, "flat", 4, SVG_SOLID, x, flat, 5);
	svg_new_row(f);
	p = svg_panel(f, "huge and tiny", NULL, "value");
	svg_line(p, "1e9", 5, SVG_SOLID, x, big, 5);
	p = svg_panel(f, NULL, NULL, NULL);
	svg_line(p, NULL, 6, SVG_DASHED, x, tiny, 5);
	char err[512];
	if (svg_write(f, argv[1], err, sizeof err)) {
		fprintf(stderr, "svg_check: %s\n", err);
		return 1;
	}
	svg_free(f);
	return 0;
}
