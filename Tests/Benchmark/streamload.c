/* streamload: the benchmark's stream client. One process, one epoll loop, no allocation per
 * chunk, so the load generator is not what a stream scenario measures (bench.py starts several).
 *
 * Sends the raw HTTP request in a file (head and body, "Connection: close") `-n` times, keeping
 * `-c` in flight, and prints one line per stream:
 *   S <ttfb_ns> <ttlb_ns> <status> <complete> <events> <body_bytes>
 * ttfb: from just before connect() to the first byte after the response head (the first event);
 * ttlb: to the server closing the connection. complete: status 200 and the marker (`-m`, e.g.
 * "data: [DONE]") seen. events: "\n\n" separators in the body (SSE events, approximately).
 * Then one summary line:
 *   R <user_ns> <sys_ns> <last_first_byte_mono_ns> <first_end_mono_ns>
 * (when the last stream got its first byte and the first complete one ended, CLOCK_MONOTONIC,
 * comparable across processes: if the first is earlier, every stream was open at one moment).
 *
 * -a: open the first `concurrency` streams at this rate a second, not all at once (a ramp that
 * does not overflow the server's accept queue, for scenarios about holding streams, not bursts).
 *
 * usage: streamload -p port -r request_file -n total -c concurrency [-d seconds]
 *                   [-s start_at_realtime_ns] [-m marker] [-a rate] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { HEAD_MAX = 8192, TAIL_MAX = 64 };

struct stream {
    int fd;
    size_t sent;
    uint64_t t0, first, end;
    int status;
    size_t head_len;  /* bytes of the head buffered so far; head_done when the blank line is seen */
    int head_done;
    int saw_marker;
    char prev;        /* last body byte, for separators split across reads */
    uint64_t events, body_bytes;
    char head[HEAD_MAX];
    char tail[TAIL_MAX]; /* last bytes of the body, for a marker split across reads */
    size_t tail_len;
};

static char *request;
static size_t request_len;
static const char *marker = "";
static size_t marker_len;
static struct sockaddr_in target;
static int ep;
static uint64_t last_first_byte, first_end = UINT64_MAX;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static void report(struct stream *s) {
    int complete = s->status == 200 && (marker_len == 0 || s->saw_marker);
    uint64_t ttfb = s->first ? s->first - s->t0 : 0;
    printf("S %llu %llu %d %d %llu %llu\n", (unsigned long long)ttfb, (unsigned long long)(s->end - s->t0),
           s->status, complete, (unsigned long long)s->events, (unsigned long long)s->body_bytes);
}

static int finish(struct stream *s) {
    s->end = now_ns();
    int complete = s->status == 200 && (marker_len == 0 || s->saw_marker);
    if (complete && s->end < first_end) first_end = s->end;
    close(s->fd);
    report(s);
    return 0;
}

static int launch(struct stream *s) {
    memset(s, 0, offsetof(struct stream, head));
    s->tail_len = 0;
    s->t0 = now_ns();
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (s->fd < 0) die("socket");
    int one = 1;
    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s->fd, (struct sockaddr *)&target, sizeof target) < 0 && errno != EINPROGRESS) {
        s->end = now_ns();
        close(s->fd);
        report(s);
        return 0;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = s};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) die("epoll_ctl");
    return 1;
}

static void body(struct stream *s, const char *p, size_t n) {
    if (n == 0) return;
    s->body_bytes += n;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' && s->prev == '\n') s->events++;
        s->prev = p[i];
    }
    if (marker_len && !s->saw_marker) {
        /* Search the previous tail joined with this read's start, then this read. */
        char joined[2 * TAIL_MAX];
        size_t take = n < TAIL_MAX ? n : TAIL_MAX;
        memcpy(joined, s->tail, s->tail_len);
        memcpy(joined + s->tail_len, p, take);
        if (memmem(joined, s->tail_len + take, marker, marker_len) || memmem(p, n, marker, marker_len))
            s->saw_marker = 1;
        size_t keep = n < TAIL_MAX ? n : TAIL_MAX;
        if (s->tail_len + keep > TAIL_MAX) {
            size_t drop = s->tail_len + keep - TAIL_MAX;
            memmove(s->tail, s->tail + drop, s->tail_len - drop);
            s->tail_len -= drop;
        }
        memcpy(s->tail + s->tail_len, p + n - keep, keep);
        s->tail_len += keep;
    }
}

/* One read per readiness event (the loop is level-triggered): returns 1 while the stream is
 * open, 0 once it ended (reported and closed). */
static int readable(struct stream *s, char *buf, size_t cap) {
    ssize_t n = read(s->fd, buf, cap);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
    if (n > 0) {
        uint64_t t = now_ns();
        const char *p = buf;
        size_t len = (size_t)n;
        if (!s->head_done) {
            size_t room = HEAD_MAX - s->head_len, take = len < room ? len : room;
            memcpy(s->head + s->head_len, p, take);
            size_t before = s->head_len;
            s->head_len += take;
            char *cut = memmem(s->head, s->head_len, "\r\n\r\n", 4);
            if (!cut) return s->head_len < HEAD_MAX ? 1 : finish(s); /* no head within 8 KB: incomplete */
            s->head_done = 1;
            s->status = atoi(s->head + 9); /* "HTTP/1.1 200" */
            size_t head_end = (size_t)(cut - s->head) + 4;
            p += head_end - before;
            len -= head_end - before;
        }
        if (len && !s->first) {
            s->first = t;
            if (t > last_first_byte) last_first_byte = t;
        }
        body(s, p, len);
        return 1;
    }
    return finish(s);
}

static void writable(struct stream *s) {
    while (s->sent < request_len) {
        ssize_t n = write(s->fd, request + s->sent, request_len - s->sent);
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) return; /* the read side reports the failure */
        s->sent += (size_t)n;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = s};
    epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
}

int main(int argc, char **argv) {
    int port = 0, total = 1, concurrency = 1;
    double seconds = 0, rate = 0;
    long long start_at = 0;
    const char *file = NULL;
    for (int opt; (opt = getopt(argc, argv, "p:r:n:c:d:s:m:a:")) != -1;) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'r': file = optarg; break;
        case 'n': total = atoi(optarg); break;
        case 'c': concurrency = atoi(optarg); break;
        case 'd': seconds = atof(optarg); break;
        case 's': start_at = atoll(optarg); break;
        case 'm': marker = optarg; break;
        case 'a': rate = atof(optarg); break;
        default: fprintf(stderr, "usage: see the comment at the top of streamload.c\n"); return 2;
        }
    }
    if (!port || !file || total < 1 || concurrency < 1) {
        fprintf(stderr, "streamload: -p, -r, -n >= 1 and -c >= 1 are required\n");
        return 2;
    }
    marker_len = strlen(marker);
    if (concurrency > total) concurrency = total;

    int fd = open(file, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) die(file);
    request_len = (size_t)st.st_size;
    request = malloc(request_len);
    if (!request || read(fd, request, request_len) != (ssize_t)request_len) die("read request");
    close(fd);

    /* Every stream holds one descriptor; take what the hard limit allows. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct stream *slots = calloc((size_t)concurrency, sizeof *slots);
    struct epoll_event *events = calloc((size_t)concurrency, sizeof *events);
    char *buf = malloc(65536);
    if (!slots || !events || !buf) die("calloc");

    if (start_at > 0) { /* start every client process of a burst at the same moment */
        struct timespec at = {.tv_sec = start_at / 1000000000LL, .tv_nsec = start_at % 1000000000LL};
        while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) == EINTR) {}
    }
    uint64_t deadline = seconds > 0 ? now_ns() + (uint64_t)(seconds * 1e9) : UINT64_MAX;
    int launched = 0, open_streams = 0, filled = 0;
    uint64_t fill_start = now_ns();
    while (open_streams > 0 || filled < concurrency) {
        /* The first `concurrency` streams: all at once, or `rate` a second (-a). */
        int timeout_ms = -1;
        while (filled < concurrency) {
            uint64_t due = rate > 0 ? fill_start + (uint64_t)(filled * 1e9 / rate) : 0, t = now_ns();
            if (due > t) {
                timeout_ms = (int)((due - t + 999999) / 1000000);
                break;
            }
            launched++;
            open_streams += launch(&slots[filled++]);
        }
        int n = epoll_wait(ep, events, concurrency, timeout_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct stream *s = events[i].data.ptr;
            if (events[i].events & EPOLLOUT) writable(s);
            if (!(events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) continue;
            if (readable(s, buf, 65536)) continue;
            open_streams--;
            /* Refill the slot while streams remain; a failed connect reports and tries the next. */
            while (launched < total && now_ns() < deadline) {
                launched++;
                if (launch(s)) { open_streams++; break; }
            }
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("R %llu %llu %llu %llu\n",
           (unsigned long long)ru.ru_utime.tv_sec * 1000000000ull + (unsigned long long)ru.ru_utime.tv_usec * 1000ull,
           (unsigned long long)ru.ru_stime.tv_sec * 1000000000ull + (unsigned long long)ru.ru_stime.tv_usec * 1000ull,
           (unsigned long long)last_first_byte, (unsigned long long)(first_end == UINT64_MAX ? 0 : first_end));
    return 0;
}
