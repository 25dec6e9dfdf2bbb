/* nir.h: writing a NIR graph (Neuromorphic Intermediate Representation) as
 * the HDF5 file that the Python package nir reads (nir.read), through
 * libhdf5.
 *
 * The layout (docs/nir.md): a string dataset "version" at the root and a
 * group "node" holding the top graph. A graph is a group with a string
 * dataset "type" = "NIRGraph", a group "nodes" with one group per node, and
 * "edges", an (E, 2) array of strings [source, destination]. Every node
 * group has its "type" string and the arrays of its type, under NIR's field
 * names and nothing else (nir's reader passes each dataset to the node's
 * constructor). Strings are variable-length UTF-8, as h5py writes them.
 *
 * A graph is named by its group's path: NIR_TOP, or what nir_graph
 * returned. The file is built in memory and written by nir_save through
 * fileio_write_atomic, so a failure never leaves a partial file. HDF5's own
 * allocations do not go through mem/. */
#ifndef SPIKEC_IO_NIR_H
#define SPIKEC_IO_NIR_H

#include <stddef.h>

#define NIR_TOP "node"
/* The NIR format version written to "version". */
#define NIR_VERSION "1.0.0"

typedef struct NirWriter NirWriter;

/* An empty top graph. NULL with why in err when HDF5 fails. */
NirWriter *nir_open(char *err, size_t errlen);
/* A NIRGraph node `name` of `graph`; returns the new graph's path (owned by w). */
const char *nir_graph(NirWriter *w, const char *graph, const char *name);
/* Input and Output of n values per step. */
void nir_input(NirWriter *w, const char *graph, const char *name, long n);
void nir_output(NirWriter *w, const char *graph, const char *name, long n);
/* y = weight x + bias, and y = weight x; weight (rows, cols) row-major. */
void nir_affine(NirWriter *w, const char *graph, const char *name, const float *weight, const float *bias, int rows,
		int cols);
void nir_linear(NirWriter *w, const char *graph, const char *name, const float *weight, int rows, int cols);
/* tau v' = (v_leak - v) + r I, spiking at v > v_threshold; n neurons. */
void nir_lif(NirWriter *w, const char *graph, const char *name, int n, const double *tau, const double *r,
	     const double *v_leak, const double *v_threshold);
/* tau v' = (v_leak - v) + r I, no spikes. */
void nir_li(NirWriter *w, const char *graph, const char *name, int n, const double *tau, const double *r,
	    const double *v_leak);
/* z = 1 where x > threshold, else 0. */
void nir_threshold(NirWriter *w, const char *graph, const char *name, int n, const double *threshold);
/* An edge of graph from node src to node dst (NIR sums a node's inputs). */
void nir_edge(NirWriter *w, const char *graph, const char *src, const char *dst);
/* Number of nodes and edges added so far, over all graphs. */
void nir_counts(const NirWriter *w, int *nodes, int *edges);

/* Writes the edges and the file to path atomically. 0, or -1 with a
 * message in err (the first HDF5 failure since nir_open, or the write's). */
int nir_save(NirWriter *w, const char *path, char *err, size_t errlen);
void nir_close(NirWriter *w);

#endif
