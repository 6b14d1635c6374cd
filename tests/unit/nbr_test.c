/*
 * NLS neighbours (docs/spec.md §9): a two-way neighbour not heard for its dead interval goes
 * down (counted as neighbours_lost), and time the control thread was not run does not count
 * against it: its hellos may still be waiting in the data plane.
 */
#include "lsr_fixture.h"

static struct node n;

static void dead_interval(void)
{
	fixture_node(&n, 0);
	fixture_hello(&n, 1000000, 0, 0, 1000);
	CHECK_EQ(n.lsr.nbr[0].state, NBR_TWOWAY);
	nbr_tick(&n.lsr, 1400); /* 400 ms: the interval itself is still alive */
	CHECK_EQ(n.lsr.nbr[0].state, NBR_TWOWAY);
	nbr_tick(&n.lsr, 1401);
	CHECK_EQ(n.lsr.nbr[0].state, NBR_DOWN);
	CHECK_EQ(n.lsr.st.nbr_down, 1);
}

static void stall_forgiven(void)
{
	fixture_node(&n, 0);
	fixture_hello(&n, 1000000, 0, 0, 1000);
	nbr_tick(&n.lsr, 1100);
	nbr_stalled(&n.lsr, 700); /* it asked to wake at 1100 and woke at 1800 */
	nbr_tick(&n.lsr, 1800);
	CHECK_EQ(n.lsr.nbr[0].state, NBR_TWOWAY);
	nbr_tick(&n.lsr, 2100);
	CHECK_EQ(n.lsr.nbr[0].state, NBR_TWOWAY);
	nbr_tick(&n.lsr, 2101); /* but a dead neighbour still goes, only later */
	CHECK_EQ(n.lsr.nbr[0].state, NBR_DOWN);
	CHECK_EQ(n.lsr.st.nbr_down, 1);
	nbr_stalled(&n.lsr, 700); /* a neighbour already down stays down */
	CHECK_EQ(n.lsr.nbr[0].state, NBR_DOWN);
}

RUN_TESTS(T(dead_interval), T(stall_forgiven))
