/* svg.c: see svg.h. svg_write lays the figure out in two passes: first the
 * sizes (tick labels, legends) that fix the common grid cell, then the
 * drawing, panel by panel, into one text buffer. */
#include "svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/fileio.h"
#include "mem/mem.h"

/* Geometry in px: the plot area of every panel, the fonts, the legend. */
enum {
	PW = 380, PH = 240,             /* plot area */
	FONT = 12, TITLE_FONT = 14, FIG_FONT = 16,
	PAD = 12,                       /* around the figure */
	MT = 32,                        /* above a plot area: the panel title */
	TICK = 5,
	LEG_ROW = 17, LEG_SAMPLE = 26,  /* legend row height, line sample length */
	NTICKS = 5,                     /* about this many ticks per axis */
};

typedef enum { K_LINE, K_SCATTER, K_RASTER } Kind;

typedef struct {
	Kind kind;
	int color;
	SvgDash dash;
	char *label;
	int n;                          /* line, scatter: points */
	double *x, *y;
	int steps, units;               /* raster */
	unsigned char *bits;
} Series;

struct SvgPanel {
	char *title, *xlabel, *ylabel;
	Series *s;
	int ns, cap;
	int fixed[2], integer[2];       /* [0] x, [1] y */
	int new_row;                    /* starts a row of the grid */
	double lo[2], hi[2];
};

struct SvgFigure {
	char *title;
	int columns;
	int new_row;                    /* for the next panel */
	SvgPanel **p;
	int np, cap;
};

typedef struct {
	char *p;
	size_t len, cap;
} Buf;

static void *alloc(size_t n)
{
	return xcalloc(1, n);
}

static void *copy(const void *a, size_t n)
{
	return n ? memcpy(alloc(n), a, n) : alloc(1);
}

static char *dup(const char *s)
{
	return s ? copy(s, strlen(s) + 1) : NULL;
}

static void *grow(void *p, int *cap, int need, size_t elem)
{
	if (need <= *cap)
		return p;
	int c = *cap ? 2 * *cap : 8;
	while (c < need)
		c *= 2;
	*cap = c;
	return xrealloc(p, (size_t)c * elem);
}


static void bprintf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(Buf *b, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = 2 * b->cap;
		while (cap - b->len <= (size_t)(n > 0 ? n : 0))
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
}

/* s as XML character data: escaped, invalid UTF-8 and control bytes as '?'. */
static void put_text(Buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		int n = *u < 0x80 ? 1 : (*u & 0xe0) == 0xc0 && *u >= 0xc2 ? 2 : (*u & 0xf0) == 0xe0 ? 3
		      : (*u & 0xf8) == 0xf0 && *u <= 0xf4 ? 4 : 0;
		for (int i = 1; i < n; i++)
			if ((u[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 1) {
			const char *esc = *u == '&' ? "&amp;" : *u == '<' ? "&lt;" : *u == '>' ? "&gt;"
					: *u == '"' ? "&quot;" : NULL;
			if (esc)
				bprintf(b, "%s", esc);
			else
				bprintf(b, "%c", *u < 0x20 || *u == 0x7f ? '?' : *u);
		} else if (n > 1) {
			bprintf(b, "%.*s", n, (const char *)u);
		} else {
			bprintf(b, "?");
			n = 1;
		}
		u += n;
	}
}

/* <text> at (x, y) with more attributes (each with a leading space). */
static void put_label(Buf *b, double x, double y, const char *attrs, const char *s)
{
	bprintf(b, "<text x=\"%.1f\" y=\"%.1f\"%s>", x, y, attrs);
	put_text(b, s);
	bprintf(b, "</text>\n");
}

/* Estimated width in px of s at font size `size`: characters (UTF-8
 * sequences) times 0.62 em, a little wider than DejaVu Sans's average. */
static double text_width(const char *s, int size)
{
	int n = 0;
	for (const unsigned char *u = (const unsigned char *)(s ? s : ""); *u; u++)
		n += (*u & 0xc0) != 0x80;
	return n * 0.62 * size;
}

const char *svg_color(int i)
{
	static const char *pal[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
				      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
	return pal[((i % 10) + 10) % 10];
}

static const char *dash_attr(SvgDash d)
{
	switch (d) {
	case SVG_DASHED: return " stroke-dasharray=\"7 4\"";
	case SVG_DOTTED: return " stroke-dasharray=\"1.5 3\" stroke-linecap=\"round\"";
	case SVG_DASHDOT: return " stroke-dasharray=\"8 3 2 3\"";
	default: return "";
	}
}

/* ---- building ------------------------------------------------------------ */

SvgFigure *svg_figure(const char *title, int columns)
{
	SvgFigure *f = alloc(sizeof *f);
	f->title = dup(title);
	f->columns = columns > 0 ? columns : 1;
	return f;
}

void svg_free(SvgFigure *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->np; i++) {
		SvgPanel *p = f->p[i];
		for (int j = 0; j < p->ns; j++)
			free(p->s[j].label), free(p->s[j].x), free(p->s[j].y), free(p->s[j].bits);
		free(p->s), free(p->title), free(p->xlabel), free(p->ylabel), free(p);
	}
	free(f->p), free(f->title), free(f);
}

SvgPanel *svg_panel(SvgFigure *f, const char *title, const char *xlabel, const char *ylabel)
{
	SvgPanel *p = alloc(sizeof *p);
	p->title = dup(title);
	p->xlabel = dup(xlabel);
	p->ylabel = dup(ylabel);
	p->new_row = f->new_row;
	f->new_row = 0;
	f->p = grow(f->p, &f->cap, f->np + 1, sizeof *f->p);
	f->p[f->np++] = p;
	return p;
}

void svg_new_row(SvgFigure *f)
{
	f->new_row = 1;
}

void svg_range(SvgPanel *p, char axis, double lo, double hi)
{
	int a = axis == 'y';
	p->fixed[a] = 1;
	p->lo[a] = lo;
	p->hi[a] = hi > lo ? hi : lo + 1;
}

void svg_integer_ticks(SvgPanel *p, char axis)
{
	p->integer[axis == 'y'] = 1;
}

static Series *add(SvgPanel *p, Kind kind, const char *label, int color)
{
	p->s = grow(p->s, &p->cap, p->ns + 1, sizeof *p->s);
	Series *s = &p->s[p->ns++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->label = dup(label);
	s->color = color;
	return s;
}


static void copy_points(Series *s, const double *x, const double *y, int n)
{
	s->n = n > 0 ? n : 0;
	s->x = copy(x, sizeof(double) * (size_t)s->n);
	s->y = copy(y, sizeof(double) * (size_t)s->n);
}

void svg_line(SvgPanel *p, const char *label, int color, SvgDash dash, const double *x, const double *y, int n)
{
	Series *s = add(p, K_LINE, label, color);
	s->dash = dash;
	copy_points(s, x, y, n);
}

void svg_scatter(SvgPanel *p, const char *label, int color, const double *x, const double *y, int n)
{
	copy_points(add(p, K_SCATTER, label, color), x, y, n);
}

void svg_raster(SvgPanel *p, const char *label, int color, const unsigned char *bits, int steps, int units)
{
	Series *s = add(p, K_RASTER, label, color);
	s->steps = steps > 0 ? steps : 0;
	s->units = units > 0 ? units : 0;
	s->bits = copy(bits, (size_t)s->steps * (size_t)s->units);
	svg_range(p, 'x', 0.5, s->steps + 0.5);
	svg_range(p, 'y', -0.5, s->units - 0.5);
	svg_integer_ticks(p, 'x');
	svg_integer_ticks(p, 'y');
}

/* ---- axes ---------------------------------------------------------------- */

typedef struct {
	double lo, hi;                  /* the axis range */
	double first, step;             /* ticks: first, first + step, ... <= hi */
	int decimals;                   /* of tick labels; -1: %g */
} Axis;

/* 1, 2 or 5 times a power of ten, near raw. */
static double nice(double raw)
{
	double mag = pow(10, floor(log10(raw)));
	double n = raw / mag;
	return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
}

static void axis_make(const SvgPanel *p, int a, Axis *ax)
{
	double lo = INFINITY, hi = -INFINITY;
	if (p->fixed[a]) {
		lo = p->lo[a];
		hi = p->hi[a];
	}
	for (int i = 0; !p->fixed[a] && i < p->ns; i++)
		for (int j = 0; j < p->s[i].n; j++) {
			double v = a ? p->s[i].y[j] : p->s[i].x[j];
			if (isfinite(p->s[i].x[j]) && isfinite(p->s[i].y[j])) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
	if (!(lo <= hi))
		lo = 0, hi = 1;  /* no data */
	if (hi - lo <= 1e-9 * fmax(1.0, fabs(lo))) {
		double d = p->integer[a] ? 1 : lo != 0 ? fabs(lo) * 0.1 : 0.5;
		lo -= d;
		hi += d;
	}
	double step = nice((hi - lo) / NTICKS);
	if (p->integer[a] && step < 1)
		step = 1;
	if (!p->fixed[a] && a == 1) {
		lo = floor(lo / step + 1e-9) * step;
		hi = ceil(hi / step - 1e-9) * step;
	} else if (!p->fixed[a]) {
		double pad = 0.03 * (hi - lo);
		lo -= pad;
		hi += pad;
	}
	ax->lo = lo;
	ax->hi = hi;
	ax->step = step;
	ax->first = ceil(lo / step - 1e-9) * step;
	double big = fmax(fabs(lo), fabs(hi));
	ax->decimals = big >= 1e6 || step < 1e-5 ? -1 : step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
}

static int axis_ticks(const Axis *ax)
{
	return (int)floor((ax->hi - ax->first) / ax->step + 1e-9) + 1;
}

/* Tick i's offset in px along an axis of `len` px (y: from the bottom). */
static double tick_at(const Axis *ax, int i, int len)
{
	return (ax->first + i * ax->step - ax->lo) / (ax->hi - ax->lo) * len;
}

static void tick_label(const Axis *ax, int i, char *buf, size_t n)
{
	double v = ax->first + i * ax->step;
	if (fabs(v) < ax->step * 1e-9)
		v = 0;
	if (ax->decimals < 0)
		snprintf(buf, n, "%g", v);
	else
		snprintf(buf, n, "%.*f", ax->decimals, v);
}

/* ---- layout and drawing ---------------------------------------------------- */

typedef struct {
	Axis ax[2];
	double ytick_w;                 /* widest y tick label */
	int legend_rows;
} Layout;

static double entry_width(const Series *s)
{
	return LEG_SAMPLE + 5 + text_width(s->label, FONT) + 16;
}

/* Rows the legend takes when its entries flow over `width` px. */
static int legend_rows(const SvgPanel *p, double width)
{
	int rows = 0;
	double x = width;
	for (int i = 0; i < p->ns; i++) {
		if (!p->s[i].label)
			continue;
		double w = entry_width(&p->s[i]);
		if (x + w > width && x > 0) {
			rows++;
			x = 0;
		}
		x += w;
	}
	return rows;
}

static double below_plot(const SvgPanel *p, const Layout *l)
{
	return TICK + 4 + FONT + (p->xlabel ? 8 + FONT + 2 : 0) + (l->legend_rows ? 10 + l->legend_rows * LEG_ROW : 0) + 10;
}

static void draw_series(Buf *b, const Series *s, const Layout *l, double x0, double y0)
{
	const Axis *ax = &l->ax[0], *ay = &l->ax[1];
#define PX(v) (x0 + ((v) - ax->lo) / (ax->hi - ax->lo) * PW)
#define PY(v) (y0 + PH - ((v) - ay->lo) / (ay->hi - ay->lo) * PH)
	const char *col = svg_color(s->color);
	if (s->kind == K_LINE) {
		for (int i = 0; i < s->n;) {
			while (i < s->n && !(isfinite(s->x[i]) && isfinite(s->y[i])))
				i++;
			if (i >= s->n)
				break;
			bprintf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" stroke-linejoin=\"round\"%s "
				"points=\"", col, dash_attr(s->dash));
			for (int first = 1; i < s->n && isfinite(s->x[i]) && isfinite(s->y[i]); i++, first = 0)
				bprintf(b, "%s%.2f,%.2f", first ? "" : " ", PX(s->x[i]), PY(s->y[i]));
			bprintf(b, "\"/>\n");
		}
	}
	if ((s->kind == K_LINE && s->n <= SVG_MARKER_POINTS) || s->kind == K_SCATTER)
		for (int i = 0; i < s->n; i++)
			if (isfinite(s->x[i]) && isfinite(s->y[i]))
				bprintf(b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%s\" fill=\"%s\"/>\n", PX(s->x[i]),
					PY(s->y[i]), s->kind == K_LINE ? "2.6" : "3", col);
	if (s->kind == K_RASTER && s->steps && s->units) {
		/* Where cells are 3 px or more each way, a mark is a square dot of
		 * 70% of the cell's shorter side (at most 12 px); else it fills
		 * the cell along the short side (and 70% along the other), and
		 * below 3 px wide, runs of spikes of a unit merge into one mark
		 * (gaps would not show). */
		double cw = (double)PW / s->steps, ch = (double)PH / s->units;
		double mw = cw >= 3 ? 0.7 * cw : cw, mh = ch >= 3 ? 0.7 * ch : ch;
		if (cw >= 3 && ch >= 3)
			mw = mh = fmin(0.7 * fmin(cw, ch), 12);
		bprintf(b, "<path fill=\"%s\" shape-rendering=\"crispEdges\" d=\"", col);
		for (int u = 0; u < s->units; u++)
			for (int t = 0; t < s->steps; t++) {
				if (!s->bits[(size_t)t * s->units + u])
					continue;
				int run = 1;
				while (cw < 3 && t + run < s->steps && s->bits[(size_t)(t + run) * s->units + u])
					run++;
				double w = (run - 1) * cw + mw;
				bprintf(b, "M%.2f %.2fh%.2fv%.2fh%.2fz", PX(t + 1) - mw / 2, PY(u) - mh / 2, w, mh, -w);
				t += run - 1;
			}
		bprintf(b, "\"/>\n");
	}
#undef PX
#undef PY
}

static void draw_legend_sample(Buf *b, const Series *s, double x, double y)
{
	const char *col = svg_color(s->color);
	if (s->kind == K_LINE) {
		bprintf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.8\"%s/>\n",
			x, y, x + LEG_SAMPLE, y, col, dash_attr(s->dash));
		if (s->n <= SVG_MARKER_POINTS)
			bprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\"/>\n", x + LEG_SAMPLE / 2.0, y, col);
	} else if (s->kind == K_SCATTER) {
		bprintf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x + LEG_SAMPLE / 2.0, y, col);
	} else {
		bprintf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>\n", x + LEG_SAMPLE / 2.0 - 4,
			y - 4, col);
	}
}

/* One panel whose plot area starts at (x0, y0); the cell's left edge is cx. */
static void draw_panel(Buf *b, const SvgPanel *p, const Layout *l, int id, double cx, double x0, double y0)
{
	const Axis *ax = &l->ax[0], *ay = &l->ax[1];
	char lab[64];
	bprintf(b, "<g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", x0, y0, PW, PH);
	/* grid, then the data clipped a little outside the plot area so that
	 * markers on its edge show, then frame, ticks and tick labels */
	bprintf(b, "<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n");
	for (int i = 0; i < axis_ticks(ax); i++)
		bprintf(b, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", x0 + tick_at(ax, i, PW), y0,
			x0 + tick_at(ax, i, PW), y0 + PH);
	for (int i = 0; i < axis_ticks(ay); i++)
		bprintf(b, "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\"/>\n", x0, y0 + PH - tick_at(ay, i, PH),
			x0 + PW, y0 + PH - tick_at(ay, i, PH));
	bprintf(b, "</g>\n<clipPath id=\"clip%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\"/></clipPath>\n",
		id, x0 - 4, y0 - 4, PW + 8, PH + 8);
	bprintf(b, "<g clip-path=\"url(#clip%d)\">\n", id);
	for (int i = 0; i < p->ns; i++)
		draw_series(b, &p->s[i], l, x0, y0);
	bprintf(b, "</g>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444444\"/>\n",
		x0, y0, PW, PH);
	bprintf(b, "<g fill=\"#222222\">\n");
	for (int i = 0; i < axis_ticks(ax); i++) {
		double x = x0 + tick_at(ax, i, PW);
		tick_label(ax, i, lab, sizeof lab);
		bprintf(b, "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\" stroke=\"#444444\"/>\n", x, y0 + PH, x,
			y0 + PH + TICK);
		bprintf(b, "<text x=\"%.2f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x, y0 + PH + TICK + 3 + FONT,
			lab);
	}
	for (int i = 0; i < axis_ticks(ay); i++) {
		double y = y0 + PH - tick_at(ay, i, PH);
		tick_label(ay, i, lab, sizeof lab);
		bprintf(b, "<line x1=\"%.1f\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"#444444\"/>\n", x0 - TICK, y,
			x0, y);
		bprintf(b, "<text x=\"%.1f\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n", x0 - TICK - 3, y + FONT * 0.35,
			lab);
	}
	/* title and axis labels */
	char attrs[128];
	snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" font-size=\"%d\" font-weight=\"bold\"", TITLE_FONT);
	if (p->title)
		put_label(b, x0 + PW / 2.0, y0 - 10, attrs, p->title);
	double ly = y0 + PH + TICK + 4 + FONT;
	if (p->xlabel)
		put_label(b, x0 + PW / 2.0, ly += 8 + FONT, " text-anchor=\"middle\"", p->xlabel);
	if (p->ylabel) {
		double x = cx + 4 + FONT, y = y0 + PH / 2.0;
		snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\"", x, y);
		put_label(b, x, y, attrs, p->ylabel);
	}
	bprintf(b, "</g>\n");
	/* legend, flowing over the plot area's width */
	double ex = PW, ey = ly + 10 - LEG_ROW + FONT / 2.0;
	for (int i = 0; i < p->ns; i++) {
		const Series *s = &p->s[i];
		if (!s->label)
			continue;
		double w = entry_width(s);
		if (ex + w > PW && ex > 0) {
			ex = 0;
			ey += LEG_ROW;
		}
		draw_legend_sample(b, s, x0 + ex, ey);
		put_label(b, x0 + ex + LEG_SAMPLE + 5, ey + FONT * 0.35, " fill=\"#222222\"", s->label);
		ex += w;
	}
	bprintf(b, "</g>\n");
}

int svg_write(const SvgFigure *f, const char *path, char *err, size_t errlen)
{
	int np = f->np, cols = 1, rows = 0;
	Layout *l = alloc(sizeof *l * (size_t)(np ? np : 1));
	int *row = alloc(sizeof(int) * (size_t)(np ? np : 1)), *col = alloc(sizeof(int) * (size_t)(np ? np : 1));
	for (int i = 0, c = 0; i < np; i++, c++) {
		if (i == 0 || c == f->columns || (f->p[i]->new_row && c > 0)) {
			rows++;
			c = 0;
		}
		row[i] = rows - 1;
		col[i] = c;
		cols = c + 1 > cols ? c + 1 : cols;
	}
	double ml = 0;  /* left margin of every plot area in its cell */
	for (int i = 0; i < np; i++) {
		const SvgPanel *p = f->p[i];
		axis_make(p, 0, &l[i].ax[0]);
		axis_make(p, 1, &l[i].ax[1]);
		char lab[64];
		for (int t = 0; t < axis_ticks(&l[i].ax[1]); t++) {
			tick_label(&l[i].ax[1], t, lab, sizeof lab);
			l[i].ytick_w = fmax(l[i].ytick_w, text_width(lab, FONT));
		}
		l[i].legend_rows = legend_rows(p, PW);
		ml = fmax(ml, 6 + (p->ylabel ? FONT + 10 : 0) + l[i].ytick_w + TICK + 5);
	}
	double cell_w = ml + PW + 28;  /* room on the right for the last x tick label */
	double *row_h = alloc(sizeof(double) * (size_t)(rows ? rows : 1));
	double *row_y = alloc(sizeof(double) * (size_t)(rows ? rows : 1));
	for (int i = 0; i < np; i++)
		row_h[row[i]] = fmax(row_h[row[i]], MT + PH + below_plot(f->p[i], &l[i]));
	double top = PAD + (f->title ? FIG_FONT + 14 : 0);
	double width = 2 * PAD + cols * cell_w, height = top + PAD;
	for (int r = 0; r < rows; r++) {
		row_y[r] = height - PAD;
		height += row_h[r];
	}
	if (f->title)
		width = fmax(width, 2 * PAD + text_width(f->title, FIG_FONT));

	Buf b = {alloc(1 << 16), 0, 1 << 16};
	bprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"%d\">\n", ceil(width),
		ceil(height), ceil(width), ceil(height), FONT);
	bprintf(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	if (f->title) {
		char attrs[96];
		snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" font-size=\"%d\" font-weight=\"bold\"", FIG_FONT);
		put_label(&b, width / 2, PAD + FIG_FONT, attrs, f->title);
	}
	for (int i = 0; i < np; i++) {
		double cx = PAD + col[i] * cell_w;
		draw_panel(&b, f->p[i], &l[i], i, cx, cx + ml, row_y[row[i]] + MT);
	}
	bprintf(&b, "</svg>\n");
	const void *parts[1] = {b.p};
	size_t sizes[1] = {b.len};
	int rc = fileio_write_atomic(path, parts, sizes, 1, err, errlen);
	free(b.p);
	free(row_h);
	free(row_y);
	free(row);
	free(col);
	free(l);
	return rc;
}
