---@meta

---Definitions for the host application's `ui` global, for the language server only.
---This file is never loaded at run time.

---@class ui
ui = {}

---@class ui.Window
---@field title string
---@field width integer
---@field height integer
local Window = {}

---Opens a window.
---@param title string
---@param opts? { width?: integer, height?: integer }
---@return ui.Window
function ui.open(title, opts) end

---Closes the window.
---@param self ui.Window
function Window.close(self) end

---@alias ui.Event "click" | "close" | "resize"

---Registers a handler.
---@param event ui.Event
---@param handler fun(window: ui.Window, event: ui.Event)
---@return fun() unsubscribe
function ui.on(event, handler) end

---@type ui.Window?
ui.current = nil

---@generic V
---@param value V
---@return V
function ui.identity(value) end
