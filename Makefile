# The two commands of the quick start, plus a few conveniences.
#   make run   install what is missing, build, run the daemon on the bundled example config
#   make test  the same set-up, then every test (ctest)
#   make deb   the Debian package, build-deb/homeostasisd_<version>_<arch>.deb
#   make fuzz  every fuzz target (clang, libFuzzer, ASan, UBSan) for FUZZ_SECONDS each
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench sanitize fuzz format clean deb

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	@bash examples/run-example.sh $(BUILD_DIR)/homeostasisd

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

bench: build
	@bash bench/run.sh $(BUILD_DIR)

# Release at -O2, as Debian builds its packages; installed under /usr, config in /etc.
DEB_BUILD_DIR ?= build-deb
deb: deps
	@cmake -S . -B $(DEB_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" \
	  -DCMAKE_INSTALL_PREFIX=/usr -DHOMEO_BUILD_TESTS=OFF -DHOMEO_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(DEB_BUILD_DIR) -j$(JOBS)
	@rm -f $(DEB_BUILD_DIR)/homeostasisd_*.deb
	@cd $(DEB_BUILD_DIR) && { cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; exit 1; }; }
	@ls $(DEB_BUILD_DIR)/homeostasisd_*.deb

sanitize:
	@$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DHOMEO_SANITIZE=ON"

# Fuzz targets (fuzz/): built with clang in build-fuzz, each run from its seed corpus.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
fuzz: deps
	@CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DHOMEO_FUZZ=ON -DHOMEO_BUILD_TESTS=OFF \
	  -DHOMEO_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j$(JOBS) --target homeo_fuzz_targets
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZ_BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
