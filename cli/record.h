/*
 * record.h - `prof-render record`: runs a command under `perf record -g`
 * and turns the recording into `perf script` text for the perf reader.
 */
#ifndef PRF_CLI_RECORD_H
#define PRF_CLI_RECORD_H

#include <stddef.h>

/* Profiles argv (NULL-terminated) at hz samples per second (NULL: 999,
 * enough samples from a short run at little cost), then writes `perf script`
 * output to a new temporary file whose malloc'd path goes to *script.
 * Returns 0, or an exit status after printing one line saying what went
 * wrong and how to fix it (perf missing, not permitted, ...). */
int record_profile(const char *hz, char **argv, char **script);

/* Removes the temporary files of a recording and frees the path. */
void record_cleanup(char *script);

#endif
