package web

import "database/sql"

// Threatspec's own annotation forms, as a Threatspec user writes them: names with
// spaces, `(#id)` declarations, bare `#id` references and every relation verb.

// @component MyApp:Web:Login Page (#login)
// @threat SQL Injection (#sqli)
// @control Parameterised Queries (#pq)

// @mitigates MyApp:Web:Login Page against SQL Injection with Parameterised Queries
func Login(db *sql.DB, user string) error {
	// @exposes MyApp:Web:Login Page to Cross-site Request Forgery (#csrf) with the form has no anti-CSRF token
	// @mitigates #login against #csrf with SameSite Cookies (#samesite)
	_, err := db.Exec("SELECT 1 FROM users WHERE name = $1", user)
	return err
}

// @connects User:Web Browser to MyApp:Web:Login Page with HTTPS
// @connects MyApp:Web:Login Page with MyApp:Storage:User Database with SQL over TLS
// @review MyApp:Web:Login Page Is the session cookie marked Secure?

// @skip @mitigates #login against #sqli with Wishful Thinking
