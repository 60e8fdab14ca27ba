#!/usr/bin/env node
/**
 * Web front end.
 * @component Js:Web (#js_web) [compute]
 * @threat Cross-site scripting (#js_xss) [high, tampering] cwe:CWE-79
 */
'use strict';

const express = require('express');

// @control Output encoding (#js_encoding)
// @mitigates Js:Web against #js_xss with #js_encoding
const app = express(); // @connects User:Browser to Js:Web with HTTPS

const banner = `
// @threat Template string TRAP (#js_trap_template)
/* @threat Template block TRAP */ ${app.name}
`;
const single = '// @threat Single-quoted TRAP';
const double = "/** @threat Double-quoted TRAP */";
const pattern = /\/\/ @threat Regex TRAP/;

/*
 * @threat Prototype pollution (#js_pollution):
 *   severity: medium
 *   cwe: CWE-1321
 *   description: Merging request bodies into objects. */
function merge(target, body) {
  /* @exposes Js:Web to #js_pollution with deep merge */ return Object.assign(target, body);
}

/** @review Js:Web check the session cookie flags */
app.get('/', (req, res) => {
  // TODO @mitigates Js:Web against #js_pollution
  // @skip @mitigates Js:Web against #js_pollution
  res.send(`${banner}${single}${double}${pattern}`); /* @flows Js:Web -> User:Browser via HTTPS */
});

module.exports = { merge };

const quote = /"/; // @control Quote stripping (#js_quotes)
const glob = 'src/**/*.js'; const n = 10 / 2; // @tests #js_quotes for Js:Web

// @threat Open redirect (#js_redirect):
//   severity: low
//   cwe: CWE-601
