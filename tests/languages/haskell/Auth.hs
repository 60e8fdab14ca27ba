{-# LANGUAGE OverloadedStrings #-}
-- | Authentication.
-- @component Hs:Auth (#hs_auth) [control]
module Auth (login) where

{- @threat Password spraying (#hs_spray) [high] -}

{-|
  @control Lockout (#hs_lockout)
  @mitigates Hs:Auth against #hs_spray with #hs_lockout
-}

trap :: String
trap = "-- @threat String TRAP {- @threat Block TRAP -}"

-- @threat Weak hashing (#hs_hash):
--   severity: critical
--   description: Passwords hashed with MD5.
login :: String -> Bool
login pw = length pw > 8 -- @exposes Hs:Auth to #hs_hash with legacy accounts
  -- ^ @review Hs:Auth argon2 migration

{- Outer {- nested -} comment.
   @connects User:Client to Hs:Auth with HTTPS -}

-- TODO @mitigates Hs:Auth against #hs_hash
-- @skip @mitigates Hs:Auth against #hs_hash

{- @threat Session reuse (#hs_reuse):
     severity: medium
     description: Sessions survive logout. -}
