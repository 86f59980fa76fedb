# pdca as a container image FROM scratch: one static binary, CA
# certificates for SMTP, OIDC and webhooks over TLS, a non-root user and a
# volume for the SQLite database (docs/operations.md, "Container image").
#
#   docker build -t pdca --build-arg VERSION=$(git describe --always) .
#   docker run -d -p 8080:8080 -v pdca-data:/data pdca
#   docker run --rm -v pdca-data:/data pdca org create --slug acme --name "Acme Oy"
#
# The SQLite driver is pure Go (modernc.org/sqlite), so CGO_ENABLED=0
# builds a static binary; time zone data is embedded (time/tzdata).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/pdca/pdca/internal/cli.Version=${VERSION}" \
      -o /out/pdca ./cmd/pdca
# The data volume and a temporary directory (imports stage rows in a
# temporary file), owned by the unprivileged user.
RUN mkdir -p /out/data /out/tmp && chown 65532:65532 /out/data && chmod 1777 /out/tmp

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/pdca /pdca
COPY --from=build /out/data /data
COPY --from=build /out/tmp /tmp
USER 65532:65532
ENV PDCA_DB=/data/pdca.db \
    PDCA_ADDR=0.0.0.0:8080 \
    TMPDIR=/tmp
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/pdca"]
CMD ["serve"]
