#ifndef SWITCHBOARD_CHIREDIS_SHIM_H
#define SWITCHBOARD_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/async.h>

/// The socket of an async context (Swift cannot reach through the nested `c` struct cleanly).
static inline int sb_redis_fd(const redisAsyncContext *ac) { return ac->c.fd; }

/// The context's error text, or NULL when it has none.
static inline const char *sb_redis_errstr(const redisAsyncContext *ac) {
    return ac->err ? ac->errstr : NULL;
}
#endif
