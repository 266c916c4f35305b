# syntax=docker/dockerfile:1
# One image for every role: `serve` (default), `worker`, `db upgrade`, `user ...`.
ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: resolve the locked dependencies into /app/.venv with uv -------------------------
FROM ${PYTHON_IMAGE} AS builder
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first: this layer is reused until pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
# The project is installed editable on purpose: roofops finds alembic.ini and migrations/
# beside src/, so /app keeps the same layout in the final image.
RUN uv sync --frozen --no-dev

# --- final: the venv, the code, the migrations; nothing else ---------------------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 roofops \
    && useradd --system --uid 10001 --gid roofops --home-dir /app --shell /usr/sbin/nologin roofops
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY --from=builder /app/src /app/src
COPY alembic.ini ./
COPY migrations ./migrations
RUN mkdir -p /app/var && chown roofops:roofops /app/var
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ROOFOPS_ENV=production \
    ROOFOPS_DATA_DIR=/app/var
USER roofops
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]
ENTRYPOINT ["roofops"]
CMD ["serve", "--host", "0.0.0.0"]
