# The two commands of the quick start, plus a few conveniences.
#   make run     install what the daemon's build is missing, build the daemon alone, run it on
#                the bundled example config
#   make test    install everything missing, build every target, run every test (ctest)
#   make daemon  what make run does before it runs the daemon
#   make bench   install rsyslog too, build, measure against cat, grep and rsyslog (bench/)
#   make deb     the Debian package, build-deb/homeostasisd_<version>_<arch>.deb
#   make fuzz    every fuzz target (clang, libFuzzer, ASan, UBSan) for FUZZ_SECONDS each
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=
CMAKE_FLAGS ?=

.PHONY: all deps deps-run deps-deb deps-fuzz deps-bench configure build daemon run test bench sanitize \
  fuzz format clean deb

all: build

deps:
	@bash scripts/install-deps.sh test

deps-run:
	@bash scripts/install-deps.sh run

# Every target: the tests, benchmarks and fuzz replays too (a build directory `make run`
# configured without them gets them here).
configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DHOMEO_BUILD_TESTS=ON \
	  -DHOMEO_BUILD_BENCH=ON $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The daemon alone. A new build directory is configured without the tests and benchmarks (their
# packages are not needed then); one configured before keeps its options, and only the daemon's
# target is built either way.
daemon: deps-run
	@if [ -f $(BUILD_DIR)/CMakeCache.txt ]; then \
	  cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null; \
	else \
	  cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DHOMEO_BUILD_TESTS=OFF \
	    -DHOMEO_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null; \
	fi
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target homeostasisd

run: daemon
	@bash examples/run-example.sh $(BUILD_DIR)/homeostasisd

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

# The bench's own peer, rsyslog, is installed here and by nothing else.
deps-bench:
	@bash scripts/install-deps.sh bench

bench: deps-bench build
	@bash bench/run.sh $(BUILD_DIR)

deps-deb:
	@bash scripts/install-deps.sh deb

# Release at -O2 with the flags Debian builds its packages with (dpkg-buildflags, all hardening:
# fortified libc calls, stack protector, full RELRO; -g left out, the binary is stripped);
# installed under /usr, config in /etc.
DEB_BUILD_DIR ?= build-deb
DEB_BUILDFLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
deb: deps-deb
	@cmake -S . -B $(DEB_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
	  "-DCMAKE_CXX_FLAGS=$$($(DEB_BUILDFLAGS) CPPFLAGS) $$($(DEB_BUILDFLAGS) CXXFLAGS | \
	    sed -E 's/(^| )-g( |$$)/ /')" "-DCMAKE_EXE_LINKER_FLAGS=$$($(DEB_BUILDFLAGS) LDFLAGS)" \
	  -DCMAKE_INSTALL_PREFIX=/usr -DHOMEO_BUILD_TESTS=OFF -DHOMEO_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(DEB_BUILD_DIR) -j$(JOBS)
	@rm -f $(DEB_BUILD_DIR)/homeostasisd_*.deb
	@cd $(DEB_BUILD_DIR) && { cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; exit 1; }; }
	@ls $(DEB_BUILD_DIR)/homeostasisd_*.deb

sanitize:
	@$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DHOMEO_SANITIZE=ON"

# Fuzz targets (fuzz/): built with clang in build-fuzz, each run from its seed corpus.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
deps-fuzz:
	@bash scripts/install-deps.sh fuzz

fuzz: deps-fuzz
	@CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DHOMEO_FUZZ=ON -DHOMEO_BUILD_TESTS=OFF \
	  -DHOMEO_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target homeo_fuzz_targets
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZ_BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
