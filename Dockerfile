# The project image: the package and its console script, nothing else. docker-compose.yml runs
# every process of the topology from it: the one-shot seed, the 33 source services and the
# gateway replicas. Alone, it serves the embedded demo (CMD below).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --no-create-home lapor \
    && mkdir /data && chown lapor /data
USER lapor
ENV LAPOR_DATA_DIR=/data
EXPOSE 8000
CMD ["lapor-gateway", "demo", "--host", "0.0.0.0", "--port", "8000"]
