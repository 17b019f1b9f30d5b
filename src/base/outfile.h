/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Writing an output file without damaging what is there: the one helper behind every option
 * that writes a file (`export -o`, `run --explain-out`). Open (and validate) early, before any
 * work whose result would be lost; write once at the end. The reference for what the user
 * expects is the shell's `>`, minus its habit of truncating a file before the data exists.
 *
 * What cf_outfile_open() does with PATH:
 *   "-"                 standard output, written in place (fd 1 is not closed).
 *   regular file, or a name that does not exist, reached through any chain of symlinks:
 *                       a temporary file is created in the final target's directory at once
 *                       (O_TMPFILE, else an O_EXCL name ".NAME.XXXXXXXX"), so an unwritable
 *                       directory fails here; cf_outfile_write() fills it, fsyncs it, gives it
 *                       the old file's mode (and owner, when running as root) or 0644 & ~umask
 *                       for a new file, and renames it over the target. Readers never see a
 *                       half-written file; on any error the old file is intact and no temporary
 *                       file is left. Symlinks stay symlinks (their target is replaced); hard
 *                       links to the old file keep the old content; ACLs and xattrs are not
 *                       copied (as with `sed -i`).
 *   character or block device (/dev/null, a tty):
 *                       opened O_WRONLY|O_NOCTTY|O_CLOEXEC, no O_TRUNC, written in place.
 *   FIFO:               opened O_WRONLY|O_NONBLOCK; while no reader has it open (ENXIO) the
 *                       open is retried for up to opts->fifo_wait_ms, then -ENXIO. The shell's
 *                       `>` blocks forever instead; a bounded wait keeps `cat fifo & callfence
 *                       ... -o fifo` working without hanging when nobody reads. Once open, the
 *                       fd is made blocking again so the write waits for the reader as `>` does.
 *   a file that is already open, named through procfs (/dev/stdout, /dev/fd/N,
 *   /proc/self/fd/N): no path to rename over exists, so it is written in place: our own fd N is
 *                       duplicated (sharing its offset and O_APPEND, exactly like `-` for fd 1;
 *                       this also works when it is a socket, which open(2) cannot reopen);
 *                       another process's fd is reopened, a regular file with O_APPEND.
 *   socket node:        open(2) fails with -ENXIO, as the shell's `>` does; nothing is touched.
 *   directory, "", a path ending in '/':  -EISDIR ("" gives -ENOENT, as open(2) does).
 *   a name that starts with '-' but is not "-": -EINVAL. Such a name is almost always an option
 *                       swallowed as the value (`--explain-out -- true`); "./-x" names the file.
 *   more than 40 symlinks (the kernel's MAXSYMLINKS): -ELOOP.
 *
 * A regular target that turns into something else before cf_outfile_write() (the command of
 * `run --explain-out` can run for hours) is not replaced: -EEXIST.
 *
 * Every fd is O_CLOEXEC: a confined command started in between does not inherit it. The
 * library never prints: every function returns 0 or a negative errno. SIGPIPE is left to the
 * caller's disposition.
 */
#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

enum cf_outfile_kind {
	CF_OUTFILE_NONE,
	CF_OUTFILE_STDOUT, /* "-" */
	CF_OUTFILE_IN_PLACE, /* device, FIFO, an open file named through procfs */
	CF_OUTFILE_REPLACE, /* regular file or new name: temp file renamed over it */
};

struct cf_outfile_opts {
	unsigned fifo_wait_ms; /* how long to wait for a FIFO's reader */
	bool no_tmpfile; /* skip O_TMPFILE (tests of the named-temp path) */
};

struct cf_outfile {
	enum cf_outfile_kind kind;
	int fd; /* where the data goes; fd 1 for "-" (not owned) */
	int dir_fd; /* REPLACE: the final target's directory */
	char *name; /* REPLACE: the final target's name in dir_fd */
	char *tmp_name; /* REPLACE: the temp file's name, once it has one */
	mode_t umask; /* REPLACE: for a new file */
	bool done; /* cf_outfile_write() has been called */
};

#define CF_OUTFILE_INIT                                         \
	{                                                       \
		.kind = CF_OUTFILE_NONE, .fd = -1, .dir_fd = -1 \
	}

/* The default wait for a FIFO reader, in milliseconds. */
#define CF_OUTFILE_FIFO_WAIT_MS 10000

int cf_outfile_open(struct cf_outfile *f, const char *path, const struct cf_outfile_opts *opts);
/* Write all of data and, for REPLACE, commit it. Once per open. */
int cf_outfile_write(struct cf_outfile *f, const void *data, size_t len);
/* Close; an uncommitted temp file is removed. Safe on CF_OUTFILE_INIT and twice. */
void cf_outfile_close(struct cf_outfile *f);

static inline void cf_outfile_closep(struct cf_outfile *f)
{
	cf_outfile_close(f);
}
