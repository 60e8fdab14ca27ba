-- Authentication.
-- @exposes App:Auth to Tampering

module Auth (login, Session (..)) where

import Data.Text (Text)

-- | A session.
-- @exposes App:Auth to Tampering
data Session = Session {sessionUser :: Text}

newtype Token = Token Text

class Store s where
  -- | @exposes App:Auth to Tampering
  fetch :: s -> Text -> IO (Maybe Session)

instance Show Session where
  show s =
    -- @exposes App:Auth to Tampering
    "session"

-- | Logs a user in.
-- @exposes App:Auth to Tampering
login :: Text -> Text -> IO (Maybe Session)
login user password = do
  -- @exposes App:Auth to Tampering
  pure (check user)
  where
    check u = Just (Session u)
{-# INLINE login #-}

-- @exposes App:Auth to Tampering

logout :: Session -> IO ()
logout _ = pure ()
