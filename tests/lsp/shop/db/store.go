// Package db talks to Postgres.
//
// @component Shop:Data:Postgres (#db) [storage]
// @control TLS Everywhere (#tls)
// @connects #web to #db with #tls (#web-db)
// @mitigates #db against #sqli with #param-queries
package db

func Query() {}
