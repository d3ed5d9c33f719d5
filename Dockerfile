# The gateway image: the package and its console script, nothing else.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY schema ./schema
COPY resolvers ./resolvers
RUN pip install --no-cache-dir .
ENV LAPOR_DATA_DIR=/data
EXPOSE 8000
CMD ["lapor-gateway", "demo", "--host", "0.0.0.0", "--port", "8000"]
