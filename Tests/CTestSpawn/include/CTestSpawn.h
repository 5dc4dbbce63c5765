#ifndef SWITCHBOARD_CTESTSPAWN_H
#define SWITCHBOARD_CTESTSPAWN_H
#include <sys/types.h>

/* Starts a child for the tests, the way a shell would: posix_spawn with only fds 0-2 open
   (every other descriptor of the test runner closed in the child), an empty signal mask and
   default signal dispositions, an optional working directory. `stdin_fd` < 0 means
   /dev/null; a NULL output path means /dev/null; equal paths share one descriptor.
   Returns 0, or an errno value. (Foundation's Process.run() can over-read a dirent and
   crash the test runner on Linux, swiftlang/swift-corelibs-foundation#5472.) */
int sb_test_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                  int stdin_fd, const char *stdout_path, const char *stderr_path);

#endif
