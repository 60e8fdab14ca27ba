// Page cache.
// @exposes App:Cache to Tampering

#include <map>
#include <string>

namespace store {

/// @exposes App:Cache to Tampering
template <typename K, typename V>
class Cache {
public:
    /// Looks an entry up.
    /// @exposes App:Cache to Tampering
    [[nodiscard]]
    const V *get(const K &key) const {
        // @exposes App:Cache to Tampering
        auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : &it->second;
    }

    void put(const K &key, V value);

private:
    std::map<K, V> entries_;
};

class Pool {
public:
    Pool();
    int take();
};

int Pool::take() {
    // @exposes App:Pool to Tampering
    return 0;
}

}  // namespace store

// @exposes App:Cache to Tampering

int main() { return 0; }
