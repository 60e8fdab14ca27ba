---@diagnostic disable: lowercase-global

---A UI component with props and children.
---@class Component
---@field name string The component's name.
---@field props table<string, any> Properties passed by the parent.
---@field children Component[] Child components, in render order.
---@field private _mounted boolean
local Component = {}
Component.__index = Component

---@alias Renderer fun(component: Component): string

---Creates a component.
---@param name string
---@param props? table<string, any>
---@return Component
function Component.new(name, props)
  local self = setmetatable({}, Component)
  self.name = name
  self.props = props or {}
  self.children = {}
  self._mounted = false
  return self
end

---Appends a child and returns it, for chaining.
---@generic T : Component
---@param child T
---@return T
function Component:add(child)
  table.insert(self.children, child)
  return child
end

---Renders the tree depth first.
---@param render Renderer
---@return string
function Component:render(render)
  local parts = { render(self) }
  for _, child in ipairs(self.children) do
    parts[#parts + 1] = child:render(render) -- @see Renderer
  end
  return table.concat(parts, "\n")
end

---@type Renderer
local function plain(component)
  return ("<%s>"):format(component.name)
end

---@diagnostic disable-next-line: undefined-global
control = control or { verbose = false }

--[[
  @component and @control are not LuaLS tags; LuaLS only reads lines that start with ---@.
]]

---@type table<string, Renderer>
local renderers = { plain = plain }

---@deprecated Use Component.new
---@param name string
---@return Component
function new_component(name)
  return Component.new(name)
end

return { Component = Component, renderers = renderers, tag = "---@class Component" }
