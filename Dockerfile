# Mentor Coach: `docker build -t mentor-coach .` then
# `docker run -e TELEGRAM_BOT_TOKEN=... -v coach-data:/data mentor-coach` (long polling, SQLite in /data).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data
RUN useradd --create-home --uid 10001 coach \
    && mkdir /data \
    && chown coach:coach /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels
USER coach
VOLUME ["/data"]
ENTRYPOINT ["mentor-coach"]
CMD ["run"]
