# The README's test command is `go test -race ./...`; `make test` runs it
# after the same checks CI runs.
.PHONY: test build vet release-check

build:
	go build -o nsview ./cmd/nsview

vet:
	test -z "$$(gofmt -l .)"
	go vet ./...

test: vet
	go test -race ./...

# Snapshot release with goreleaser (installed if missing) and a check of the
# archives and packages it makes; see scripts/release-check.sh. Not in CI.
release-check:
	scripts/release-check.sh
