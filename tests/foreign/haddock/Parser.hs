{-# LANGUAGE OverloadedStrings #-}

{- |
Module      : Config.Parser
Description : A parser for key = value configuration files.
Copyright   : (c) Jane Doe, 2024
License     : BSD-3-Clause
Maintainer  : jane@example.com
Stability   : experimental

Parse a file with 'parseConfig':

@
parseConfig "port = 80\\nhost = example.com"
@

The result maps keys to values; see 'Config'.
-}
module Config.Parser
  ( -- * Types
    Config (..)
  , Setting (..)
    -- * Parsing
  , parseConfig
  , parseSetting
  ) where

import Data.Char (isSpace)
import qualified Data.Map.Strict as Map
import Data.Text (Text)
import qualified Data.Text as T

-- | A parsed configuration file.
--
-- @since 1.0.0
newtype Config = Config
  { configSettings :: Map.Map Text Setting
    -- ^ @component@ settings by key, e.g. @port@ or @host@.
  }
  deriving (Eq, Show)

-- | One value.
data Setting
  = SettingText Text    -- ^ Anything else, e.g. @example.com@.
  | SettingInt Int      -- ^ A number such as @80@.
  | SettingFlag Bool    -- ^ @control@ flags: @on@ or @off@.
  deriving (Eq, Show)

-- | Parse a whole file. Blank lines and lines starting with @#@ are skipped.
--
-- >>> parseConfig "port = 80"
-- Right (Config {configSettings = fromList [("port",SettingInt 80)]})
--
-- @
-- case parseConfig src of
--   Left err  -> fail err
--   Right cfg -> run cfg
-- @
--
-- @since 1.2.0
parseConfig :: Text -> Either String Config
parseConfig src = Config . Map.fromList <$> traverse parseLine (filter keep (T.lines src))
  where
    keep line = not (T.null (T.strip line)) && not ("#" `T.isPrefixOf` T.stripStart line)

-- | Parse one @key = value@ line.
parseLine :: Text -> Either String (Text, Setting)
parseLine line = case T.breakOn "=" line of
  (key, rest)
    | T.null rest -> Left ("no '=' in " <> T.unpack line)
    | otherwise -> Right (T.strip key, parseSetting (T.strip (T.drop 1 rest)))

-- | Read a value: @on@ and @off@ are flags, digits are numbers.
--
-- @since 1.1.0
parseSetting :: Text -> Setting
parseSetting "on" = SettingFlag True
parseSetting "off" = SettingFlag False
parseSetting v
  | not (T.null v), T.all (`elem` ['0' .. '9']) v = SettingInt (read (T.unpack v))
  | otherwise = SettingText (T.dropWhileEnd isSpace v)
