/* nir.c: see nir.h. */
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fileio.h"
#include "mem/mem.h"
#include "nir.h"

typedef struct {
	char *graph, *src, *dst;
} Edge;

struct NirWriter {
	hid_t file;
	hid_t str;             /* variable-length UTF-8 string type */
	char err[512];         /* the first failure; err[0] == 0 while none */
	Edge *edges;
	int nedges, cap_edges;
	char **graphs;         /* group paths, NIR_TOP first */
	int ngraphs, cap_graphs;
	int nodes;
	char path[1024];       /* scratch for the path being written */
};

__attribute__((format(printf, 2, 3))) static void fail(NirWriter *w, const char *fmt, ...)
{
	if (w->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
}

/* w->path = graph/nodes/name[/field]; 0 when it does not fit. */
static int node_path(NirWriter *w, const char *graph, const char *name, const char *field)
{
	int n = snprintf(w->path, sizeof w->path, "%s/nodes/%s%s%s", graph, name, field ? "/" : "", field ? field : "");
	if (n < 0 || (size_t)n >= sizeof w->path || strchr(name, '/')) {
		fail(w, "NIR node name '%s' is too long or contains '/'", name);
		return 0;
	}
	return 1;
}

static void group(NirWriter *w, const char *path)
{
	hid_t g = H5Gcreate2(w->file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (g < 0)
		fail(w, "HDF5 could not create the group '%s' (out of memory, or a second node of that name)", path);
	else
		H5Gclose(g);
}

/* A dataset at path of `rank` dims (rank 0: a scalar) from data of memtype. */
static void dataset(NirWriter *w, const char *path, hid_t filetype, hid_t memtype, int rank, const hsize_t *dims,
		    const void *data)
{
	if (w->err[0])
		return;
	hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
	hid_t d = space < 0 ? -1 : H5Dcreate2(w->file, path, filetype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	if (d < 0 || H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
		fail(w, "HDF5 could not write the dataset '%s' (out of memory?)", path);
	if (d >= 0)
		H5Dclose(d);
	if (space >= 0)
		H5Sclose(space);
}

static void string(NirWriter *w, const char *path, const char *s)
{
	dataset(w, path, w->str, w->str, 0, NULL, &s);
}

/* The group of node `name` of graph with its "type"; 0 after a failure. */
static int begin_node(NirWriter *w, const char *graph, const char *name, const char *type)
{
	if (w->err[0] || !node_path(w, graph, name, NULL))
		return 0;
	group(w, w->path);
	node_path(w, graph, name, "type");
	string(w, w->path, type);
	w->nodes++;
	return !w->err[0];
}

static void field_f32(NirWriter *w, const char *graph, const char *name, const char *field, const float *v, int rank,
		      const int *dims)
{
	hsize_t d[2] = {(hsize_t)dims[0], rank > 1 ? (hsize_t)dims[1] : 0};
	if (node_path(w, graph, name, field))
		dataset(w, w->path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, rank, d, v);
}

static void field_f64(NirWriter *w, const char *graph, const char *name, const char *field, const double *v, int n)
{
	hsize_t d[1] = {(hsize_t)n};
	if (node_path(w, graph, name, field))
		dataset(w, w->path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d, v);
}

/* A graph group at path: its type and its (still empty) nodes. */
static void graph_group(NirWriter *w, const char *path)
{
	char sub[1100];
	group(w, path);
	snprintf(sub, sizeof sub, "%s/type", path);
	string(w, sub, "NIRGraph");
	snprintf(sub, sizeof sub, "%s/nodes", path);
	group(w, sub);
	if (w->ngraphs == w->cap_graphs) {
		w->cap_graphs = w->cap_graphs ? 2 * w->cap_graphs : 8;
		w->graphs = xrealloc(w->graphs, (size_t)w->cap_graphs * sizeof *w->graphs);
	}
	w->graphs[w->ngraphs++] = xstrdup(path);
}

NirWriter *nir_open(char *err, size_t errlen)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);  /* failures are reported as messages, not HDF5's stack dumps */
	NirWriter *w = xcalloc(1, sizeof *w);
	/* The core driver without a backing store: the file lives in memory
	 * until nir_save takes its image. */
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0 && H5Pset_fapl_core(fapl, 1 << 16, 0) >= 0)
		w->file = H5Fcreate("spikec-export.nir", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
	else
		w->file = -1;
	if (fapl >= 0)
		H5Pclose(fapl);
	w->str = H5Tcopy(H5T_C_S1);
	if (w->file < 0 || w->str < 0 || H5Tset_size(w->str, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(w->str, H5T_CSET_UTF8) < 0) {
		snprintf(err, errlen, "HDF5 could not create a file in memory (out of memory?)");
		nir_close(w);
		return NULL;
	}
	string(w, "version", NIR_VERSION);
	graph_group(w, NIR_TOP);
	if (w->err[0]) {
		snprintf(err, errlen, "%s", w->err);
		nir_close(w);
		return NULL;
	}
	return w;
}

const char *nir_graph(NirWriter *w, const char *graph, const char *name)
{
	if (!node_path(w, graph, name, NULL))
		return NIR_TOP;
	char path[sizeof w->path];
	memcpy(path, w->path, sizeof path);
	graph_group(w, path);
	w->nodes++;
	return w->graphs[w->ngraphs - 1];
}

static void shape_node(NirWriter *w, const char *graph, const char *name, const char *type, long n)
{
	if (!begin_node(w, graph, name, type))
		return;
	long long v = n;
	hsize_t d[1] = {1};
	node_path(w, graph, name, "shape");
	dataset(w, w->path, H5T_STD_I64LE, H5T_NATIVE_LLONG, 1, d, &v);
}

void nir_input(NirWriter *w, const char *graph, const char *name, long n)
{
	shape_node(w, graph, name, "Input", n);
}

void nir_output(NirWriter *w, const char *graph, const char *name, long n)
{
	shape_node(w, graph, name, "Output", n);
}

void nir_affine(NirWriter *w, const char *graph, const char *name, const float *weight, const float *bias, int rows,
		int cols)
{
	if (!begin_node(w, graph, name, "Affine"))
		return;
	field_f32(w, graph, name, "weight", weight, 2, (int[2]){rows, cols});
	field_f32(w, graph, name, "bias", bias, 1, (int[1]){rows});
}

void nir_linear(NirWriter *w, const char *graph, const char *name, const float *weight, int rows, int cols)
{
	if (begin_node(w, graph, name, "Linear"))
		field_f32(w, graph, name, "weight", weight, 2, (int[2]){rows, cols});
}

void nir_li(NirWriter *w, const char *graph, const char *name, int n, const double *tau, const double *r,
	    const double *v_leak)
{
	if (!begin_node(w, graph, name, "LI"))
		return;
	field_f64(w, graph, name, "tau", tau, n);
	field_f64(w, graph, name, "r", r, n);
	field_f64(w, graph, name, "v_leak", v_leak, n);
}

void nir_lif(NirWriter *w, const char *graph, const char *name, int n, const double *tau, const double *r,
	     const double *v_leak, const double *v_threshold)
{
	if (!begin_node(w, graph, name, "LIF"))
		return;
	field_f64(w, graph, name, "tau", tau, n);
	field_f64(w, graph, name, "r", r, n);
	field_f64(w, graph, name, "v_leak", v_leak, n);
	field_f64(w, graph, name, "v_threshold", v_threshold, n);
}

void nir_threshold(NirWriter *w, const char *graph, const char *name, int n, const double *threshold)
{
	if (begin_node(w, graph, name, "Threshold"))
		field_f64(w, graph, name, "threshold", threshold, n);
}

void nir_edge(NirWriter *w, const char *graph, const char *src, const char *dst)
{
	if (w->nedges == w->cap_edges) {
		w->cap_edges = w->cap_edges ? 2 * w->cap_edges : 16;
		w->edges = xrealloc(w->edges, (size_t)w->cap_edges * sizeof *w->edges);
	}
	w->edges[w->nedges++] = (Edge){xstrdup(graph), xstrdup(src), xstrdup(dst)};
}

void nir_counts(const NirWriter *w, int *nodes, int *edges)
{
	*nodes = w->nodes;
	*edges = w->nedges;
}

/* The "edges" of every graph, each an (E, 2) array of strings. */
static void write_edges(NirWriter *w)
{
	const char **pairs = xcalloc(2 * (size_t)w->nedges + 2, sizeof *pairs);
	char path[1100];
	for (int g = 0; g < w->ngraphs; g++) {
		hsize_t n = 0;
		for (int e = 0; e < w->nedges; e++)
			if (!strcmp(w->edges[e].graph, w->graphs[g])) {
				pairs[2 * n] = w->edges[e].src;
				pairs[2 * n + 1] = w->edges[e].dst;
				n++;
			}
		snprintf(path, sizeof path, "%s/edges", w->graphs[g]);
		dataset(w, path, w->str, w->str, 2, (hsize_t[2]){n, 2}, pairs);
	}
	free(pairs);
}

int nir_save(NirWriter *w, const char *path, char *err, size_t errlen)
{
	write_edges(w);
	if (!w->err[0] && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
		fail(w, "HDF5 could not flush the file in memory");
	ssize_t n = w->err[0] ? -1 : H5Fget_file_image(w->file, NULL, 0);
	if (n <= 0)
		fail(w, "HDF5 could not produce the file image");
	if (w->err[0]) {
		snprintf(err, errlen, "cannot write '%s': %s", path, w->err);
		return -1;
	}
	void *image = xmalloc((size_t)n);
	int rc = -1;
	if (H5Fget_file_image(w->file, image, (size_t)n) != n)
		snprintf(err, errlen, "cannot write '%s': HDF5 could not copy the file image", path);
	else
		rc = fileio_write_atomic(path, (const void *const[]){image}, (const size_t[]){(size_t)n}, 1, err, errlen);
	free(image);
	return rc;
}

void nir_close(NirWriter *w)
{
	if (!w)
		return;
	if (w->str >= 0)
		H5Tclose(w->str);
	if (w->file >= 0)
		H5Fclose(w->file);
	for (int e = 0; e < w->nedges; e++) {
		free(w->edges[e].graph);
		free(w->edges[e].src);
		free(w->edges[e].dst);
	}
	for (int g = 0; g < w->ngraphs; g++)
		free(w->graphs[g]);
	free(w->edges);
	free(w->graphs);
	free(w);
}
