# The README's test command is `go test -race ./...`; `make test` runs it
# after the same checks CI runs.
.PHONY: test build vet

build:
	go build -o nsview ./cmd/nsview

vet:
	test -z "$$(gofmt -l .)"
	go vet ./...

test: vet
	go test -race ./...
