package simulator

import "net/http"

// modelCreated is the fixed "created" of every listed model: a stable
// value keeps /v1/models byte-for-byte deterministic.
const modelCreated = 1715367049

func appendModel(b []byte, id string) []byte {
	b = append(b, '{')
	b = appendStrField(b, "id", id)
	b = appendStrField(b, "object", "model")
	b = appendIntField(b, "created", modelCreated)
	b = appendStrField(b, "owned_by", "system")
	return append(b, '}')
}

func (s *Simulator) listModels(w http.ResponseWriter) {
	b := append([]byte(nil), `{"object":"list","data":[`...)
	for i, m := range s.opts.Models {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendModel(b, m)
	}
	writeJSON(w, append(b, "]}\n"...))
}

func (s *Simulator) getModel(w http.ResponseWriter, id string) {
	for _, m := range s.opts.Models {
		if m == id {
			writeJSON(w, append(appendModel(nil, m), '\n'))
			return
		}
	}
	modelNotFound(id).write(w)
}
