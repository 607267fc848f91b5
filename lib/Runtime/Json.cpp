//===- Json.cpp - A small strict JSON parser ------------------------------===//

#include "swr/Runtime/Json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace swr {
namespace json {

const char *kindName(Kind kind) {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return "boolean";
  case Kind::Int:
    return "integer";
  case Kind::Double:
    return "number";
  case Kind::String:
    return "string";
  case Kind::Array:
    return "array";
  case Kind::Object:
    return "object";
  }
  return "unknown";
}

//===----------------------------------------------------------------------===//
// Value
//===----------------------------------------------------------------------===//

Value Value::makeBool(bool value) {
  Value v;
  v.kind_ = Kind::Bool;
  v.bool_ = value;
  return v;
}

Value Value::makeInt(int64_t value) {
  Value v;
  v.kind_ = Kind::Int;
  v.int_ = value;
  return v;
}

Value Value::makeDouble(double value) {
  Value v;
  v.kind_ = Kind::Double;
  v.double_ = value;
  return v;
}

Value Value::makeString(std::string value) {
  Value v;
  v.kind_ = Kind::String;
  v.string_ = std::move(value);
  return v;
}

Value Value::makeArray() {
  Value v;
  v.kind_ = Kind::Array;
  return v;
}

Value Value::makeObject() {
  Value v;
  v.kind_ = Kind::Object;
  return v;
}

double Value::getNumber() const {
  if (kind_ == Kind::Int)
    return static_cast<double>(int_);
  return kind_ == Kind::Double ? double_ : 0.0;
}

const Value *Value::find(std::string_view key) const {
  if (kind_ != Kind::Object)
    return nullptr;
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key)
      return &elements_[i];
  return nullptr;
}

void Value::push(Value value) { elements_.push_back(std::move(value)); }

void Value::set(std::string key, Value value) {
  keys_.push_back(std::move(key));
  elements_.push_back(std::move(value));
}

std::string ParseError::str() const {
  return "JSON error at byte " + std::to_string(offset) + ": " + message;
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

namespace {

/// Deep enough for any launch description, shallow enough that the recursive
/// descent cannot overflow the stack on hostile input.
constexpr int kMaxDepth = 256;

std::string describeByte(unsigned char c) {
  char buffer[32];
  if (c >= 0x20 && c < 0x7f)
    std::snprintf(buffer, sizeof(buffer), "'%c'", c);
  else
    std::snprintf(buffer, sizeof(buffer), "byte 0x%02x", c);
  return buffer;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xc0 | (codePoint >> 6));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xe0 | (codePoint >> 12));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (codePoint >> 18));
    out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  }
}

/// Length of the well-formed UTF-8 sequence starting at text[pos] (a byte >=
/// 0x80), or 0 if it is malformed (overlong, surrogate, > U+10FFFF, truncated).
size_t utf8SequenceLength(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) -> unsigned {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i])
                                 : 0u;
  };
  auto cont = [&](size_t i) { return (byte(i) & 0xc0) == 0x80; };
  unsigned b0 = byte(0);
  if (b0 >= 0xc2 && b0 <= 0xdf)
    return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    unsigned b1 = byte(1);
    if ((b0 == 0xe0 && b1 < 0xa0) || (b0 == 0xed && b1 > 0x9f))
      return 0; // overlong or UTF-16 surrogate
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    unsigned b1 = byte(1);
    if ((b0 == 0xf0 && b1 < 0x90) || (b0 == 0xf4 && b1 > 0x8f))
      return 0; // overlong or beyond U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

class Parser {
public:
  Parser(std::string_view text, ParseError &error)
      : text_(text), error_(error) {}

  bool parseDocument(Value &out) {
    skipWhitespace();
    if (!parseValue(out, 0))
      return false;
    skipWhitespace();
    if (pos_ != text_.size())
      return fail("unexpected " + describeByte(peek()) +
                  " after the JSON value");
    return true;
  }

private:
  std::string_view text_;
  size_t pos_ = 0;
  ParseError &error_;

  bool atEnd() const { return pos_ >= text_.size(); }
  unsigned char peek() const {
    return atEnd() ? 0 : static_cast<unsigned char>(text_[pos_]);
  }

  bool failAt(size_t offset, std::string message) {
    error_.offset = offset;
    error_.message = std::move(message);
    return false;
  }
  bool fail(std::string message) { return failAt(pos_, std::move(message)); }
  bool failEnd(const char *expected) {
    return fail(std::string("unexpected end of input, expected ") + expected);
  }

  void skipWhitespace() {
    while (!atEnd()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        return;
      ++pos_;
    }
  }

  bool parseValue(Value &out, int depth) {
    if (atEnd())
      return failEnd("a JSON value");
    char c = text_[pos_];
    switch (c) {
    case '{':
      return parseObject(out, depth);
    case '[':
      return parseArray(out, depth);
    case '"': {
      std::string s;
      if (!parseString(s))
        return false;
      out = Value::makeString(std::move(s));
      return true;
    }
    case 't':
      return parseLiteral("true", Value::makeBool(true), out);
    case 'f':
      return parseLiteral("false", Value::makeBool(false), out);
    case 'n':
      return parseLiteral("null", Value(), out);
    default:
      if (c == '-' || isDigit(c))
        return parseNumber(out);
      return fail("unexpected " + describeByte(peek()) +
                  ", expected a JSON value");
    }
  }

  bool parseLiteral(std::string_view word, Value value, Value &out) {
    if (text_.substr(pos_, word.size()) != word)
      return fail("invalid literal, expected '" + std::string(word) + "'");
    pos_ += word.size();
    out = std::move(value);
    return true;
  }

  bool enter(int depth) {
    if (depth >= kMaxDepth)
      return fail("nesting deeper than " + std::to_string(kMaxDepth) +
                  " levels");
    return true;
  }

  bool parseArray(Value &out, int depth) {
    if (!enter(depth))
      return false;
    ++pos_; // '['
    out = Value::makeArray();
    skipWhitespace();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      skipWhitespace();
      Value element;
      if (!parseValue(element, depth + 1))
        return false;
      out.push(std::move(element));
      skipWhitespace();
      if (atEnd())
        return failEnd("',' or ']' in array");
      char c = text_[pos_++];
      if (c == ']')
        return true;
      if (c != ',')
        return failAt(pos_ - 1, "unexpected " + describeByte(c) +
                                    ", expected ',' or ']' in array");
    }
  }

  bool parseObject(Value &out, int depth) {
    if (!enter(depth))
      return false;
    ++pos_; // '{'
    out = Value::makeObject();
    skipWhitespace();
    if (peek() == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      if (!parseMember(out, depth))
        return false;
      skipWhitespace();
      if (atEnd())
        return failEnd("',' or '}' in object");
      char c = text_[pos_++];
      if (c == '}')
        return true;
      if (c != ',')
        return failAt(pos_ - 1, "unexpected " + describeByte(c) +
                                    ", expected ',' or '}' in object");
    }
  }

  bool parseMember(Value &object, int depth) {
    skipWhitespace();
    if (atEnd())
      return failEnd("a string key in object");
    if (peek() != '"')
      return fail("unexpected " + describeByte(peek()) +
                  ", expected a string key in object");
    size_t keyOffset = pos_;
    std::string key;
    if (!parseString(key))
      return false;
    // Duplicate keys are ambiguous (which one wins differs between parsers),
    // so a strict parser rejects them.
    if (object.find(key))
      return failAt(keyOffset, "duplicate key \"" + key + "\"");
    skipWhitespace();
    if (atEnd())
      return failEnd("':' after object key");
    if (peek() != ':')
      return fail("unexpected " + describeByte(peek()) +
                  ", expected ':' after object key");
    ++pos_;
    skipWhitespace();
    Value value;
    if (!parseValue(value, depth + 1))
      return false;
    object.set(std::move(key), std::move(value));
    return true;
  }

  bool parseHex4(size_t at, uint32_t &out) {
    if (at + 4 > text_.size())
      return failAt(at, "invalid \\u escape, expected 4 hex digits");
    out = 0;
    for (size_t i = 0; i < 4; ++i) {
      int h = hexValue(text_[at + i]);
      if (h < 0)
        return failAt(at, "invalid \\u escape, expected 4 hex digits");
      out = out * 16 + static_cast<uint32_t>(h);
    }
    return true;
  }

  /// Parses the \uXXXX escape whose backslash is at pos_ - 1 (pos_ at 'u'),
  /// combining a surrogate pair when one follows.
  bool parseUnicodeEscape(std::string &out) {
    size_t escapeStart = pos_ - 1;
    uint32_t unit;
    if (!parseHex4(pos_ + 1, unit))
      return false;
    pos_ += 5;
    if (unit >= 0xdc00 && unit <= 0xdfff)
      return failAt(escapeStart, "unpaired UTF-16 surrogate in \\u escape");
    if (unit >= 0xd800 && unit <= 0xdbff) {
      uint32_t low;
      if (text_.substr(pos_, 2) != "\\u" || !parseHex4(pos_ + 2, low) ||
          low < 0xdc00 || low > 0xdfff)
        return failAt(escapeStart, "unpaired UTF-16 surrogate in \\u escape");
      pos_ += 6;
      unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    }
    appendUtf8(out, unit);
    return true;
  }

  bool parseEscape(std::string &out) {
    if (atEnd())
      return failEnd("an escape character");
    char c = text_[pos_];
    switch (c) {
    case '"':
    case '\\':
    case '/':
      out += c;
      break;
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case 'u':
      return parseUnicodeEscape(out);
    default:
      return failAt(pos_ - 1,
                    "invalid escape \\" +
                        std::string(1, c >= 0x20 && c < 0x7f ? c : '?'));
    }
    ++pos_;
    return true;
  }

  bool parseString(std::string &out) {
    size_t start = pos_;
    ++pos_; // opening quote
    while (true) {
      if (atEnd())
        return failAt(start, "unterminated string");
      unsigned char c = peek();
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (!parseEscape(out))
          return false;
        continue;
      }
      if (c < 0x20)
        return fail("unescaped control character " + describeByte(c) +
                    " in string");
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      size_t length = utf8SequenceLength(text_, pos_);
      if (length == 0)
        return fail("invalid UTF-8 in string");
      out.append(text_.substr(pos_, length));
      pos_ += length;
    }
  }

  /// Scans the number grammar of RFC 8259 and converts it: integers that fit
  /// int64 stay exact, everything else becomes a double.
  bool parseNumber(Value &out) {
    size_t start = pos_;
    bool isInteger = true;
    if (peek() == '-')
      ++pos_;
    if (!isDigit(peek()))
      return fail("invalid number: expected a digit");
    if (peek() == '0') {
      ++pos_;
      if (isDigit(peek()))
        return failAt(start, "invalid number: leading zero");
    } else {
      while (isDigit(peek()))
        ++pos_;
    }
    if (peek() == '.') {
      isInteger = false;
      ++pos_;
      if (!isDigit(peek()))
        return fail("invalid number: expected a digit after '.'");
      while (isDigit(peek()))
        ++pos_;
    }
    bool negativeExponent = false;
    if (peek() == 'e' || peek() == 'E') {
      isInteger = false;
      ++pos_;
      if (peek() == '+' || peek() == '-')
        negativeExponent = text_[pos_++] == '-';
      if (!isDigit(peek()))
        return fail("invalid number: expected a digit in the exponent");
      while (isDigit(peek()))
        ++pos_;
    }
    return convertNumber(start, isInteger, negativeExponent, out);
  }

  bool convertNumber(size_t start, bool isInteger, bool negativeExponent,
                     Value &out) {
    const char *first = text_.data() + start;
    const char *last = text_.data() + pos_;
    if (isInteger) {
      int64_t i = 0;
      auto result = std::from_chars(first, last, i);
      if (result.ec == std::errc() && result.ptr == last) {
        out = Value::makeInt(i);
        return true;
      }
      // Too large for int64: fall through to double.
    }
    // from_chars is locale-independent, unlike strtod.
    double d = 0;
    auto result = std::from_chars(first, last, d);
    if (result.ec == std::errc::result_out_of_range) {
      if (!negativeExponent)
        return failAt(start, "number out of range");
      d = *first == '-' ? -0.0 : 0.0; // underflow
    } else if (result.ec != std::errc() || result.ptr != last) {
      return failAt(start, "invalid number");
    }
    out = Value::makeDouble(d);
    return true;
  }
};

//===----------------------------------------------------------------------===//
// Serializer
//===----------------------------------------------------------------------===//

void serializeString(const std::string &s, std::string &out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        out += buffer;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  out += '"';
}

void serializeDouble(double d, std::string &out) {
  if (!std::isfinite(d)) {
    out += "null"; // JSON has no representation for inf/NaN
    return;
  }
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), d);
  std::string text(buffer, result.ptr);
  // Keep it a Double when read back.
  if (text.find_first_of(".eE") == std::string::npos)
    text += ".0";
  out += text;
}

void serializeInto(const Value &value, std::string &out) {
  switch (value.kind()) {
  case Kind::Null:
    out += "null";
    return;
  case Kind::Bool:
    out += value.getBool() ? "true" : "false";
    return;
  case Kind::Int:
    out += std::to_string(value.getInt());
    return;
  case Kind::Double:
    serializeDouble(value.getNumber(), out);
    return;
  case Kind::String:
    serializeString(value.getString(), out);
    return;
  case Kind::Array:
    out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i)
        out += ',';
      serializeInto(value[i], out);
    }
    out += ']';
    return;
  case Kind::Object:
    out += '{';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i)
        out += ',';
      serializeString(value.keys()[i], out);
      out += ':';
      serializeInto(value[i], out);
    }
    out += '}';
    return;
  }
}

} // namespace

std::optional<Value> parse(std::string_view text, ParseError *error) {
  ParseError local;
  Parser parser(text, error ? *error : local);
  Value value;
  if (!parser.parseDocument(value))
    return std::nullopt;
  return value;
}

std::string serialize(const Value &value) {
  std::string out;
  serializeInto(value, out);
  return out;
}

std::string describe(const Value &value) {
  switch (value.kind()) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
  case Kind::Int:
  case Kind::Double:
  case Kind::String:
    return std::string(kindName(value.kind())) + " " + serialize(value);
  case Kind::Array:
    return "array of " + std::to_string(value.size()) + " element" +
           (value.size() == 1 ? "" : "s");
  case Kind::Object:
    return "object";
  }
  return "unknown";
}

} // namespace json
} // namespace swr
