-- A second check of `threatline lsp` with a real client: Neovim's built-in one (0.7 or
-- later), headless. Run by tests/lsp.rs (`neovim_sees_what_the_server_says`) with
-- THREATLINE_BIN (the binary) and WS (a copy of tests/lsp/shop). Neovim turns the
-- server's UTF-16 positions into byte columns with its own code, so a column that is off
-- shows here. Prints OK and exits 0, or prints FAIL and exits 1.

local bin = os.getenv('THREATLINE_BIN')
local ws = os.getenv('WS')

local function fail(message)
  io.stdout:write('FAIL: ' .. message .. '\n')
  os.exit(1)
end

local function has(text, needle)
  return text and string.find(text, needle, 1, true) ~= nil
end

vim.cmd('edit ' .. ws .. '/app/server.py')
local buf = vim.api.nvim_get_current_buf()
local exit_code = nil
local id = vim.lsp.start_client({
  name = 'threatline',
  cmd = { bin, 'lsp' },
  root_dir = ws,
  workspace_folders = { { uri = vim.uri_from_fname(ws), name = 'ws' } },
  on_exit = function(code)
    exit_code = code
  end,
})
if not id then
  fail('the client did not start')
end
vim.lsp.buf_attach_client(buf, id)

local function diagnostic(code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then
      return d
    end
  end
  return nil
end

-- Diagnostics on open, on the byte column Neovim computes from the UTF-16 position.
if not vim.wait(30000, function() return diagnostic('unmitigated-exposure') ~= nil end, 20) then
  fail('no unmitigated-exposure diagnostic')
end
local line = vim.api.nvim_buf_get_lines(buf, 8, 9, false)[1]
local exposure = diagnostic('unmitigated-exposure')
local at = string.find(line, '@exposes', 1, true) - 1
if exposure.lnum ~= 8 or exposure.col ~= at then
  fail(string.format('exposure at %d:%d, expected 8:%d', exposure.lnum, exposure.col, at))
end

-- An edit: the dangling reference appears.
local six = vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1]
vim.api.nvim_buf_set_lines(buf, 5, 6, false, { (string.gsub(six, '#param%-queries', '#param-querys')) })
if not vim.wait(30000, function() return diagnostic('dangling-reference') ~= nil end, 20) then
  fail('no dangling-reference after the edit')
end
vim.api.nvim_buf_set_lines(buf, 5, 6, false, { six })
if not vim.wait(30000, function() return diagnostic('dangling-reference') == nil end, 20) then
  fail('the dangling-reference stayed after the fix')
end

-- Hover on `#xss`, after the emoji: the position is the UTF-16 offset Neovim computes.
local xss = string.find(line, '#xss', 1, true)
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = 8, character = vim.str_utfindex(line, xss) },
}
local results = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000)
local hover = results and results[id] and results[id].result
if not hover or not has(hover.contents.value, 'Cross-site Scripting') then
  fail('hover: ' .. vim.inspect(results))
end

-- Definition of `#sqli` on line 6: its declaration on line 3.
local sqli = string.find(six, '#sqli', 1, true)
params.position = { line = 5, character = vim.str_utfindex(six, sqli) }
results = vim.lsp.buf_request_sync(buf, 'textDocument/definition', params, 10000)
local found = results and results[id] and results[id].result
if not found or found.range == nil or found.range.start.line ~= 2 then
  fail('definition: ' .. vim.inspect(results))
end

-- Shutdown and exit: code 0.
vim.lsp.stop_client(id)
if not vim.wait(10000, function() return exit_code ~= nil end, 20) then
  fail('the server did not exit')
end
if exit_code ~= 0 then
  fail('exit code ' .. tostring(exit_code))
end
io.stdout:write('OK\n')
os.exit(0)
