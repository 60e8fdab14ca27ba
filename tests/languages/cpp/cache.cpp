/// @component Cpp:Cache (#cpp_cache) [storage]
//! @threat Use after free (#cpp_uaf) [critical] cwe:CWE-416
#include <string>

namespace cache {

/**
 * @control Smart pointers (#cpp_smart)
 */
const std::string trap = R"(// @threat Raw string TRAP)";
const std::string delim = R"x(
/* @threat Raw delimited TRAP */
)x";
const char *plain = "// @threat String TRAP";

/*!
 * @mitigates Cpp:Cache against #cpp_uaf with #cpp_smart
 */
template <typename T> T get(T v) { return v; } // @exposes Cpp:Cache to #cpp_uaf with raw pointers

// @threat Cache poisoning (#cpp_poison):
//   severity: medium
//   description: Unkeyed headers end up in the key.
/* @connects Cpp:Cache to Cpp:Origin with HTTP */ int x = 0;

// TODO @mitigates Cpp:Cache against #cpp_poison
// @skip @mitigates Cpp:Cache against #cpp_poison
/*
 * @threat Stale entries (#cpp_stale):
 *   likelihood: medium
 *   description: Invalidation races with writes. */
}  // namespace cache
