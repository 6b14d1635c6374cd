# Thin front end over CMake/CTest. `make test` and `make demo` set themselves up (scripts/deps.sh).
BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local
FUZZ_TIME  ?= 60
FUZZ_RUNS  ?= 0

.PHONY: all deps test test-release test-san fuzz fuzz-ci vectors demo clean format install \
	uninstall deb

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/deps.sh

test: deps test-release test-san

test-release: all
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-san: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DNIP_SANITIZE=ON >/dev/null
	cmake --build $(BUILD_SAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(BUILD_SAN) --output-on-failure -j $(JOBS)

# Fuzz every target for FUZZ_TIME seconds each (or FUZZ_RUNS executions if set), starting from
# the test vectors. Findings land in $(BUILD_FUZZ)/findings and fail the target.
fuzz: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DNIP_FUZZ=ON >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_packet fuzz_addr fuzz_nls fuzz_perf fuzz_guard fuzz_xlat fuzz_link fuzz_schc nls_seeds
	scripts/fuzz.sh $(BUILD_FUZZ) $(FUZZ_TIME) $(FUZZ_RUNS)

# The short bounded pass CI runs.
fuzz-ci:
	$(MAKE) fuzz FUZZ_TIME=20

# Regenerate docs/vectors/ from tools/vecgen (review the diff: the vectors are a contract).
vectors: all
	$(BUILD)/vecgen docs/vectors

# The main job: a six-node New IP network in namespaces, all-pairs ping, a trace, teardown.
demo: all
	@if [ "$$(id -u)" -ne 0 ]; then echo "make demo: namespaces need root: sudo make demo" >&2; exit 2; fi
	examples/demo.sh

# Install under PREFIX (default /usr/local), into DESTDIR if set (a staging root, as packagers
# use); uninstall removes exactly what the last install wrote (build/install_manifest.txt),
# under the same DESTDIR.
install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

# A Debian package (dpkg-deb, dpkg-shlibdeps) from its own release build for /usr.
deb: deps
	scripts/deb.sh $(BUILD)-deb .

uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "make uninstall: nothing installed from $(BUILD)" >&2; exit 1; }
	sed 's|^|$(DESTDIR)|' $(BUILD)/install_manifest.txt | tr '\n' '\0' | xargs -0 rm -f
	rm -f $(BUILD)/install_manifest.txt

format:
	clang-format -i include/newip/*.h lib/*.c lib/*.h tests/unit/*.c tests/unit/*.h \
	  fuzz/*.c tools/vecgen/*.c

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
