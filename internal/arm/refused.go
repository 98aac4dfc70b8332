package arm

import (
	"net"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/reqid"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

// refused logs a refused authentication at debug and records it in the
// audit trail; err is returned as is (asARMError renders it).
func (s *Service) refused(r *http.Request, err error) error {
	if f, ok := authfail.As(err); ok {
		authfail.Record(r.Context(), s.log, s.Recorder, reqid.From(r.Context()), f, telemetry.AuthFailure{Surface: "arm",
			Route: r.Method + " " + r.URL.Path, ClientAddr: ClientAddr(r)}) // no query: it may hold secrets
	}
	return err
}

// ClientAddr is the peer's IP address (not a forwarded header, which the
// client writes).
func ClientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
