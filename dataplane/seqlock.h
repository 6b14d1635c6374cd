/* A sequence counter: one writer (the data plane) publishes a record that readers (the control
 * plane) copy without locks, retrying when the writer was in the middle of it. */
#ifndef NEWIP_SEQLOCK_H
#define NEWIP_SEQLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

static inline void seq_write_begin(_Atomic uint32_t *s)
{
	atomic_store_explicit(s, atomic_load_explicit(s, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void seq_write_end(_Atomic uint32_t *s)
{
	atomic_store_explicit(s, atomic_load_explicit(s, memory_order_relaxed) + 1,
			      memory_order_release);
}

static inline uint32_t seq_read_begin(const _Atomic uint32_t *s)
{
	return atomic_load_explicit((_Atomic uint32_t *)s, memory_order_acquire);
}

/* After copying: was the copy whole? */
static inline bool seq_read_ok(const _Atomic uint32_t *s, uint32_t begun)
{
	atomic_thread_fence(memory_order_acquire);
	return !(begun & 1) &&
	       atomic_load_explicit((_Atomic uint32_t *)s, memory_order_relaxed) == begun;
}

#endif
