/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Each command parses its own argv (argv[0] is the command name) and returns the exit code. */
int cmd_run(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_record(int argc, char **argv);

/* listing.c: `callfence help --capabilities|--syscalls`, hidden lists for shell completion. */
int cli_help_list(const char *what);
