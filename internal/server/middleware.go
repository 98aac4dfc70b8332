package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/reqid"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request: method, path (no query, which may
// hold secrets), status and duration. It also contains any panic so one bad
// request cannot take the server down.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := uuid.NewString()
		w.Header()["X-Request-Id"] = []string{id}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", p, "request_id", id)
				if sw.status == 0 {
					http.Error(sw, `{"error":{"code":"InternalServerError","message":"The server encountered an internal error."}}`, http.StatusInternalServerError)
				}
			}
			if log.Enabled(r.Context(), slog.LevelInfo) { // the arguments cost allocations even when not logged
				log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
					"duration_ms", float64(time.Since(start).Microseconds())/1000, "request_id", id)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(reqid.With(r.Context(), id)))
	})
}
