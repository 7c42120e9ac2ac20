# Build: a static binary (pure-Go SQLite, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
COPY web ./web
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/iwtoolkit ./cmd/iwtoolkit \
 && mkdir -p /out/data

# Run: distroless, non-root, with the bundled surveys and a data volume.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/iwtoolkit /app/iwtoolkit
COPY surveys /app/surveys
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV IWT_LISTEN=:8080 \
    IWT_SURVEYS_DIR=/app/surveys \
    IWT_DATA_DIR=/data
# Set MONGODB_URI (or MONGODB_URI_FILE, for a mounted secret) to use MongoDB
# instead of the embedded store in /data.
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/app/iwtoolkit"]
CMD ["serve"]
