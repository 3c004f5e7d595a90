/*
 * record.c - running perf for `prof-render record`.
 */
#define _GNU_SOURCE
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { EXIT_USAGE = 2, EXIT_SOFTWARE = 70, EXIT_OSERR = 71, EXIT_CANTCREAT = 73,
       EXIT_UNAVAILABLE = 69 };

static const char perf_missing[] =
    "prof-render: record needs Linux perf, which is not installed; install it "
    "with 'sudo apt-get install linux-perf' (Debian) or 'sudo apt-get install "
    "linux-tools-$(uname -r)' (Ubuntu)\n";

/* Whether perf is on the PATH. */
static int have_perf(void) {
  const char *path = getenv("PATH");
  if (!path)
    return 0;
  char buf[4096];
  for (const char *p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n && n + 6 < sizeof buf) {
      memcpy(buf, p, n);
      memcpy(buf + n, "/perf", 6);
      if (access(buf, X_OK) == 0)
        return 1;
    }
    p += n + (e != NULL);
  }
  return 0;
}

/* Runs argv with stdout to out_fd (-1: inherited) and stderr to err_fd
 * (-1: inherited); returns the wait status, or -1 when it cannot start. */
static int spawn(char *const *argv, int out_fd, int err_fd) {
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
      _exit(127);
    if (err_fd >= 0 && dup2(err_fd, STDERR_FILENO) < 0)
      _exit(127);
    execvp(argv[0], argv);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return status;
}

static char *temp_path(const char *suffix) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  size_t n = strlen(dir) + strlen(suffix) + 32;
  char *p = malloc(n);
  if (!p)
    return NULL;
  snprintf(p, n, "%s/prof-render-XXXXXX%s", dir, suffix);
  int fd = mkstemps(p, (int)strlen(suffix));
  if (fd < 0) {
    free(p);
    return NULL;
  }
  close(fd);
  return p;
}

/* The tail of perf's own message, so the user sees why it failed. */
static void show_log(const char *log) {
  FILE *f = fopen(log, "r");
  if (!f)
    return;
  char line[512];
  int shown = 0;
  while (fgets(line, sizeof line, f) && shown < 12) {
    if (strncmp(line, "[ perf record:", 14) == 0)
      continue;
    fprintf(stderr, "  perf: %s", line);
    shown++;
  }
  fclose(f);
}

static int log_says(const char *log, const char *what) {
  FILE *f = fopen(log, "r");
  if (!f)
    return 0;
  char line[1024];
  int found = 0;
  while (!found && fgets(line, sizeof line, f))
    found = strstr(line, what) != NULL;
  fclose(f);
  return found;
}

int record_profile(const char *hz, char **argv, char **script) {
  *script = NULL;
  if (!argv[0]) {
    fprintf(stderr, "prof-render: record needs a command: prof-render record "
                    "[-F HZ] [-o OUT] -- COMMAND [ARGS...]\n");
    return EXIT_USAGE;
  }
  if (!have_perf()) {
    fputs(perf_missing, stderr);
    return EXIT_UNAVAILABLE;
  }
  char *data = temp_path(".data"), *log = temp_path(".log"),
       *text = temp_path(".txt");
  int rc = 0;
  if (!data || !log || !text) {
    fprintf(stderr, "prof-render: cannot create a temporary file: %s\n",
            strerror(errno));
    rc = EXIT_CANTCREAT;
    goto done;
  }
  size_t n = 0;
  while (argv[n])
    n++;
  char **cmd = calloc(n + 10, sizeof *cmd);
  if (!cmd) {
    fprintf(stderr, "prof-render: out of memory\n");
    rc = EXIT_OSERR;
    goto done;
  }
  size_t k = 0;
  cmd[k++] = "perf";
  cmd[k++] = "record";
  cmd[k++] = "-g";
  cmd[k++] = "-F";
  cmd[k++] = (char *)(hz ? hz : "999");
  cmd[k++] = "-o";
  cmd[k++] = data;
  cmd[k++] = "--";
  for (size_t i = 0; i < n; i++)
    cmd[k++] = argv[i];
  cmd[k] = NULL;
  int log_fd = open(log, O_WRONLY | O_TRUNC);
  /* Ctrl-C stops the command (perf then writes what it has); it must not
     stop us before we render that. */
  void (*old)(int) = signal(SIGINT, SIG_IGN);
  int status = spawn(cmd, -1, log_fd);
  signal(SIGINT, old);
  if (log_fd >= 0)
    close(log_fd);
  free(cmd);
  struct stat st;
  if (status == -1 || stat(data, &st) != 0 || st.st_size == 0) {
    if (log_says(log, "perf_event_paranoid") || log_says(log, "ermission") ||
        log_says(log, "not permitted")) {
      fprintf(stderr,
              "prof-render: perf may not profile here (kernel.perf_event_paranoid "
              "is too strict, or a container forbids perf_event_open); run as "
              "root, or allow it with 'sudo sysctl kernel.perf_event_paranoid=1'\n");
    } else {
      fprintf(stderr, "prof-render: perf record failed%s\n",
              status == -1 ? " to start" : "");
    }
    show_log(log);
    rc = EXIT_UNAVAILABLE;
    goto done;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    fprintf(stderr, "prof-render: warning: the command or perf exited with "
                    "status %d; rendering what was recorded\n",
            WEXITSTATUS(status));
  char *script_cmd[] = {"perf", "script", "-i", data, NULL};
  int out_fd = open(text, O_WRONLY | O_TRUNC);
  log_fd = open(log, O_WRONLY | O_TRUNC);
  status = out_fd < 0 ? -1 : spawn(script_cmd, out_fd, log_fd);
  if (out_fd >= 0)
    close(out_fd);
  if (log_fd >= 0)
    close(log_fd);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "prof-render: perf script failed on the recording\n");
    show_log(log);
    rc = EXIT_SOFTWARE;
    goto done;
  }
done:
  if (data)
    unlink(data);
  if (log)
    unlink(log);
  free(data);
  free(log);
  if (rc == 0) {
    *script = text;
  } else if (text) {
    unlink(text);
    free(text);
  }
  return rc;
}

void record_cleanup(char *script) {
  if (script) {
    unlink(script);
    free(script);
  }
}
