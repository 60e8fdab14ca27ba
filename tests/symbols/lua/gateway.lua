-- Gateway plugin.
-- @exposes App:Gateway to Tampering

local M = {}

--- Checks a token.
--- @exposes App:Gateway to Tampering
local function check(token)
  -- @exposes App:Gateway to Tampering
  return token ~= nil
end

--- @exposes App:Gateway to Tampering
function M.access(conf)
  return check(conf.token)
end

function M:log()
  -- @exposes App:Gateway to Tampering
end

local handler = function(req)
  -- @exposes App:Gateway to Tampering
  return req
end

-- @exposes App:Gateway to Tampering

function helper() end

return M
