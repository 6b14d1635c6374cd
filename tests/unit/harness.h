/* A small test harness: each case runs in its own forked child with a timeout. */
#ifndef NEWIP_TEST_HARNESS_H
#define NEWIP_TEST_HARNESS_H

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,        \
				__LINE__, #a, #b, a_, b_);                                         \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (strcmp(a_, b_) != 0) {                                                         \
			fprintf(stderr, "%s:%d: %s == %s failed:\n  \"%s\"\n  \"%s\"\n", __FILE__, \
				__LINE__, #a, #b, a_, b_);                                         \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define T(fn) { #fn, fn }
#define TEST_TIMEOUT_S 60

/* Run every case (or those named on the command line); returns the process exit code. */
static inline int run_tests(const struct test_case *t, size_t n, int argc, char **argv)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		int selected = argc < 2, status;
		for (int a = 1; a < argc; a++)
			selected |= strcmp(argv[a], t[i].name) == 0;
		if (!selected)
			continue;
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			alarm(TEST_TIMEOUT_S);
			t[i].fn();
			exit(0);
		}
		waitpid(pid, &status, 0);
		int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		printf("%-40s %s", t[i].name, ok ? "ok\n" : "FAIL");
		if (!ok && WIFSIGNALED(status))
			printf(" (signal %d%s)", WTERMSIG(status),
			       WTERMSIG(status) == SIGALRM ? ", timeout" : "");
		if (!ok)
			printf("\n");
		failed += !ok;
	}
	printf("%zu cases, %d failed\n", n, failed);
	return failed ? 1 : 0;
}

#define RUN_TESTS(...)                                                                             \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		static const struct test_case cases[] = { __VA_ARGS__ };                           \
		return run_tests(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);             \
	}

/* Deterministic PRNG (xorshift64*) so random tests reproduce. */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

#endif
