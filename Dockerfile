# Descent Lab: one Streamlit replica. Build: docker build -t descent-lab .
# Run:   docker run --rm -p 8501:8501 descent-lab   (then open http://localhost:8501)
# Several replicas behind nginx: see deploy/README.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The run-time dependencies only (requirements-dev.txt is for tests and tools), in their own
# layer so that a code change does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code stays owned by root: the app reads it and never writes it.
COPY . .

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin lab
USER lab

EXPOSE 8501

# python:3.11-slim has no curl: ask Streamlit's health endpoint with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
