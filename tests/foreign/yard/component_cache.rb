# frozen_string_literal: true

require "monitor"

module Shop
  # Caches rendered UI components by key.
  #
  # @example Render once, then hit the cache
  #   cache = Shop::ComponentCache.new(ttl: 60)
  #   cache.fetch(:header) { render_header }
  #
  # @note Thread-safe: every read and write takes the monitor.
  # @see https://rubydoc.info/gems/yard/file/docs/Tags.md
  # @author Jane Doe <jane@example.com>
  class ComponentCache
    include MonitorMixin

    # @!attribute [r] ttl
    #   @return [Integer] seconds an entry stays fresh
    attr_reader :ttl

    # @!attribute [rw] control
    #   @return [Symbol] :strict or :lenient
    attr_accessor :control

    # @param ttl [Integer] seconds an entry stays fresh
    # @param clock [#call] returns the current time in seconds
    # @raise [ArgumentError] if ttl is not positive
    def initialize(ttl:, clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) })
      super()
      raise ArgumentError, "@ttl must be positive" unless ttl.positive?

      @ttl = ttl
      @clock = clock
      @component = {}
      @control = :strict
    end

    # Returns the cached value or computes it.
    #
    # @param [Symbol, String] key the component's key
    # @yieldreturn [String] the rendered component
    # @return [String] the cached or fresh value
    def fetch(key)
      synchronize do
        entry = @component[key]
        return entry[:value] if entry && fresh?(entry)

        value = yield
        @component[key] = { value: value, at: @clock.call } # see @component above
        value
      end
    end

    # @param [Symbol] key
    # @return [Boolean] whether the key was present
    def delete(key)
      synchronize { !@component.delete(key).nil? }
    end

    # @api private
    # @return [Integer] how many entries are cached
    def size
      synchronize { @component.size }
    end

    private

    # @api private
    # @param entry [Hash]
    # @return [Boolean]
    def fresh?(entry)
      @control == :lenient || @clock.call - entry[:at] < @ttl
    end
  end
end
