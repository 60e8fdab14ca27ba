/**
 * @file parser.hpp
 * @brief A small INI parser.
 * @author Jane Doe <jane@example.com>
 * @date 2024-03-01
 */

#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ini {

/**
 * @class Parser
 * @brief Parses INI text into sections of key/value pairs.
 *
 * Example:
 * @code
 * ini::Parser p;
 * auto doc = p.parse("[db]\nhost = localhost\n");
 * // @test doc["db"]["host"] == "localhost"
 * @endcode
 *
 * @note Keys are case-sensitive.
 * @todo Support line continuations.
 */
class Parser {
public:
    /// A section: key to value.
    using Section = std::map<std::string, std::string>;
    /// The whole document: section name to section.
    using Document = std::map<std::string, Section>;

    /**
     * @brief Parses a whole document.
     * @param[in] text The INI source.
     * @return The parsed document; empty for empty input.
     * @throws std::runtime_error on a line that is neither a section, a pair nor a comment.
     * @test Verify the parser handles empty input.
     */
    Document parse(std::string_view text) const;

    /**
     * @brief Looks a value up.
     * @param[in] doc The document.
     * @param[in] section The section name.
     * @param[in] key The key.
     * @param[out] found Set to true when the key exists; may be nullptr.
     * @return The value, if any.
     */
    static std::optional<std::string> lookup(const Document& doc, const std::string& section,
                                             const std::string& key, bool* found = nullptr);

private:
    /*!
     * \brief Strips blanks from both ends.
     * \param s The text.
     * \return The trimmed view.
     * \test Verify that a line of only blanks trims to empty.
     */
    static std::string_view trim(std::string_view s);

    int line_ = 0;  ///< @brief Current line, for error messages.
};

//! @brief Returns the library version, e.g. "1.2.0".
//! @return A static string.
//! @deprecated Use ini::version_info() instead.
const char* version();

/// @test Round trip: parse(format(doc)) == doc.
/// @see https://en.wikipedia.org/wiki/INI_file
/// @internal Keep in sync with parser.cpp.
std::string format(const Parser::Document& doc);

/** @brief Error text for a line, e.g. "line 3: expected '='". @param line 1-based. */
std::string error_at(int line);

}  // namespace ini
