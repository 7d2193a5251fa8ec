# cmgelog in a container: `watch` by default, `serve` with another command.
#
#   docker build -t cmgelog .
#   docker run -d --name cmgelog-watch -v /srv/portal/uploads:/uploads:ro -v cmgelog:/results \
#       cmgelog watch /uploads --out /results
#   docker run -d --name cmgelog-serve -p 127.0.0.1:8080:8080 -v cmgelog:/results \
#       cmgelog serve /results --listen 0.0.0.0:8080 --behind-proxy
#
# (`--behind-proxy`: inside the container the page must listen beyond loopback; the published
# port stays on the host's loopback, where a TLS reverse proxy authenticates. Or --auth FILE.)
# `docker stop` sends SIGTERM: the running analyses finish and are recorded.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
# rustls (no OpenSSL) and SQLite bundled: nothing to install for the build.
RUN cargo build --release --locked --bin cmgelog \
    && strip target/release/cmgelog

# distroless "cc": glibc and libgcc, no shell, no package manager, a non-root user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/cmgelog /usr/bin/cmgelog
ENV LANG=zh_CN.UTF-8
USER nonroot
VOLUME ["/results"]
EXPOSE 8080
ENTRYPOINT ["/usr/bin/cmgelog"]
CMD ["watch", "/uploads", "--out", "/results"]
