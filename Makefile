# The thin front of parigot's CMake build. Every target installs what is
# missing first (scripts/deps.sh is a no-op when all is there).
#   make demo   build and run the demo
#   make test   build normal + sanitizer (ASan+UBSan) trees, run every test
#   make bench  build optimized and print benchmark ratios
#   make fuzz   run the fuzz targets (libFuzzer, ASan+UBSan) in the sanitizer tree
HOST_CC ?= clang-19
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DPG_WERROR=ON
endif

.PHONY: all deps build build-asan test demo bench fuzz clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	CC=$(HOST_CC) CXX=clang++-19 cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	CC=$(HOST_CC) CXX=clang++-19 cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPG_SANITIZE=ON -DPG_FUZZ=ON $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test: build build-asan
	@scripts/test.sh $(BUILD) $(ASAN_BUILD)

demo: build
	@scripts/demo.sh $(BUILD)

bench: build
	@scripts/bench.sh $(BUILD)

fuzz: build-asan
	ctest --test-dir $(ASAN_BUILD) -L fuzz --output-on-failure

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
