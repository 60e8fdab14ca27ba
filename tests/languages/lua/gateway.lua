-- @component Lua:Gateway (#lua_gw) [communication]
--- @threat Header injection (#lua_headers) [medium]
local M = {}

local trap = "-- @threat String TRAP"
local long = [[
-- @threat Long string TRAP
]]
local level = [==[
--[[ @threat Level string TRAP ]]
]==]

--[[
@control Header allow-list (#lua_allow)
@mitigates Lua:Gateway against #lua_headers with #lua_allow
]]

--[==[
  @threat Lua pattern DoS (#lua_redos):
    severity: low
    description: Patterns backtrack on long input.
]==]

function M.forward(req)
  -- TODO @mitigates Lua:Gateway against #lua_redos
  -- @skip @mitigates Lua:Gateway against #lua_redos
  return req .. trap .. long .. level -- @connects Lua:Gateway to Lua:Upstream with HTTP
end

--[[ @exposes Lua:Gateway to #lua_redos with string.find ]] return M

--[[
@review Lua:Gateway the closing idiom below keeps its dashes
--]]

-- @threat Upstream spoofing (#lua_spoof):
--   severity: high
--   description: Upstream certificates are not verified.
--[[ @threat Cache key collision (#lua_cachekey):
       likelihood: low
       description: Keys drop the query string. ]]
