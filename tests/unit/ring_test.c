/*
 * The rings between the data and control planes (dataplane/ring.h): first in, first out, and
 * the last RING_RESERVE slots kept for urgent messages (NLS hellos), so a burst of database
 * updates cannot make a live neighbour look dead.
 */
#include "../../dataplane/ring.h"
#include "harness.h"

static void fifo_and_reserve(void)
{
	struct ring r;
	uint8_t b[4] = {0};
	uint32_t i;

	CHECK_EQ(ring_init(&r), 0);
	for (i = 0; i < RING_SLOTS - RING_RESERVE; i++) {
		b[0] = (uint8_t)i;
		CHECK(ring_push(&r, false, 1, i, 0, b, sizeof(b)));
	}
	CHECK(!ring_push(&r, false, 1, 0, 0, b, sizeof(b))); /* bulk: only the reserve is left */
	for (; i < RING_SLOTS; i++) {
		b[0] = (uint8_t)i;
		CHECK(ring_push(&r, true, 2, i, 0, b, sizeof(b)));
	}
	CHECK(!ring_push(&r, true, 2, 0, 0, b, sizeof(b))); /* full */
	CHECK_EQ(ring_used(&r), RING_SLOTS);
	for (i = 0; i < RING_SLOTS; i++) {
		struct ring_slot *s = ring_peek(&r);
		CHECK(s && s->data[0] == (uint8_t)i && s->ts_ns == i && s->len == sizeof(b));
		CHECK_EQ(s->link, i < RING_SLOTS - RING_RESERVE ? 1 : 2);
		ring_pop(&r);
	}
	CHECK(!ring_peek(&r));
	CHECK(!ring_push(&r, true, 1, 0, 0, b, PKT_BUF + 1)); /* larger than a slot */
	CHECK(ring_push(&r, false, 1, 0, 0, b, sizeof(b)));   /* room again */
	ring_free(&r);
}

/* A workers' ring (ring_init_n): its own size, in order across many wraps. */
static void sized_ring_wraps(void)
{
	struct ring r;
	uint8_t b[2] = { 0 };
	uint32_t next = 0;

	CHECK_EQ(ring_init_n(&r, 512), 0);
	for (uint32_t i = 0; i < 5000; i++) {
		b[0] = (uint8_t)i;
		b[1] = (uint8_t)(i >> 8);
		CHECK(ring_push(&r, false, 3, i, 0, b, sizeof(b)));
		if (i % 7 == 6) /* the consumer lags, then catches up */
			for (struct ring_slot *s; (s = ring_peek(&r)); ring_pop(&r), next++)
				CHECK(s->ts_ns == next && s->data[0] == (uint8_t)next &&
				      s->data[1] == (uint8_t)(next >> 8));
	}
	CHECK_EQ(next, 4998u);
	for (uint32_t i = ring_used(&r); i < 512 - RING_RESERVE; i++)
		CHECK(ring_push(&r, false, 3, 0, 0, b, sizeof(b)));
	CHECK(!ring_push(&r, false, 3, 0, 0, b, sizeof(b))); /* full at its own size */
	ring_free(&r);
}

RUN_TESTS(T(fifo_and_reserve), T(sized_ring_wraps))
