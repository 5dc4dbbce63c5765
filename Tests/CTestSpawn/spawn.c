#define _GNU_SOURCE
#include "CTestSpawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>

int sb_test_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                  int stdin_fd, const char *stdout_path, const char *stderr_path) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) { posix_spawn_file_actions_destroy(&actions); return rc; }

    if (stdin_fd >= 0) rc = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    else rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    const int out = O_WRONLY | O_APPEND | O_CREAT;
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 1, stdout_path ? stdout_path : "/dev/null", out, 0644);
    if (rc == 0) {
        if (stdout_path && stderr_path && strcmp(stdout_path, stderr_path) == 0)
            rc = posix_spawn_file_actions_adddup2(&actions, 1, 2);
        else
            rc = posix_spawn_file_actions_addopen(&actions, 2, stderr_path ? stderr_path : "/dev/null", out, 0644);
    }
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0 && cwd) rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);

    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attributes, &all);
    if (rc == 0) rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);

    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}
