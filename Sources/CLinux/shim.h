#ifndef SWITCHBOARD_CLINUX_SHIM_H
#define SWITCHBOARD_CLINUX_SHIM_H
/* Linux-only calls and headers Glibc's Swift module does not carry. No feature macros here:
   they would change libc's struct definitions and clash with other C modules. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <time.h>

/* accept4 is declared only under _GNU_SOURCE; the system call is always there. */
static inline int sb_accept_nonblocking(int fd) {
    return (int)syscall(SYS_accept4, fd, 0, 0, 04000 /* SOCK_NONBLOCK */ | 02000000 /* SOCK_CLOEXEC */);
}

/* getrandom(2), through the system call so no libc version question arises. */
static inline long sb_getrandom(void *buffer, unsigned long length) {
    return syscall(SYS_getrandom, buffer, length, 0);
}

/* Gives the allocator's free pages back to the kernel (glibc keeps a burst's peak in its
   per-thread arenas otherwise). Returns 1 when memory was released. */
static inline int sb_malloc_trim(void) { return malloc_trim(0); }

/* Bounds glibc's arena count (M_ARENA_MAX); 0 leaves glibc's default. */
static inline int sb_set_arena_max(int arenas) { return arenas > 0 ? mallopt(M_ARENA_MAX, arenas) : 1; }

/* poll(2) through the system call (ppoll: every architecture has it), for a `poll` of ours that
   stands in for libc's and must not call itself. */
static inline int sb_kernel_poll(struct pollfd *fds, unsigned long count, int timeout_ms) {
    struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
    return (int)syscall(SYS_ppoll, fds, count, timeout_ms < 0 ? (struct timespec *)0 : &ts, (void *)0, 8);
}
#endif
