defmodule Shop.ComponentRegistry do
  @moduledoc """
  Keeps track of the UI components a page renders.

  Register a component with `register/2`:

      iex> Shop.ComponentRegistry.register(:button, Shop.Button)
      :ok

  @component and @control_timeout are module attributes of this module, not tags.
  The old `@component` macro was removed in 2.0.
  """

  use GenServer
  @behaviour Shop.Registry

  @control_timeout 5_000
  @component_key :components

  @typedoc "A component's registered name."
  @type name :: atom()

  @type state :: %{optional(name()) => module()}

  @callback init_component(keyword()) :: {:ok, term()} | {:error, term()}

  @doc """
  Starts the registry.

  ## Options

    * `:name` - the process name, defaults to `Shop.ComponentRegistry`
  """
  @spec start_link(keyword()) :: GenServer.on_start()
  def start_link(opts \\ []) do
    GenServer.start_link(__MODULE__, %{}, name: Keyword.get(opts, :name, __MODULE__))
  end

  @doc """
  Registers `module` under `name`.

  The call waits at most `@control_timeout` milliseconds; each @component
  is stored under `#{inspect(@component_key)}`.
  """
  @spec register(name(), module()) :: :ok
  def register(name, module) do
    GenServer.call(__MODULE__, {:register, name, module}, @control_timeout)
  end

  @doc false
  @spec lookup(name()) :: module() | nil
  def lookup(name), do: GenServer.call(__MODULE__, {:lookup, name})

  @impl true
  def init(state), do: {:ok, state}

  @impl GenServer
  def handle_call({:register, name, module}, _from, state) do
    # @component_key names the bucket; see register/2
    {:reply, :ok, Map.put(state, name, module)}
  end

  def handle_call({:lookup, name}, _from, state) do
    {:reply, Map.get(state, name), state}
  end

  @impl Shop.Registry
  def init_component(opts), do: {:ok, Keyword.get(opts, :name)}
end
