package server

import (
	"log/slog"
	"net/http"
	"time"
)

// timeouts bound what a slow or idle client can hold: a connection and a
// goroutine each.
type timeouts struct {
	header  time.Duration // to send the request line and headers
	request time.Duration // to send the whole request, body included
	idle    time.Duration // between requests on a kept-alive connection
}

var defaultTimeouts = timeouts{header: 10 * time.Second, request: time.Minute, idle: 2 * time.Minute}

// newHTTPServer is the HTTP server of the listener. ReadTimeout bounds the
// request body; net/http lifts that read deadline once the body has been
// read to its end, so a response may stream for as long as it needs
// (TestStreamingOutlivesBodyDeadline holds net/http to that). There is no
// WriteTimeout for the same reason: it would cut long streams off.
func newHTTPServer(h http.Handler, log *slog.Logger, t timeouts) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: t.header, ReadTimeout: t.request, IdleTimeout: t.idle,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}
