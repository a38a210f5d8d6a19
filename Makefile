# The README's test command is `go test -race ./...`; `make test` runs it
# after the same checks CI runs.
.PHONY: test build vet fuzz release-check bench

build:
	go build -o nsview ./cmd/nsview

vet:
	test -z "$$(gofmt -l .)"
	go vet ./...

test: vet
	go test -race ./...

# A longer fuzzing run of every fuzz target (CI runs 5 s each):
# make fuzz FUZZTIME=600
FUZZTIME ?= 120
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# Snapshot release with goreleaser (installed if missing) and a check of the
# archives and packages it makes; see scripts/release-check.sh. Not in CI.
release-check:
	scripts/release-check.sh

# nsview against pstree, lsns and ps on 1,000 and 10,000 processes in 4
# nested PID namespaces; writes docs/BENCHMARKS.md (root; installs hyperfine).
bench:
	scripts/bench.sh
