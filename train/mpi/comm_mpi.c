/* comm_mpi.c: the MPI plugin, bin/spikec-mpi.so (train/comm.h loads it
 * under mpirun). The only code that includes mpi.h or links libmpi, built
 * with mpicc when the machine has it. It calls nothing in bin/spikec. */
#include <limits.h>
#include <stdio.h>
#include <mpi.h>

/* Each function's contract is that of its pointer in train/comm.h's Comm. */
int spikec_mpi_init(int *rank, int *size, char *err, size_t errlen);
int spikec_mpi_allgather(void *buf, size_t bytes, char *err, size_t errlen);
void spikec_mpi_abort(int status);
void spikec_mpi_finalize(void);

int spikec_mpi_init(int *rank, int *size, char *err, size_t errlen)
{
	if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
		snprintf(err, errlen, "MPI_Init failed");
		return -1;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	MPI_Comm_size(MPI_COMM_WORLD, size);
	return 0;
}

/* In place: this rank's part is already at buf + rank * bytes. Errors are
 * MPI's default, fatal to the whole run (a rank that died ends it). */
int spikec_mpi_allgather(void *buf, size_t bytes, char *err, size_t errlen)
{
	if (bytes > INT_MAX) {
		snprintf(err, errlen, "%zu bytes per rank to exchange in one step; MPI takes at most %d", bytes, INT_MAX);
		return -1;
	}
	MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, (int)bytes, MPI_BYTE, MPI_COMM_WORLD);
	return 0;
}

void spikec_mpi_abort(int status)
{
	MPI_Abort(MPI_COMM_WORLD, status);
}

void spikec_mpi_finalize(void)
{
	MPI_Finalize();
}
