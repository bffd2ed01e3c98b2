# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# `make run SIMULATE=1` also runs the traffic simulator against the server's API.
SIMULATE ?=
SIM_USERS ?= 20
SIM_RATE ?= 5
# Local development defaults; production sets SECRET_KEY and leaves DEBUG off.
export DEBUG ?= 1

.PHONY: run run-cluster test install migrate demo lint clean

$(BIN)/daphne: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/daphne

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_data

run: demo
	@echo ""
	@echo "  Live dashboard: http://$(HOST):$(PORT)/accounts/login/  (log in as demo / demo)"
	@echo "  Admin:          http://$(HOST):$(PORT)/admin/"
	@echo ""
ifeq ($(SIMULATE),1)
	@echo "  Simulating $(SIM_RATE) transactions/s for demo and $(SIM_USERS) sim-NN users."
	$(BIN)/python manage.py simulate --users $(SIM_USERS) --user demo --rate $(SIM_RATE) \
	  --duration 0 --api http://$(HOST):$(PORT) & sim=$$!; \
	trap 'kill $$sim 2>/dev/null' EXIT INT TERM; \
	$(BIN)/daphne -b $(HOST) -p $(PORT) dashboard.asgi:application
else
	$(BIN)/daphne -b $(HOST) -p $(PORT) dashboard.asgi:application
endif

# Several daphne workers on one machine, sharing the local PostgreSQL and Redis: a save
# through any worker reaches the screens on all of them. Ports PORT, PORT+1, ...
WORKERS ?= 2
CLUSTER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dashboard
CLUSTER_REDIS_URL ?= redis://127.0.0.1:6379/0
CLUSTER_ENV = DATABASE_URL=$(CLUSTER_DATABASE_URL) REDIS_URL=$(CLUSTER_REDIS_URL)

run-cluster: install
	$(BIN)/python -c "import psycopg, sys; u = sys.argv[1]; name = u.rsplit('/', 1)[1]; \
	c = psycopg.connect(u.rsplit('/', 1)[0] + '/postgres', autocommit=True); \
	c.execute('SELECT 1 FROM pg_database WHERE datname = %s', [name]).fetchone() \
	or c.execute(f'CREATE DATABASE \"{name}\"')" $(CLUSTER_DATABASE_URL)
	$(CLUSTER_ENV) $(BIN)/python manage.py migrate --noinput
	$(CLUSTER_ENV) $(BIN)/python manage.py demo_data
	@echo ""
	@for i in $$(seq 0 $$(( $(WORKERS) - 1 ))); do \
	  echo "  worker $$i: http://$(HOST):$$(( $(PORT) + i ))/accounts/login/  (demo / demo)"; done
	@echo ""
	trap 'kill 0' INT TERM EXIT; \
	for i in $$(seq 0 $$(( $(WORKERS) - 1 ))); do \
	  $(CLUSTER_ENV) $(BIN)/daphne -b $(HOST) -p $$(( $(PORT) + i )) dashboard.asgi:application & \
	done; wait

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
