# Mentor Coach. Build: docker build -t mentor-coach .
# Polling, SQLite in /data:  docker run -e TELEGRAM_BOT_TOKEN=... -v coach-data:/data mentor-coach
# Webhook replicas on PostgreSQL: see compose.yaml.

FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
# Dependencies first, pinned, in their own layer: code changes don't reinstall them.
COPY requirements.lock ./
RUN /venv/bin/pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY storage ./storage
RUN /venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    DATA_DIR=/data
RUN useradd --create-home --uid 10001 coach \
    && mkdir /data \
    && chown coach:coach /data
COPY --from=build /venv /venv
USER 10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["mentor-coach", "health"]
ENTRYPOINT ["mentor-coach"]
CMD ["run"]
