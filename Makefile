# feedwatch — the two set-up commands of README.md:
#   make run    build (release) and start the daemon on Config/feedwatch.toml
#   make test   build and run the whole test suite
# Both install the Debian packages they need when missing.
SWIFT ?= swift
CONFIG ?= Config/feedwatch.toml

.PHONY: deps build run test release check-conformance check-relevance

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

release: build

run: build
	.build/release/feedwatch run --config $(CONFIG)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
