# briefgen in a container, for CI and for editors off Debian (README: "In a container").
#   docker build -t briefgen .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" briefgen briefgen build
# Debian's own Python (3.11 in bookworm), exactly the Debian packages scripts/bootstrap.sh
# installs for `build` (tests/test_container.py compares the two lists), briefgen installed
# from its wheel, and a user that is not root.
FROM debian:bookworm-slim

ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji poppler-utils qpdf \
      libicu-dev pkg-config python3-dev g++ \
 && rm -rf /var/lib/apt/lists/*

# The wheel is built from the checkout, then installed with its dependencies into a venv.
COPY . /src
RUN python3 -m venv /opt/briefgen \
 && /opt/briefgen/bin/pip install --no-cache-dir --disable-pip-version-check -q --upgrade pip \
 && /opt/briefgen/bin/pip wheel --no-cache-dir --no-deps -q -w /tmp/wheel /src \
 && /opt/briefgen/bin/pip install --no-cache-dir -q /tmp/wheel/briefgen-*.whl \
 && rm -rf /tmp/wheel /src

RUN useradd --create-home --uid 1000 briefgen
# Any --user may run it: caches and the cache key go where that user can write.
ENV PATH=/opt/briefgen/bin:$PATH \
    XDG_CACHE_HOME=/tmp/briefgen-cache \
    XDG_CONFIG_HOME=/tmp/briefgen-config
USER briefgen
WORKDIR /work
CMD ["briefgen", "build"]
