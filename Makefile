# Lượt — `make run` sets up and starts the server on the example site; `make test` sets up
# and runs the whole suite (PostgreSQL, browser, speech and window tests included).
# Both install what they need, system packages included (run as root on Debian/Ubuntu).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 0.0.0.0
PORT ?= 8080
SITE ?= display_server/examples/site.toml
SYSTEM_PACKAGES := python3-venv python3-tk espeak-ng alsa-utils sox xvfb xdotool chromium \
	fonts-noto-core fonts-dejavu-core postgresql imagemagick
PYTEST_ARGS ?=

.PHONY: run test setup system venv postgres lint bench clean

run: setup
	$(VENV)/bin/luot serve --host $(HOST) --port $(PORT) --site $(SITE)

test: setup postgres
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system venv

# apt-get runs only when a package is missing, so repeated runs cost nothing.
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 'setuptools>=68' wheel
	$(PY) -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $@

postgres:
	bash .ci/start-postgres

lint: venv
	$(VENV)/bin/ruff check display_server printer counter_app tests bench
	$(VENV)/bin/mypy

bench: setup
	for bench in bench/bench_*.py; do $(PY) $$bench || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
