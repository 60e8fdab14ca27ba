// Package server serves orders.
// @exposes App:Server to Tampering

package server

import "net/http"

// Server holds the routes.
// @exposes App:Server to Tampering
type Server struct {
	mux *http.ServeMux
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// @exposes App:Server to Tampering
	s.mux.ServeHTTP(w, r)
}

// @exposes App:Server to Tampering

func helper() {}
