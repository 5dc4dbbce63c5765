#ifndef SWITCHBOARD_CLINUX_SHIM_H
#define SWITCHBOARD_CLINUX_SHIM_H
/* Linux-only calls and headers Glibc's Swift module does not carry. No feature macros here:
   they would change libc's struct definitions and clash with other C modules. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>

/* accept4 is declared only under _GNU_SOURCE; the system call is always there. */
static inline int sb_accept_nonblocking(int fd) {
    return (int)syscall(SYS_accept4, fd, 0, 0, 04000 /* SOCK_NONBLOCK */ | 02000000 /* SOCK_CLOEXEC */);
}

/* getrandom(2), through the system call so no libc version question arises. */
static inline long sb_getrandom(void *buffer, unsigned long length) {
    return syscall(SYS_getrandom, buffer, length, 0);
}
#endif
