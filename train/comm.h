/* comm.h: the processes of one run (data-parallel training over MPI).
 *
 * Without mpirun, a run is one process: rank 0 of 1, and every call here
 * is a no-op. Under Open MPI's mpirun (OMPI_COMM_WORLD_SIZE in the
 * environment) comm_open loads the MPI plugin, bin/spikec-mpi.so (built
 * with mpicc when the machine has it; train/mpi/comm_mpi.c), which alone
 * links libmpi, so spikec builds and runs without MPI. The ranks exchange
 * data only by comm_allgather: a copy, never arithmetic, so what each rank
 * adds up afterwards, in a fixed order, is the same bits everywhere
 * (docs/mpi.md). A NULL Comm is the single process. */
#ifndef SPIKEC_TRAIN_COMM_H
#define SPIKEC_TRAIN_COMM_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	int rank, size;     /* 0 and 1 without MPI */
	int (*allgather)(void *buf, size_t bytes, char *err, size_t errlen);
	void (*abort)(int status);
	void (*finalize)(void);
} Comm;

/* Fills c: the single process, or under mpirun this process's rank of an
 * MPI run of 1, 2 or 4 ranks (`limit`: the sizes the caller can split its
 * work into, here the TRAIN_SHARDS shards of a batch). Returns -1 with err
 * set (the plugin missing, MPI failing, another number of ranks); rank 0
 * alone should print it (*quiet is set on the others). */
int comm_open(Comm *c, int limit, int *quiet, char *err, size_t errlen);

/* Whether this process runs under mpirun (what comm_open looks at). */
int comm_under_mpirun(void);

/* MPI_Finalize under MPI; then c is the single process again. */
void comm_close(Comm *c);

/* Rank r's `bytes` at buf + r * bytes are sent to every rank; on return
 * buf holds every rank's. A failure ends the whole run (comm->abort). */
void comm_allgather(const Comm *c, void *buf, size_t bytes);

/* Every rank calls this at the same point with its own error (NULL or ""
 * for none). Prints the errors: rank 0's, or when rank 0 had none, each
 * other rank's, naming it (an error every rank saw is printed once).
 * Returns 1 when no rank had an error, else 0 on every rank. */
int comm_agree(const Comm *c, const char *err);

/* The lowest rank whose 64-bit value differs from rank 0's, or -1. */
int comm_differs(const Comm *c, uint64_t value);

/* Whether this process writes the run's files and prints its progress. */
int comm_lead(const Comm *c);

#endif
