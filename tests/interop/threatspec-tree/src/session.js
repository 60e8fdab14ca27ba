/*
@threat Session Hijacking (#hijack):
  description: A stolen session cookie lets an attacker act as the user.
  impact: high

@control Secure Cookies (#secure-cookies)
*/

// @mitigates MyApp:Web:Login Page against #hijack with #secure-cookies
// @tests Secure Cookies for MyApp:Web:Login Page
export function setSession(res, id) {
  res.cookie("session", id, { secure: true, httpOnly: true });
}

// @control Mutual TLS (#mtls)
// @connects MyApp:Web:Login Page to Payments:API with Mutual TLS
