# Loom top-level targets. Each installs its Debian dependencies first.
#   make          build everything into build/
#   make test     run every test; the last line is "N passed, N failed, N skipped"
#   make vm-test  only the kernel driver's tests in a QEMU guest (vm/run.sh),
#                 on Debian's kernel and on the debug kernel
#   make demo     the main job: an MLP trained on Fashion-MNIST on the device
#                 (progress, test accuracy, telemetry, a plot and a JSON log in
#                 $(BUILD)/demo/); DEMO_ARGS="--epochs 5 ..." passes options
#   make demo-gemm  the GEMM chain on two streams, with telemetry
#   make asan     the test suite under AddressSanitizer + UBSan (build-asan/)
#   make bench    loom-bench against its references
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all build test vm-test demo demo-gemm asan bench clean deps-build deps-test deps-vm \
	deps-fuzz deps-demo deps-bench

all: build

deps-build:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

# The data set and gnuplot (without gnuplot the demo says so and skips the plot).
deps-demo: deps-test
	-@scripts/install-deps.sh demo || echo "demo: cannot install the data set or gnuplot (see docs/dependencies.md)"

# PyTorch for loom-bench's training reference (the row says when it is missing).
deps-bench: deps-test
	-@scripts/install-deps.sh bench || echo "bench: cannot install python3-torch; the PyTorch reference will be unavailable"

# QEMU and its tools, and Debian's kernel (downloaded, not installed); the
# debug kernel, built once from Debian's source and cached outside the tree
# (vm/build-debug-kernel.sh: 6-7 min the first time on 2 cores, nothing
# after). If either cannot be had, the guest tests SKIP and say why.
deps-vm: deps-test
	-@scripts/install-deps.sh vm || echo "vm: cannot install the guest tests' packages; they will SKIP"
	-@vm/fetch-kernel.sh || true
	-@vm/build-debug-kernel.sh || echo "vm: no debug kernel; the vm-debug test will SKIP"

# clang's libFuzzer for the short fuzz run in make test (it SKIPs without).
deps-fuzz:
	-@scripts/install-deps.sh fuzz || echo "fuzz: cannot install clang; the fuzz test will SKIP"

$(BUILD)/build.ninja: | deps-test
	meson setup $(BUILD) >/dev/null

build: deps-test $(BUILD)/build.ninja
	meson compile -C $(BUILD)

test: deps-vm deps-fuzz build
	-@rm -f $(BUILD)/vm/result.txt $(BUILD)/vm-debug/result.txt; \
	  meson test -C $(BUILD) --print-errorlogs --num-processes 2 > $(BUILD)/test-output.txt 2>&1; \
	  grep -E '^ *[0-9]+/[0-9]+ ' $(BUILD)/test-output.txt || cat $(BUILD)/test-output.txt
	-@cat $(BUILD)/vm/result.txt $(BUILD)/vm-debug/result.txt 2>/dev/null
	@tests/tally.sh $(BUILD)/meson-logs/testlog.json

vm-test: deps-vm deps-fuzz build
	-@rm -f $(BUILD)/vm/result.txt $(BUILD)/vm-debug/result.txt; \
	  meson test -C $(BUILD) --suite vm --print-errorlogs > $(BUILD)/test-output.txt 2>&1; \
	  grep -E '^ *[0-9]+/[0-9]+ ' $(BUILD)/test-output.txt || cat $(BUILD)/test-output.txt
	-@cat $(BUILD)/vm/result.txt $(BUILD)/vm-debug/result.txt 2>/dev/null
	@tests/tally.sh $(BUILD)/meson-logs/testlog.json

asan: deps-test
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	meson compile -C $(ASAN_BUILD)
	-@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 > $(ASAN_BUILD)/test-output.txt 2>&1; \
	  grep -E '^ *[0-9]+/[0-9]+ ' $(ASAN_BUILD)/test-output.txt || cat $(ASAN_BUILD)/test-output.txt
	@tests/tally.sh $(ASAN_BUILD)/meson-logs/testlog.json

demo: deps-demo build
	$(BUILD)/examples/loom-train-demo --out $(BUILD)/demo $(DEMO_ARGS)

demo-gemm: build
	$(BUILD)/examples/loom-demo

bench: deps-bench build
	$(BUILD)/tools/loom-bench

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
