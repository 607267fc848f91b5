//===- Json.h - A small strict JSON parser ---------------------*- C++ -*-===//
//
// The launch descriptions that the compiler writes next to its PTX are JSON.
// The runtime must not depend on LLVM (llvm::json) because it travels alone to
// the GPU machine, so this is a small self-contained parser: RFC 8259 strict
// (no comments, no trailing commas, no NaN/Infinity, no duplicate keys, valid
// UTF-8 in strings), no exceptions. Every error carries the byte offset where
// the input stopped making sense.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_RUNTIME_JSON_H
#define SWR_RUNTIME_JSON_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swr {
namespace json {

enum class Kind { Null, Bool, Int, Double, String, Array, Object };

/// "null", "boolean", "integer", "number", "string", "array" or "object".
const char *kindName(Kind kind);

/// A JSON value. Numbers written without fraction or exponent that fit in
/// int64 are Int; every other number is Double. Objects keep their members in
/// document order.
class Value {
public:
  Value() = default;
  static Value makeBool(bool value);
  static Value makeInt(int64_t value);
  static Value makeDouble(double value);
  static Value makeString(std::string value);
  static Value makeArray();
  static Value makeObject();

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isInt() const { return kind_ == Kind::Int; }
  bool isNumber() const { return kind_ == Kind::Int || kind_ == Kind::Double; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  /// Scalar accessors; calling one on a value of another kind returns a
  /// default (false, 0, empty string) rather than aborting.
  bool getBool() const { return kind_ == Kind::Bool && bool_; }
  int64_t getInt() const { return kind_ == Kind::Int ? int_ : 0; }
  /// The number as a double (Int values are converted).
  double getNumber() const;
  const std::string &getString() const { return string_; }

  /// Array elements, or object member values in document order.
  const std::vector<Value> &elements() const { return elements_; }
  /// Object member keys, parallel to elements(); empty for arrays.
  const std::vector<std::string> &keys() const { return keys_; }
  size_t size() const { return elements_.size(); }
  const Value &operator[](size_t index) const { return elements_[index]; }

  /// The member named `key` of an object, or null if absent / not an object.
  const Value *find(std::string_view key) const;

  /// Appends to an array.
  void push(Value value);
  /// Appends a member to an object (no duplicate check).
  void set(std::string key, Value value);

private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<Value> elements_;
  std::vector<std::string> keys_;
};

/// Where and why parsing stopped.
struct ParseError {
  size_t offset = 0;
  std::string message;
  /// "JSON error at byte <offset>: <message>".
  std::string str() const;
};

/// Parses one complete JSON document (surrounding whitespace allowed). On
/// failure returns nullopt and, if `error` is given, fills it.
std::optional<Value> parse(std::string_view text, ParseError *error = nullptr);

/// Compact serialization (round-trips through parse; doubles use the shortest
/// representation that reads back exactly).
std::string serialize(const Value &value);

/// A short description of a value for error messages, e.g. `integer 3`,
/// `string "abc"`, `array of 2 elements`.
std::string describe(const Value &value);

} // namespace json
} // namespace swr

#endif // SWR_RUNTIME_JSON_H
