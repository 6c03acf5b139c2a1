FROM python:3.11-slim
# GDAL, GEOS and PROJ come inside the wheels of pyogrio, shapely, pyproj and rasterio;
# WeasyPrint (the NRU's PDF) needs Pango and fonts from the system: DejaVu for the French,
# Amiri (Naskh) for the Arabic part (issue 16), embedded in the PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       fonts-hosny-amiri \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml requirements.lock README.md ./
COPY zoning ./zoning
COPY checks ./checks
COPY geoportal ./geoportal
COPY api ./api
# the versions `make setup` installs (requirements.lock, `make lock` to refresh it)
RUN pip install --no-cache-dir -c requirements.lock .
COPY data ./data
EXPOSE 8000
CMD ["geoportal", "demo", "--host", "0.0.0.0", "--port", "8000"]
