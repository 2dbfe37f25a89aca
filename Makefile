# feedwatch — the two set-up commands of README.md:
#   make run    build (release) and start the daemon on Config/feedwatch.toml
#   make test   build and run the whole test suite
# Both install the Debian packages they need when missing.
SWIFT ?= swift
CONFIG ?= Config/feedwatch.toml

.PHONY: deps build run test release demo install conformance relevance systemd-test

deps:
	@scripts/install-deps.sh

build: deps
	SWIFT=$(SWIFT) scripts/build-release.sh

release: build

run: build
	.build/release/feedwatch run --config $(CONFIG)

test: deps
	$(SWIFT) build --build-tests
	@# feedwatch under a real systemd in private namespaces (exit 77: cannot boot here, skipped)
	scripts/systemd-integration.sh .build/debug/feedwatch || { rc=$$?; [ $$rc -eq 77 ] && echo "systemd integration: skipped (systemd cannot boot here)"; [ $$rc -eq 77 ]; }
	$(SWIFT) test

# The systemd integration alone (release binary).
systemd-test: build
	scripts/systemd-integration.sh

# Offline demo: local feeds from seeds/, one pass, the alerts.
demo: build
	scripts/demo.sh

# Install as a systemd service (binary, unit, config, user, logrotate).
install: build
	scripts/install.sh

# The measured targets of the parser and the classifier (need ../shared).
conformance: build
	python3 ../shared/conformance/check.py

relevance: build
	python3 ../shared/relevance/score.py ../shared/relevance/dev.jsonl
