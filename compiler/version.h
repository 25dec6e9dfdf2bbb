/* version.h: spikec's version, written into checkpoints and emitted files. */
#ifndef SPIKEC_VERSION_H
#define SPIKEC_VERSION_H
#define SPIKEC_VERSION "0.1.0"
#endif
