// Package server serves the API.
//
// @component Go:Api (#go_api) [compute]
// @threat Request smuggling (#go_smuggling) [high]
package server

import "net/http"

/*
@control Strict parsing (#go_strict)
@mitigates Go:Api against #go_smuggling with #go_strict
*/

/*
 * @threat Slowloris (#go_slowloris):
 *   severity: medium
 *   description: Slow clients hold connections. */

const trap = `
// @threat Raw string TRAP (#go_trap_raw)
/* @threat Raw block TRAP */
`

func Serve() error {
	msg := "// @threat Interpreted string TRAP"
	_ = msg
	_ = trap
	// TODO @mitigates Go:Api against #go_slowloris
	// @skip @mitigates Go:Api against #go_slowloris
	return http.ListenAndServe(":8080", nil) // @connects User:Browser to Go:Api with HTTP
}

func timeouts() { /* @mitigates Go:Api against #go_slowloris with read timeouts */ }

// @threat Header injection (#go_headers):
//   severity: low
//   description: CRLF in redirect targets.
