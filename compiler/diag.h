/* diag.h: the one door for user errors.
 *
 * A user error prints `file:line:col: error: message`, then the source line and
 * a caret under the column, to stderr. Errors are counted; passes that can keep
 * going report several, then the pipeline stops with exit status 1 (diag_exit).
 * Sources are registered so the caret line can be shown for any location.
 * Past DIAG_MAX_ERRORS (20) errors in one file the rest are counted, not
 * printed; only diag_fatal and diag_exit exit. */
#ifndef SPIKEC_DIAG_H
#define SPIKEC_DIAG_H

typedef struct {
	int file;          /* index from diag_add_source, -1 for none */
	int line, col;     /* 1-based; 0 when unknown */
} SrcLoc;

#define NOLOC ((SrcLoc){-1, 0, 0})

/* Registers a source text under a display name; returns its file index. The
 * text is copied. */
int diag_add_source(const char *name, const char *text, long len);
const char *diag_source_name(int file);
const char *diag_source_text(int file, long *len);

void diag_error(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like diag_note, as `warning:`; not counted as an error. */
void diag_warning(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Names the program in messages without a location ("spikec" until set; the
 * command line sets "spikec COMMAND"). The string must outlive the messages. */
void diag_set_program(const char *name);
/* An error that has no source location (bad command line, unreadable file):
 * prints `PROGRAM: error: message` and exits with status 1. */
_Noreturn void diag_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int diag_error_count(void);
/* Forgets every source and error count, for a program that compiles many
 * files in one process (the model fuzz target); file indices start at 0. */
void diag_reset(void);
/* Exits with status 1 if any error was reported. */
void diag_exit_if_errors(void);
_Noreturn void diag_exit(void);

#endif
