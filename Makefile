# The two commands that matter: `make run` and `make test`. Both do their own set-up.
PRESET ?= debug
DATA_DIR ?= ./data

.PHONY: setup run test build release fuzz bench format clean lambda-zip

setup:
	@scripts/setup

release:
	@scripts/setup run
	cmake --preset release >/dev/null
	cmake --build --preset release --target kefir

build: setup
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

run: release
	DATA_DIR=$(DATA_DIR) STAGE=dev build/release/kefir serve

test: build lambda-zip
	ctest --preset $(PRESET)

fuzz: setup
	scripts/run-fuzzers 60

bench: setup release
	cmake --build --preset release --target kefir_bench_mixed
	bench/run-all

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build

# The AWS Lambda package: bootstrap for linux arm64 in dist/kefir-lambda-arm64.zip (scripts/package-lambda).
lambda-zip: setup
	@scripts/setup-lambda
	scripts/package-lambda
