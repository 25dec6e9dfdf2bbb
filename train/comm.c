/* comm.c: see comm.h. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "comm.h"
#include "io/fileio.h"
#include "mem/mem.h"

int comm_under_mpirun(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") != NULL;
}

int comm_open(Comm *c, int limit, int *quiet, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->size = 1;
	if (!comm_under_mpirun())
		return 0;
	const char *env = getenv("OMPI_COMM_WORLD_SIZE"), *rank = getenv("OMPI_COMM_WORLD_RANK");
	/* Until MPI says otherwise, only the first rank speaks. */
	*quiet = rank && atoi(rank) != 0;
	char path[4200], why[9000];
	/* RTLD_GLOBAL: Open MPI's own components, which it dlopens, resolve
	 * libmpi's symbols through the global scope. Never closed. */
	void *h = fileio_plugin_open("SPIKEC_MPI_PLUGIN", "spikec-mpi.so", RTLD_NOW | RTLD_GLOBAL, path, sizeof path,
				     why, sizeof why);
	if (!h) {
		snprintf(err, errlen, "this run is under mpirun (OMPI_COMM_WORLD_SIZE=%s), but the MPI plugin is not "
			 "available: %s; build it with 'make' on a machine with mpicc (Debian: openmpi-bin, "
			 "libopenmpi-dev), or set SPIKEC_MPI_PLUGIN", env, why);
		return -1;
	}
	int (*init)(int *, int *, char *, size_t);
	*(void **)&init = dlsym(h, "spikec_mpi_init");
	*(void **)&c->allgather = dlsym(h, "spikec_mpi_allgather");
	*(void **)&c->abort = dlsym(h, "spikec_mpi_abort");
	*(void **)&c->finalize = dlsym(h, "spikec_mpi_finalize");
	if (!init || !c->allgather || !c->abort || !c->finalize) {
		snprintf(err, errlen, "%s is not the spikec MPI plugin (no spikec_mpi_init); rebuild it with 'make'",
			 path);
		memset(c, 0, sizeof *c);
		c->size = 1;
		return -1;
	}
	if (init(&c->rank, &c->size, err, errlen))
		return -1;
	*quiet = c->rank != 0;
	if (c->size < 1 || c->size > limit || limit % c->size) {
		snprintf(err, errlen, "a run takes 1, 2 or 4 MPI ranks (each rank takes whole shards of the %d that "
			 "every batch is split into), not %d; use mpirun -np 1, 2 or 4", limit, c->size);
		comm_close(c);
		return -1;
	}
	return 0;
}

void comm_close(Comm *c)
{
	if (c->finalize)
		c->finalize();
	memset(c, 0, sizeof *c);
	c->size = 1;
}

void comm_allgather(const Comm *c, void *buf, size_t bytes)
{
	char err[512];
	if (!c || c->size == 1)
		return;
	if (c->allgather(buf, bytes, err, sizeof err)) {
		fprintf(stderr, "spikec (rank %d): error: %s\n", c->rank, err);
		c->abort(1);
	}
}

int comm_agree(const Comm *c, const char *err)
{
	int mine = !err || !*err;
	if (!c || c->size == 1) {
		if (!mine)
			fprintf(stderr, "spikec: error: %s\n", err);
		return mine;
	}
	int *ok = xcalloc((size_t)c->size, sizeof(int));
	ok[c->rank] = mine;
	comm_allgather(c, ok, sizeof(int));
	int all = 1;
	for (int r = 0; r < c->size; r++)
		all &= ok[r];
	if (!mine && c->rank == 0)
		fprintf(stderr, "spikec: error: %s\n", err);
	else if (!mine && ok[0])
		fprintf(stderr, "spikec (rank %d of %d): error: %s\n", c->rank, c->size, err);
	free(ok);
	return all;
}

int comm_differs(const Comm *c, uint64_t value)
{
	if (!c || c->size == 1)
		return -1;
	uint64_t *v = xcalloc((size_t)c->size, sizeof(uint64_t));
	v[c->rank] = value;
	comm_allgather(c, v, sizeof(uint64_t));
	int at = -1;
	for (int r = c->size - 1; r > 0; r--)
		if (v[r] != v[0])
			at = r;
	free(v);
	return at;
}

int comm_lead(const Comm *c)
{
	return !c || c->rank == 0;
}
