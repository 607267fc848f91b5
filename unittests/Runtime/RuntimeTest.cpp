//===- RuntimeTest.cpp - Phalanx runtime: JSON, launch descriptions, C API ===//
//
// Everything here runs without a GPU: the parser, the launch-description
// validation, argument packing and grid computation are pure, and the C API
// must report clear errors on a machine without libcuda.so.1.
//
//===----------------------------------------------------------------------===//

#include "swr-c/Runtime.h"
#include "swr/Runtime/Json.h"
#include "swr/Runtime/LaunchDescription.h"
#include "swr/Runtime/Runtime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace swr {
namespace runtime {
namespace {

/// gmock's HasSubstr without needing gmock.
#define EXPECT_HAS_SUBSTR(text, part)                                          \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "'" << (text) << "' does not contain '" << (part) << "'"

//===----------------------------------------------------------------------===//
// Json
//===----------------------------------------------------------------------===//

json::Value parseOk(std::string_view text) {
  json::ParseError error;
  std::optional<json::Value> value = json::parse(text, &error);
  EXPECT_TRUE(value.has_value()) << error.str();
  return value ? *value : json::Value();
}

/// Parses `text`, expecting a failure at `offset` whose message contains
/// `message`.
void expectJsonError(std::string_view text, size_t offset,
                     const std::string &message) {
  json::ParseError error;
  EXPECT_FALSE(json::parse(text, &error).has_value()) << text;
  EXPECT_EQ(error.offset, offset) << text << ": " << error.str();
  EXPECT_NE(error.message.find(message), std::string::npos)
      << text << ": got '" << error.message << "', expected '" << message
      << "'";
  EXPECT_NE(error.str().find("at byte " + std::to_string(offset)),
            std::string::npos);
}

TEST(Json, Scalars) {
  EXPECT_TRUE(parseOk("null").isNull());
  EXPECT_TRUE(parseOk("true").getBool());
  EXPECT_FALSE(parseOk(" false ").getBool());
  EXPECT_EQ(parseOk("0").getInt(), 0);
  EXPECT_EQ(parseOk("-17").getInt(), -17);
  EXPECT_EQ(parseOk("\"hi\"").getString(), "hi");
}

TEST(Json, Int64Limits) {
  json::Value max = parseOk("9223372036854775807");
  ASSERT_TRUE(max.isInt());
  EXPECT_EQ(max.getInt(), std::numeric_limits<int64_t>::max());
  json::Value min = parseOk("-9223372036854775808");
  ASSERT_TRUE(min.isInt());
  EXPECT_EQ(min.getInt(), std::numeric_limits<int64_t>::min());
  // One past the limit is still a number, but a double.
  json::Value big = parseOk("9223372036854775808");
  EXPECT_EQ(big.kind(), json::Kind::Double);
  EXPECT_DOUBLE_EQ(big.getNumber(), 9223372036854775808.0);
}

TEST(Json, Doubles) {
  EXPECT_EQ(parseOk("1.5").kind(), json::Kind::Double);
  EXPECT_DOUBLE_EQ(parseOk("1.5").getNumber(), 1.5);
  EXPECT_DOUBLE_EQ(parseOk("-0.25e2").getNumber(), -25.0);
  EXPECT_DOUBLE_EQ(parseOk("1E+3").getNumber(), 1000.0);
  EXPECT_EQ(parseOk("1e3").kind(), json::Kind::Double);
  EXPECT_DOUBLE_EQ(parseOk("2.5e-3").getNumber(), 0.0025);
  EXPECT_DOUBLE_EQ(parseOk("1e-400").getNumber(), 0.0); // underflow
  EXPECT_DOUBLE_EQ(parseOk("7").getNumber(), 7.0);
}

TEST(Json, StringEscapes) {
  EXPECT_EQ(parseOk(R"("a\"b\\c\/d\b\f\n\r\t")").getString(),
            "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(parseOk(R"("\u0041\u00e9\u20ac")").getString(),
            "A\xc3\xa9\xe2\x82\xac");
  // A surrogate pair becomes one 4-byte UTF-8 sequence (U+1F600).
  EXPECT_EQ(parseOk(R"("\ud83d\ude00")").getString(), "\xf0\x9f\x98\x80");
  // Raw UTF-8 passes through.
  EXPECT_EQ(parseOk("\"\xc3\xa9\"").getString(), "\xc3\xa9");
}

TEST(Json, ArraysAndObjects) {
  json::Value v =
      parseOk(R"( { "b" : [1, 2.5, "x", [], {}], "a": {"c": null} } )");
  ASSERT_TRUE(v.isObject());
  ASSERT_EQ(v.keys().size(), 2u);
  EXPECT_EQ(v.keys()[0], "b"); // document order is kept
  EXPECT_EQ(v.keys()[1], "a");
  const json::Value *b = v.find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->isArray());
  ASSERT_EQ(b->size(), 5u);
  EXPECT_EQ((*b)[0].getInt(), 1);
  EXPECT_TRUE((*b)[3].isArray());
  EXPECT_TRUE((*b)[4].isObject());
  ASSERT_NE(v.find("a"), nullptr);
  EXPECT_TRUE(v.find("a")->find("c")->isNull());
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ((*b)[0].find("x"), nullptr); // find on a non-object
}

TEST(Json, SerializeRoundTrip) {
  const char *text =
      R"({"a":[1,-2,2.5,1e+300,true,false,null],"s":"q\"\\\n\u0001","o":{}})";
  json::Value v = parseOk(text);
  std::string out = json::serialize(v);
  EXPECT_EQ(json::serialize(parseOk(out)), out);
  EXPECT_EQ(parseOk(out).find("s")->getString(), "q\"\\\n\x01");
  EXPECT_EQ(json::serialize(parseOk("3.0")), "3.0"); // stays a double
}

TEST(Json, Describe) {
  EXPECT_EQ(json::describe(parseOk("3")), "integer 3");
  EXPECT_EQ(json::describe(parseOk("\"x\"")), "string \"x\"");
  EXPECT_EQ(json::describe(parseOk("[1,2]")), "array of 2 elements");
  EXPECT_EQ(json::describe(parseOk("{}")), "object");
  EXPECT_EQ(json::describe(parseOk("null")), "null");
}

TEST(Json, ErrorEndOfInput) {
  expectJsonError("", 0, "unexpected end of input, expected a JSON value");
  expectJsonError("   ", 3, "unexpected end of input");
  expectJsonError("{", 1, "expected a string key");
  expectJsonError("[1,2", 4, "expected ',' or ']'");
  expectJsonError(R"({"a":1)", 6, "expected ',' or '}'");
  expectJsonError(R"({"a")", 4, "expected ':'");
}

TEST(Json, ErrorUnexpectedCharacter) {
  expectJsonError("[1,]", 3, "unexpected ']', expected a JSON value");
  expectJsonError("[1 2]", 3, "unexpected '2', expected ',' or ']'");
  expectJsonError(R"({"a":1,})", 7, "unexpected '}', expected a string key");
  expectJsonError(R"({"a" 1})", 5, "expected ':' after object key");
  expectJsonError("{1:2}", 1, "expected a string key");
  expectJsonError(R"({"a":1 "b":2})", 7, "expected ',' or '}'");
  expectJsonError("@", 0, "unexpected '@'");
  expectJsonError("\x01", 0, "unexpected byte 0x01");
  expectJsonError("NaN", 0, "unexpected 'N'");
}

TEST(Json, ErrorLiterals) {
  expectJsonError("tru", 0, "invalid literal, expected 'true'");
  expectJsonError("nul", 0, "invalid literal, expected 'null'");
  expectJsonError("[falsy]", 1, "invalid literal, expected 'false'");
}

TEST(Json, ErrorNumbers) {
  expectJsonError("01", 0, "invalid number: leading zero");
  expectJsonError("-", 1, "invalid number: expected a digit");
  expectJsonError("-a", 1, "invalid number: expected a digit");
  expectJsonError("1.", 2, "expected a digit after '.'");
  expectJsonError("1.e3", 2, "expected a digit after '.'");
  expectJsonError("1e", 2, "expected a digit in the exponent");
  expectJsonError("1e+", 3, "expected a digit in the exponent");
  expectJsonError("[1e999]", 1, "number out of range");
  expectJsonError("+1", 0, "unexpected '+'");
  expectJsonError(".5", 0, "unexpected '.'");
}

TEST(Json, ErrorStrings) {
  expectJsonError("\"abc", 0, "unterminated string");
  expectJsonError("[\"a\nb\"]", 3, "unescaped control character byte 0x0a");
  expectJsonError(R"("\x")", 1, "invalid escape \\x");
  expectJsonError(R"("\u12")", 3, "invalid \\u escape");
  expectJsonError(R"("\u12g4")", 3, "invalid \\u escape");
  expectJsonError(R"("\ud800")", 1, "unpaired UTF-16 surrogate");
  expectJsonError(R"("\ud800\u0041")", 1, "unpaired UTF-16 surrogate");
  expectJsonError(R"("\udc00")", 1, "unpaired UTF-16 surrogate");
  expectJsonError("\"a\xff\"", 2, "invalid UTF-8");
  expectJsonError("\"\xc0\x80\"", 1, "invalid UTF-8");     // overlong
  expectJsonError("\"\xed\xa0\x80\"", 1, "invalid UTF-8"); // surrogate
  expectJsonError("\"\xe2\x82\"", 1, "invalid UTF-8");     // truncated
}

TEST(Json, ErrorStructure) {
  expectJsonError(R"({"a":1,"a":2})", 7, "duplicate key \"a\"");
  expectJsonError("1 2", 2, "unexpected '2' after the JSON value");
  expectJsonError("{} x", 3, "after the JSON value");
  std::string deep(300, '[');
  expectJsonError(deep, 256, "nesting deeper than 256 levels");
  std::string ok = std::string(200, '[') + std::string(200, ']');
  parseOk(ok);
}

//===----------------------------------------------------------------------===//
// LaunchDescription
//===----------------------------------------------------------------------===//

using Fields = std::vector<std::pair<std::string, std::string>>;

/// The example of the runtime brief: decay [B,H,L], input/output [B,H,D,L],
/// one work item per (b, h, 16-step tile of L).
Fields exampleFields() {
  return {
      {"format", R"("swr-launch-v1")"},
      {"entry", R"("swr_scan_kernel")"},
      {"target", R"("sm_90a")"},
      {"compiler", R"("swr 0.1")"},
      {"block", "[128, 1, 1]"},
      {"cluster", "[1, 1, 1]"},
      {"dynamic_shared_memory", "0"},
      {"grid",
       R"({"work_items": [{"param": 1, "dim": 0}, {"param": 1, "dim": 1},
                  {"param": 1, "dim": 3, "ceil_div": 16}],
                  "items_per_block": 128})"},
      {"params",
       R"([{"name": "decay", "kind": "memref", "rank": 3, "dtype": "bf16"},
                    {"name": "input", "kind": "memref", "rank": 4, "dtype": "bf16"},
                    {"name": "output", "kind": "memref", "rank": 4, "dtype": "f32"}])"},
      {"scan", R"({"window": "bands", "size": 2, "tile": 16, "layout": "bhdl",
                  "sharing": "per_head", "reverse": false})"},
      {"strategy", R"("fma")"},
  };
}

std::string render(const Fields &fields) {
  std::string text = "{";
  for (const auto &[key, raw] : fields)
    text += (text.size() > 1 ? ", \"" : "\"") + key + "\": " + raw;
  return text + "}";
}

/// The example with `key` set to `raw` (added if absent), or removed when
/// `raw` is empty.
std::string exampleWith(const std::string &key, const std::string &raw) {
  Fields fields = exampleFields();
  Fields out;
  bool found = false;
  for (auto &field : fields) {
    if (field.first != key) {
      out.push_back(field);
      continue;
    }
    found = true;
    if (!raw.empty())
      out.emplace_back(key, raw);
  }
  if (!found && !raw.empty())
    out.emplace_back(key, raw);
  return render(out);
}

LaunchDescription parseExample() {
  LaunchDescription desc;
  std::string error;
  EXPECT_TRUE(parseLaunchDescription(render(exampleFields()), desc, error))
      << error;
  return desc;
}

void expectDescriptionError(const std::string &text,
                            const std::string &message) {
  LaunchDescription desc;
  std::string error;
  bool isJson = true;
  EXPECT_FALSE(parseLaunchDescription(text, desc, error, &isJson)) << text;
  EXPECT_FALSE(isJson);
  EXPECT_NE(error.find(message), std::string::npos)
      << "got: " << error << "\nexpected: " << message;
}

TEST(LaunchDescription, ParsesExample) {
  LaunchDescription desc = parseExample();
  EXPECT_EQ(desc.format, "swr-launch-v1");
  EXPECT_EQ(desc.entry, "swr_scan_kernel");
  EXPECT_EQ(desc.target, "sm_90a");
  EXPECT_EQ(desc.compiler, "swr 0.1");
  EXPECT_EQ(desc.strategy, "fma");
  EXPECT_EQ(desc.block, (std::array<int32_t, 3>{128, 1, 1}));
  EXPECT_EQ(desc.cluster, (std::array<int32_t, 3>{1, 1, 1}));
  EXPECT_FALSE(desc.hasCluster());
  EXPECT_EQ(desc.dynamicSharedMemory, 0);
  ASSERT_EQ(desc.grid.workItems.size(), 3u);
  EXPECT_EQ(desc.grid.workItems[2].param, 1);
  EXPECT_EQ(desc.grid.workItems[2].dim, 3);
  EXPECT_EQ(desc.grid.workItems[2].ceilDiv, 16);
  EXPECT_EQ(desc.grid.workItems[0].ceilDiv, 1);
  EXPECT_EQ(desc.grid.itemsPerBlock, 128);
  ASSERT_EQ(desc.params.size(), 3u);
  EXPECT_EQ(desc.params[0].name, "decay");
  EXPECT_EQ(desc.params[0].rank, 3);
  EXPECT_EQ(desc.params[0].dtype, ElementType::BF16);
  EXPECT_EQ(desc.params[2].dtype, ElementType::F32);
  EXPECT_EQ(desc.numKernelParams(), size_t(9 + 11 + 11));
  EXPECT_TRUE(desc.scan.present);
  EXPECT_EQ(desc.scan.window, "bands");
  EXPECT_EQ(desc.scan.size, 2);
  EXPECT_EQ(desc.scan.tile, 16);
  EXPECT_EQ(desc.scan.layout, "bhdl");
  EXPECT_EQ(desc.scan.sharing, "per_head");
  EXPECT_FALSE(desc.scan.reverse);
  // The raw document stays available for fields not modelled.
  ASSERT_NE(desc.document.find("strategy"), nullptr);
  EXPECT_EQ(desc.document.find("strategy")->getString(), "fma");
}

TEST(LaunchDescription, OptionalFieldsAndDefaults) {
  Fields fields;
  for (auto &field : exampleFields())
    if (field.first != "cluster" && field.first != "dynamic_shared_memory" &&
        field.first != "scan" && field.first != "strategy" &&
        field.first != "compiler")
      fields.push_back(field);
  fields.emplace_back("future_field", R"({"anything": [1]})");
  LaunchDescription desc;
  std::string error;
  ASSERT_TRUE(parseLaunchDescription(render(fields), desc, error)) << error;
  EXPECT_EQ(desc.cluster, (std::array<int32_t, 3>{1, 1, 1}));
  EXPECT_EQ(desc.dynamicSharedMemory, 0);
  EXPECT_FALSE(desc.scan.present);
  EXPECT_FALSE(desc.workspace.has_value());
  EXPECT_TRUE(desc.strategy.empty());
}

TEST(LaunchDescription, ClusterAndSharedMemory) {
  LaunchDescription desc;
  std::string error;
  ASSERT_TRUE(
      parseLaunchDescription(exampleWith("cluster", "[4, 1, 1]"), desc, error))
      << error;
  EXPECT_TRUE(desc.hasCluster());
  ASSERT_TRUE(parseLaunchDescription(
      exampleWith("dynamic_shared_memory", "200000"), desc, error))
      << error;
  EXPECT_EQ(desc.dynamicSharedMemory, 200000);
}

TEST(LaunchDescription, ElementTypes) {
  for (const char *name : {"f32", "bf16", "f16", "i32", "i64"}) {
    std::optional<ElementType> type = parseElementType(name);
    ASSERT_TRUE(type.has_value()) << name;
    EXPECT_STREQ(elementTypeName(*type), name);
  }
  EXPECT_FALSE(parseElementType("f64").has_value());
  EXPECT_EQ(elementSize(ElementType::BF16), 2);
  EXPECT_EQ(elementSize(ElementType::F32), 4);
  EXPECT_EQ(elementSize(ElementType::I64), 8);
}

TEST(LaunchDescription, JsonSyntaxError) {
  LaunchDescription desc;
  std::string error;
  bool isJson = false;
  EXPECT_FALSE(parseLaunchDescription("{\"format\": }", desc, error, &isJson));
  EXPECT_TRUE(isJson);
  EXPECT_HAS_SUBSTR(error, "JSON error at byte 11");
}

TEST(LaunchDescription, TopLevelNotObject) {
  expectDescriptionError("[1]", "expected a JSON object at the top level, got "
                                "array of 1 element");
}

TEST(LaunchDescription, MissingFields) {
  for (const char *key :
       {"format", "entry", "target", "block", "grid", "params"})
    expectDescriptionError(exampleWith(key, ""),
                           std::string("missing required field '") + key + "'");
  expectDescriptionError(exampleWith("grid", R"({"items_per_block": 1})"),
                         "missing required field 'grid.work_items'");
  expectDescriptionError(exampleWith("grid", R"({"work_items": []})"),
                         "missing required field 'grid.items_per_block'");
  expectDescriptionError(
      exampleWith("params", R"([{"name": "a", "kind": "memref", "rank": 1}])"),
      "missing required field 'params[0].dtype'");
  expectDescriptionError(exampleWith("scan", R"({"size": 2})"),
                         "missing required field 'scan.window'");
}

TEST(LaunchDescription, HeaderErrors) {
  expectDescriptionError(
      exampleWith("format", R"("swr-launch-v2")"),
      "field 'format': expected \"swr-launch-v1\", got string "
      "\"swr-launch-v2\"");
  expectDescriptionError(exampleWith("entry", "3"),
                         "field 'entry': expected string, got integer 3");
  expectDescriptionError(exampleWith("entry", R"("")"),
                         "field 'entry': expected a non-empty string");
  expectDescriptionError(exampleWith("compiler", "null"),
                         "field 'compiler': expected string, got null");
}

TEST(LaunchDescription, BlockErrors) {
  expectDescriptionError(exampleWith("block", "[128, 1]"),
                         "field 'block': expected array of 3 integers, got "
                         "array of 2 elements");
  expectDescriptionError(exampleWith("block", "128"),
                         "field 'block': expected array, got integer 128");
  expectDescriptionError(exampleWith("block", "[128, 0, 1]"),
                         "field 'block[1]': expected integer in [1, 1024], "
                         "got integer 0");
  expectDescriptionError(exampleWith("block", "[-1, 1, 1]"),
                         "field 'block[0]': expected integer in [1, 1024], "
                         "got integer -1");
  expectDescriptionError(exampleWith("block", "[128.0, 1, 1]"),
                         "field 'block[0]': expected integer in [1, 1024], "
                         "got number 128.0");
  expectDescriptionError(exampleWith("block", "[64, 32, 1]"),
                         "field 'block': expected at most 1024 threads per "
                         "block, got 2048");
}

TEST(LaunchDescription, ClusterErrors) {
  expectDescriptionError(exampleWith("cluster", "[17, 1, 1]"),
                         "field 'cluster[0]': expected integer in [1, 16], "
                         "got integer 17");
  expectDescriptionError(exampleWith("cluster", "[2, 2, 1]"),
                         "field 'cluster[1]': expected 1 (the grid is "
                         "one-dimensional), got 2");
  expectDescriptionError(exampleWith("cluster", "[1, 1, 2]"),
                         "field 'cluster[2]'");
  expectDescriptionError(exampleWith("dynamic_shared_memory", "-1"),
                         "field 'dynamic_shared_memory': expected integer in "
                         "[0, 2147483647], got integer -1");
  expectDescriptionError(exampleWith("dynamic_shared_memory", "\"big\""),
                         "field 'dynamic_shared_memory': expected integer");
}

TEST(LaunchDescription, ParamErrors) {
  auto withParam = [](const std::string &param) {
    return exampleWith("params", "[" + param + "]");
  };
  expectDescriptionError(exampleWith("params", "{}"),
                         "field 'params': expected array, got object");
  expectDescriptionError(exampleWith("params", "[1]"),
                         "field 'params[0]': expected object, got integer 1");
  expectDescriptionError(
      withParam(
          R"({"name": "a", "kind": "memref", "rank": 1, "dtype": "f64"})"),
      "field 'params[0].dtype': unknown dtype \"f64\" (expected one of f32, "
      "bf16, f16, i32, i64)");
  expectDescriptionError(
      withParam(
          R"({"name": "a", "kind": "scalar", "rank": 1, "dtype": "f32"})"),
      "field 'params[0].kind': unsupported kind \"scalar\" (supported: "
      "memref)");
  expectDescriptionError(
      withParam(
          R"({"name": "a", "kind": "memref", "rank": 9, "dtype": "f32"})"),
      "field 'params[0].rank': expected integer in [0, 8], got integer 9");
  expectDescriptionError(
      withParam(
          R"({"name": "a", "kind": "memref", "rank": "2", "dtype": "f32"})"),
      "field 'params[0].rank': expected integer in [0, 8], got string \"2\"");
  expectDescriptionError(
      withParam(R"({"name": "", "kind": "memref", "rank": 1, "dtype": "f32"})"),
      "field 'params[0].name': expected a non-empty string");
  expectDescriptionError(
      exampleWith(
          "params",
          R"([{"name": "a", "kind": "memref", "rank": 4, "dtype": "f32"},
              {"name": "a", "kind": "memref", "rank": 4, "dtype": "f32"}])"),
      "field 'params[1].name': duplicate param name \"a\"");
}

/// The example with its input compiled for H = 3, D = 16 (B and L dynamic).
LaunchDescription parseWithStaticInput() {
  LaunchDescription desc;
  std::string error;
  EXPECT_TRUE(parseLaunchDescription(
      exampleWith(
          "params",
          R"([{"name": "decay", "kind": "memref", "rank": 3, "dtype": "bf16"},
              {"name": "input", "kind": "memref", "rank": 4, "dtype": "bf16",
               "sizes": [null, 3, 16, null]},
              {"name": "output", "kind": "memref", "rank": 4, "dtype": "f32"}])"),
      desc, error))
      << error;
  return desc;
}

TEST(LaunchDescription, StaticSizes) {
  // "sizes" is optional; null entries are dynamic.
  LaunchDescription plain = parseExample();
  EXPECT_TRUE(plain.params[1].staticSizes.empty());
  LaunchDescription desc = parseWithStaticInput();
  EXPECT_EQ(desc.params[1].staticSizes,
            (std::vector<int64_t>{ParamDescription::kDynamicSize, 3, 16,
                                  ParamDescription::kDynamicSize}));
  auto withSizes = [](const std::string &sizes) {
    return exampleWith("params", R"([{"name": "a", "kind": "memref",
        "rank": 2, "dtype": "f32", "sizes": )" +
                                     sizes + "}]");
  };
  expectDescriptionError(withSizes("[4]"),
                         "field 'params[0].sizes': expected array of 2 sizes "
                         "(one per dimension), got array of 1");
  expectDescriptionError(withSizes("[null, -3]"),
                         "field 'params[0].sizes[1]': expected integer >= 0, "
                         "got integer -3");
  expectDescriptionError(withSizes("{}"),
                         "field 'params[0].sizes': expected array, got object");
}

TEST(LaunchDescription, GridErrors) {
  auto withItems = [](const std::string &items) {
    return exampleWith("grid", R"({"work_items": [)" + items +
                                   R"(], "items_per_block": 128})");
  };
  expectDescriptionError(withItems(R"({"param": 3, "dim": 0})"),
                         "field 'grid.work_items[0].param': expected integer "
                         "in [0, 2], got integer 3");
  expectDescriptionError(
      withItems(R"({"param": 1, "dim": 0}, {"param": 0, "dim": 3})"),
      "field 'grid.work_items[1].dim': param 0 ('decay') has rank 3, "
      "expected a dim in [0, 3), got integer 3");
  expectDescriptionError(withItems(R"({"param": 1})"),
                         "missing required field 'grid.work_items[0].dim'");
  expectDescriptionError(
      withItems(R"({"param": 1, "dim": 0, "ceil_div": 0})"),
      "field 'grid.work_items[0].ceil_div': expected integer >= 1, got "
      "integer 0");
  expectDescriptionError(withItems("7"), "field 'grid.work_items[0]': "
                                         "expected object, got integer 7");
  expectDescriptionError(
      exampleWith("grid", R"({"work_items": [], "items_per_block": 0})"),
      "field 'grid.items_per_block': expected integer >= 1, got integer 0");
  expectDescriptionError(exampleWith("grid", "[]"),
                         "field 'grid': expected object, got array");
  expectDescriptionError(
      exampleWith("grid", R"({"work_items": {}, "items_per_block": 1})"),
      "field 'grid.work_items': expected array, got object");
}

TEST(LaunchDescription, ScanErrors) {
  expectDescriptionError(exampleWith("scan", "\"bands\""),
                         "field 'scan': expected object, got string");
  expectDescriptionError(
      exampleWith("scan", R"({"window": "bands", "reverse": 0})"),
      "field 'scan.reverse': expected boolean, got integer 0");
  expectDescriptionError(
      exampleWith("scan", R"({"window": "bands", "size": -2})"),
      "field 'scan.size': expected integer >= 0");
  expectDescriptionError(exampleWith("scan", R"({"window": 2})"),
                         "field 'scan.window': expected string, got integer 2");
}

const char *kWorkspace = R"({"header_words": 32, "words_per_item": 160})";

TEST(LaunchDescription, Workspace) {
  LaunchDescription desc;
  std::string error;
  ASSERT_TRUE(
      parseLaunchDescription(exampleWith("workspace", kWorkspace), desc, error))
      << error;
  ASSERT_TRUE(desc.workspace.has_value());
  EXPECT_EQ(desc.workspace->headerWords, 32);
  EXPECT_EQ(desc.workspace->wordsPerItem, 160);
  // Without zeroed_words_per_item all of it is zeroed.
  EXPECT_EQ(desc.workspace->zeroedWordsPerItem, 160);
  // The workspace is no param: one extra rank-1 memref (5 words) at the end.
  EXPECT_EQ(desc.params.size(), 3u);
  EXPECT_EQ(desc.numKernelParams(), size_t(9 + 11 + 11 + 5));
  // No header is fine, and unknown members are ignored like elsewhere.
  ASSERT_TRUE(parseLaunchDescription(
      exampleWith("workspace", R"({"header_words": 0, "words_per_item": 1,
                                   "future": true})"),
      desc, error))
      << error;
  ASSERT_TRUE(desc.workspace.has_value());
  EXPECT_EQ(desc.workspace->headerWords, 0);
  EXPECT_EQ(desc.workspace->wordsPerItem, 1);
  // Only the flags at the front of each item's words need zeroing.
  ASSERT_TRUE(parseLaunchDescription(
      exampleWith("workspace", R"({"header_words": 32, "words_per_item": 160,
                                   "zeroed_words_per_item": 32})"),
      desc, error))
      << error;
  EXPECT_EQ(desc.workspace->zeroedWordsPerItem, 32);
  // Absent: no workspace, no extra param.
  desc = parseExample();
  EXPECT_FALSE(desc.workspace.has_value());
  EXPECT_EQ(desc.numKernelParams(), size_t(9 + 11 + 11));
}

TEST(LaunchDescription, WorkspaceErrors) {
  auto withWorkspace = [](const std::string &raw) {
    return exampleWith("workspace", raw);
  };
  expectDescriptionError(withWorkspace("[32, 160]"),
                         "field 'workspace': expected object, got array");
  expectDescriptionError(withWorkspace(R"({"header_words": 32})"),
                         "missing required field 'workspace.words_per_item'");
  expectDescriptionError(withWorkspace(R"({"words_per_item": 160})"),
                         "missing required field 'workspace.header_words'");
  expectDescriptionError(
      withWorkspace(R"({"header_words": 32, "words_per_item": 0})"),
      "field 'workspace.words_per_item': expected integer >= 1, got integer "
      "0");
  expectDescriptionError(
      withWorkspace(R"({"header_words": -1, "words_per_item": 160})"),
      "field 'workspace.header_words': expected integer >= 0, got integer "
      "-1");
  expectDescriptionError(
      withWorkspace(R"({"header_words": 32, "words_per_item": "160"})"),
      "field 'workspace.words_per_item': expected integer >= 1, got string "
      "\"160\"");
  expectDescriptionError(
      withWorkspace(R"({"header_words": 32.0, "words_per_item": 160})"),
      "field 'workspace.header_words': expected integer >= 0, got number "
      "32.0");
  expectDescriptionError(
      withWorkspace(R"({"header_words": 32, "words_per_item": 160,
                        "zeroed_words_per_item": 161})"),
      "field 'workspace.zeroed_words_per_item': expected integer in [0, "
      "160], got integer 161");
}

//===----------------------------------------------------------------------===//
// ArgumentPacking
//===----------------------------------------------------------------------===//

/// A contiguous (row-major) memref over a fake device address.
swr_memref makeMemRef(uintptr_t address, std::vector<int64_t> sizes,
                      int64_t offset = 0) {
  swr_memref m;
  std::memset(&m, 0, sizeof(m));
  m.data = reinterpret_cast<void *>(address);
  m.offset = offset;
  m.rank = static_cast<int32_t>(sizes.size());
  int64_t stride = 1;
  for (int i = m.rank - 1; i >= 0; --i) {
    m.sizes[i] = sizes[i];
    m.strides[i] = stride;
    stride *= sizes[i];
  }
  return m;
}

/// Arguments for the example: B=2, H=3, D=16, L=100.
std::vector<swr_memref> exampleArgs(int64_t b = 2, int64_t h = 3,
                                    int64_t l = 100) {
  return {makeMemRef(0x10000, {b, h, l}),
          makeMemRef(0x20000, {b, h, 16, l}, /*offset=*/8),
          makeMemRef(0x30000, {b, h, 16, l})};
}

TEST(ArgumentPacking, ExpandsMemRefDescriptors) {
  LaunchDescription desc = parseExample();
  std::vector<swr_memref> args = exampleArgs();
  KernelParams params;
  std::string error;
  ASSERT_TRUE(packKernelParams(desc, args.data(), args.size(), params, error))
      << error;
  std::vector<uint64_t> expected = {
      // decay: allocated, aligned, offset, sizes[3], strides[3]
      0x10000, 0x10000, 0, 2, 3, 100, 300, 100, 1,
      // input: rank 4, bf16; its offset of 8 elements is in the aligned
      // pointer (the kernels read the descriptor's offset as 0)
      0x20000, 0x20010, 0, 2, 3, 16, 100, 4800, 1600, 100, 1,
      // output
      0x30000, 0x30000, 0, 2, 3, 16, 100, 4800, 1600, 100, 1};
  EXPECT_EQ(params.words, expected);
  EXPECT_EQ(params.words.size(), desc.numKernelParams());
  std::vector<void *> pointers = params.pointers();
  ASSERT_EQ(pointers.size(), params.words.size());
  EXPECT_EQ(pointers[3], &params.words[3]);
  EXPECT_EQ(*static_cast<uint64_t *>(pointers[10]), 0x20010u);
}

LaunchDescription scalarVectorDescription() {
  LaunchDescription desc;
  std::string error;
  std::string text =
      render({{"format", R"("swr-launch-v1")"},
              {"entry", R"("k")"},
              {"target", R"("sm_90a")"},
              {"block", "[32, 1, 1]"},
              {"grid", R"({"work_items": [{"param": 1, "dim": 0}],
                    "items_per_block": 32})"},
              {"params",
               R"([{"name": "s", "kind": "memref", "rank": 0, "dtype": "i64"},
                      {"name": "v", "kind": "memref", "rank": 1, "dtype": "i32"}])"}});
  EXPECT_TRUE(parseLaunchDescription(text, desc, error)) << error;
  return desc;
}

TEST(ArgumentPacking, RankZeroAndOffset) {
  LaunchDescription desc = scalarVectorDescription();
  std::vector<swr_memref> args = {makeMemRef(0x100, {}),
                                  makeMemRef(0x200, {10}, 9)};
  KernelParams params;
  std::string error;
  ASSERT_TRUE(packKernelParams(desc, args.data(), args.size(), params, error))
      << error;
  // The i32 vector's 9-element offset: 36 bytes on the aligned pointer.
  std::vector<uint64_t> expected = {0x100, 0x100, 0, 0x200, 0x224, 0, 10, 1};
  EXPECT_EQ(params.words, expected);
}

void expectArgumentError(const LaunchDescription &desc,
                         const std::vector<swr_memref> &args,
                         const std::string &message) {
  KernelParams params;
  std::string error;
  EXPECT_FALSE(packKernelParams(desc, args.data(), args.size(), params, error));
  EXPECT_HAS_SUBSTR(error, message);
  LaunchGrid grid;
  std::string gridError;
  EXPECT_FALSE(
      computeLaunchGrid(desc, args.data(), args.size(), grid, gridError));
  EXPECT_EQ(gridError, error);
}

TEST(ArgumentPacking, ArgumentErrors) {
  LaunchDescription desc = parseExample();
  std::vector<swr_memref> args = exampleArgs();
  expectArgumentError(desc, {args[0], args[1]},
                      "kernel 'swr_scan_kernel': expected 3 arguments "
                      "(decay, input, output), got 2");

  std::vector<swr_memref> bad = args;
  bad[1] = makeMemRef(0x20000, {2, 3, 100});
  expectArgumentError(desc, bad,
                      "kernel 'swr_scan_kernel': argument 1 ('input'): rank "
                      "mismatch: the launch description expects rank 4, got "
                      "3");
  bad = args;
  bad[2].sizes[2] = -16;
  expectArgumentError(desc, bad,
                      "argument 2 ('output'): sizes[2] is negative (-16)");
  bad = args;
  bad[0].offset = -1;
  expectArgumentError(desc, bad,
                      "argument 0 ('decay'): offset is negative (-1)");
  bad = args;
  bad[1].data = nullptr;
  expectArgumentError(desc, bad, "argument 1 ('input'): null data pointer");
  bad = args;
  bad[2].data = reinterpret_cast<void *>(0x30002);
  expectArgumentError(desc, bad,
                      "argument 2 ('output'): data pointer 0x30002 is not "
                      "aligned to the 4-byte f32 element");
  bad = args;
  bad[1].rank = 99;
  expectArgumentError(desc, bad, "expects rank 4, got 99");
  // The kernels read memrefs as row-major: padded, transposed or reversed
  // views are refused, not misread.
  bad = args;
  bad[1].strides[2] = 128; // rows of 100 padded to 128
  expectArgumentError(desc, bad,
                      "argument 1 ('input'): strides[2] is 128, but the "
                      "kernel reads row-major contiguous memrefs: expected "
                      "100 for sizes [2, 3, 16, 100]");
  bad = args;
  bad[0].strides[2] = -1;
  expectArgumentError(desc, bad,
                      "argument 0 ('decay'): strides[2] is -1, but the kernel "
                      "reads row-major contiguous memrefs: expected 1");

  KernelParams params;
  std::string error;
  EXPECT_FALSE(packKernelParams(desc, nullptr, 3, params, error));
  EXPECT_HAS_SUBSTR(error, "null argument array");
}

TEST(ArgumentPacking, StaticSizesMustMatch) {
  LaunchDescription desc = parseWithStaticInput();
  std::string error;
  KernelParams params;
  std::vector<swr_memref> args = exampleArgs();
  EXPECT_TRUE(packKernelParams(desc, args.data(), args.size(), params, error))
      << error;
  args = exampleArgs(/*b=*/2, /*h=*/4);
  expectArgumentError(desc, args,
                      "kernel 'swr_scan_kernel': argument 1 ('input'): "
                      "sizes[1] is 4, but the kernel was compiled for 3");
}

TEST(ArgumentPacking, StridesOfSizeOneDimensionsAreFree) {
  LaunchDescription desc = parseExample();
  std::vector<swr_memref> args = exampleArgs(/*b=*/1, /*h=*/3, /*l=*/1);
  for (swr_memref &arg : args)
    arg.strides[0] = 12345; // never stepped along
  args[1].strides[3] = 0;   // nor along the length-1 time axis
  KernelParams params;
  std::string error;
  EXPECT_TRUE(packKernelParams(desc, args.data(), args.size(), params, error))
      << error;
}

TEST(ArgumentPacking, EmptyTensorMayHaveNoStorage) {
  LaunchDescription desc = parseExample();
  std::vector<swr_memref> args = exampleArgs(0);
  for (swr_memref &arg : args)
    arg.data = nullptr;
  args[1].strides[3] = 7; // any strides: nothing is read
  KernelParams params;
  std::string error;
  EXPECT_TRUE(packKernelParams(desc, args.data(), args.size(), params, error))
      << error;
  // Storage it does have must still be aligned.
  args[2].data = reinterpret_cast<void *>(0x30002);
  expectArgumentError(desc, args,
                      "argument 2 ('output'): data pointer 0x30002 is not "
                      "aligned to the 4-byte f32 element");
}

LaunchGrid gridFor(const LaunchDescription &desc,
                   const std::vector<swr_memref> &args) {
  LaunchGrid grid;
  std::string error;
  EXPECT_TRUE(computeLaunchGrid(desc, args.data(), args.size(), grid, error))
      << error;
  return grid;
}

TEST(ArgumentPacking, GridWithCeilDiv) {
  LaunchDescription desc = parseExample();
  // 2 * 3 * ceil(100 / 16) = 42 items; 128 per block -> 1 block.
  LaunchGrid grid = gridFor(desc, exampleArgs(2, 3, 100));
  EXPECT_EQ(grid.workItems, 42);
  EXPECT_EQ(grid.x, 1u);
  EXPECT_EQ(grid.y, 1u);
  EXPECT_EQ(grid.z, 1u);
  EXPECT_FALSE(grid.empty());
  // 8 * 32 * ceil(4096 / 16) = 65536 items -> 512 blocks.
  grid = gridFor(desc, exampleArgs(8, 32, 4096));
  EXPECT_EQ(grid.workItems, 65536);
  EXPECT_EQ(grid.x, 512u);
  // 8 * 32 * ceil(4097 / 16) = 65792 -> 514 blocks (513.0 rounds up).
  grid = gridFor(desc, exampleArgs(8, 32, 4097));
  EXPECT_EQ(grid.workItems, 65792);
  EXPECT_EQ(grid.x, 514u);
  // Exactly 16 timesteps: ceil(16 / 16) = 1.
  EXPECT_EQ(gridFor(desc, exampleArgs(1, 1, 16)).workItems, 1);
  EXPECT_EQ(gridFor(desc, exampleArgs(1, 1, 17)).workItems, 2);
}

TEST(ArgumentPacking, ZeroWorkItemsLaunchNothing) {
  LaunchDescription desc = parseExample();
  LaunchGrid grid = gridFor(desc, exampleArgs(2, 3, 0));
  EXPECT_EQ(grid.workItems, 0);
  EXPECT_TRUE(grid.empty());
  EXPECT_EQ(grid.x, 0u);
  EXPECT_TRUE(gridFor(desc, exampleArgs(0, 3, 100)).empty());
}

TEST(ArgumentPacking, EmptyWorkItemListIsOneItem) {
  LaunchDescription desc;
  std::string error;
  ASSERT_TRUE(parseLaunchDescription(
      exampleWith("grid", R"({"work_items": [], "items_per_block": 128})"),
      desc, error))
      << error;
  LaunchGrid grid = gridFor(desc, exampleArgs());
  EXPECT_EQ(grid.workItems, 1);
  EXPECT_EQ(grid.x, 1u);
}

/// The example with 128-thread blocks in clusters of `ctas`, each work item
/// spanning one cluster.
std::string exampleOverClusters(int ctas, int itemsPerBlock = 1) {
  Fields fields = exampleFields();
  for (auto &[key, raw] : fields) {
    if (key == "cluster")
      raw = "[" + std::to_string(ctas) + ", 1, 1]";
    if (key == "grid")
      raw = R"({"work_items": [{"param": 1, "dim": 0}, {"param": 1, "dim": 1},
                  {"param": 1, "dim": 3, "ceil_div": 16}],
                "items_per_block": )" +
            std::to_string(itemsPerBlock) + R"(, "blocks_per_item": )" +
            std::to_string(ctas) + "}";
  }
  return render(fields);
}

TEST(ArgumentPacking, WorkItemsOverClusters) {
  LaunchDescription desc;
  std::string error;
  ASSERT_TRUE(parseLaunchDescription(exampleOverClusters(4), desc, error))
      << error;
  EXPECT_EQ(desc.grid.blocksPerItem, 4);
  // 2 * 3 * ceil(100 / 16) = 42 items of 4 blocks each.
  LaunchGrid grid = gridFor(desc, exampleArgs(2, 3, 100));
  EXPECT_EQ(grid.workItems, 42);
  EXPECT_EQ(grid.x, 168u);
  EXPECT_TRUE(gridFor(desc, exampleArgs(2, 3, 0)).empty());
  // Without the field: one block holds items_per_block items.
  ASSERT_TRUE(
      parseLaunchDescription(exampleWith("cluster", "[4, 1, 1]"), desc, error));
  EXPECT_EQ(desc.grid.blocksPerItem, 1);
}

TEST(LaunchDescription, BlocksPerItemErrors) {
  expectDescriptionError(exampleOverClusters(2, 128),
                         "field 'grid.blocks_per_item': expected 1, or with "
                         "items_per_block 1 the blocks of a cluster "
                         "(cluster[0] = 2), got 2");
  Fields fields = exampleFields();
  for (auto &[key, raw] : fields)
    if (key == "grid")
      raw = R"({"work_items": [], "items_per_block": 1,
                "blocks_per_item": 4})";
  expectDescriptionError(render(fields),
                         "field 'grid.blocks_per_item': expected 1, or with "
                         "items_per_block 1 the blocks of a cluster "
                         "(cluster[0] = 1), got 4");
  for (auto &[key, raw] : fields)
    if (key == "grid")
      raw = R"({"work_items": [], "items_per_block": 1,
                "blocks_per_item": 0})";
  expectDescriptionError(render(fields), "field 'grid.blocks_per_item': "
                                         "expected integer in [1, 16], got "
                                         "integer 0");
}

TEST(ArgumentPacking, GridRoundedToCluster) {
  LaunchDescription desc;
  std::string error;
  ASSERT_TRUE(
      parseLaunchDescription(exampleWith("cluster", "[3, 1, 1]"), desc, error))
      << error;
  // 65536 items / 128 = 512 blocks -> 513, the next multiple of 3.
  LaunchGrid grid = gridFor(desc, exampleArgs(8, 32, 4096));
  EXPECT_EQ(grid.x, 513u);
  // 1 block -> 3.
  EXPECT_EQ(gridFor(desc, exampleArgs(1, 1, 16)).x, 3u);
  // Already a multiple: unchanged.
  ASSERT_TRUE(
      parseLaunchDescription(exampleWith("cluster", "[2, 1, 1]"), desc, error));
  EXPECT_EQ(gridFor(desc, exampleArgs(8, 32, 4096)).x, 512u);
  // Zero items stay zero blocks.
  EXPECT_TRUE(gridFor(desc, exampleArgs(8, 32, 0)).empty());
}

TEST(ArgumentPacking, GridLimits) {
  LaunchDescription desc = scalarVectorDescription();
  std::string error;
  ASSERT_TRUE(parseLaunchDescription(
      render({{"format", R"("swr-launch-v1")"},
              {"entry", R"("k")"},
              {"target", R"("sm_90a")"},
              {"block", "[32, 1, 1]"},
              {"grid", R"({"work_items": [{"param": 0, "dim": 0},
                                          {"param": 0, "dim": 1}],
                           "items_per_block": 1})"},
              {"params", R"([{"name": "x", "kind": "memref", "rank": 2,
                              "dtype": "f32"}])"}}),
      desc, error))
      << error;
  // Exactly 2^31 - 1 blocks is allowed.
  std::vector<swr_memref> args = {makeMemRef(0x100, {2147483647, 1})};
  LaunchGrid grid = gridFor(desc, args);
  EXPECT_EQ(grid.x, 2147483647u);
  // 2^31 blocks is not.
  args = {makeMemRef(0x100, {1 << 16, 1 << 15})};
  EXPECT_FALSE(computeLaunchGrid(desc, args.data(), 1, grid, error));
  EXPECT_HAS_SUBSTR(error, "kernel 'k': grid.x of 2147483648 blocks "
                           "exceeds the limit 2147483647 (2147483648 "
                           "work items, 1 per block)");
  // The work-item product overflows int64.
  args = {makeMemRef(0x100, {int64_t(1) << 40, int64_t(1) << 40})};
  EXPECT_FALSE(computeLaunchGrid(desc, args.data(), 1, grid, error));
  EXPECT_HAS_SUBSTR(error, "kernel 'k': the work-item count overflows "
                           "int64 at grid.work_items[1]");
  // A huge count that rounding to a cluster could overflow is still an error.
  args = {makeMemRef(0x100, {std::numeric_limits<int64_t>::max(), 1})};
  EXPECT_FALSE(computeLaunchGrid(desc, args.data(), 1, grid, error));
  EXPECT_HAS_SUBSTR(error, "exceeds the limit");
}

TEST(ArgumentPacking, LaunchChecksArgumentsBeforeTheDriver) {
  Kernel kernel;
  kernel.description = parseExample();
  std::vector<swr_memref> args = exampleArgs();
  Status status = launchKernel(kernel, args.data(), 2, nullptr);
  EXPECT_EQ(status.code(), StatusCode::InvalidArgument);
  EXPECT_HAS_SUBSTR(status.message(), "expected 3 arguments");
  // Zero work items: nothing to launch, so no driver is needed.
  args = exampleArgs(2, 3, 0);
  EXPECT_TRUE(launchKernel(kernel, args.data(), 3, nullptr).ok());
}

LaunchDescription workspaceExample(const std::string &workspace = kWorkspace) {
  LaunchDescription desc;
  std::string error;
  EXPECT_TRUE(
      parseLaunchDescription(exampleWith("workspace", workspace), desc, error))
      << error;
  return desc;
}

TEST(Workspace, Words) {
  LaunchDescription desc = workspaceExample();
  // 42 work items (see GridWithCeilDiv): 32 + 42 * 160 words.
  LaunchGrid grid = gridFor(desc, exampleArgs(2, 3, 100));
  int64_t words = -1, zeroed = -1;
  std::string error;
  ASSERT_TRUE(workspaceWords(desc, grid, words, zeroed, error)) << error;
  EXPECT_EQ(words, 32 + 42 * 160);
  EXPECT_EQ(zeroed, words);
  // A zeroed prefix of the header and the flags.
  desc = workspaceExample(R"({"header_words": 32, "words_per_item": 160,
                              "zeroed_words_per_item": 32})");
  ASSERT_TRUE(workspaceWords(desc, grid, words, zeroed, error)) << error;
  EXPECT_EQ(words, 32 + 42 * 160);
  EXPECT_EQ(zeroed, 32 + 42 * 32);
  // Without work items only the header is left (and nothing is launched).
  grid = gridFor(desc, exampleArgs(2, 3, 0));
  ASSERT_TRUE(workspaceWords(desc, grid, words, zeroed, error)) << error;
  EXPECT_EQ(words, 32);
  EXPECT_EQ(zeroed, 32);
  // No workspace: no words.
  desc = parseExample();
  ASSERT_TRUE(workspaceWords(desc, grid, words, zeroed, error)) << error;
  EXPECT_EQ(words, 0);
  EXPECT_EQ(zeroed, 0);
}

TEST(Workspace, WordsOverflow) {
  LaunchDescription desc = workspaceExample();
  LaunchGrid grid;
  grid.workItems = std::numeric_limits<int64_t>::max() / 100;
  int64_t words = -1, zeroed = -1;
  std::string error;
  EXPECT_FALSE(workspaceWords(desc, grid, words, zeroed, error));
  EXPECT_EQ(words, 0);
  EXPECT_HAS_SUBSTR(error, "kernel 'swr_scan_kernel': the workspace of 32 "
                           "header words + 92233720368547758 work items * "
                           "160 words per item overflows int64 bytes");
  // The word count itself fits, its size in bytes does not.
  const int64_t maxWords = std::numeric_limits<int64_t>::max() / 4;
  desc = workspaceExample(R"({"header_words": )" + std::to_string(maxWords) +
                          R"(, "words_per_item": 1})");
  grid.workItems = 0;
  ASSERT_TRUE(workspaceWords(desc, grid, words, zeroed, error)) << error;
  EXPECT_EQ(words, maxWords);
  grid.workItems = 1;
  EXPECT_FALSE(workspaceWords(desc, grid, words, zeroed, error));
  EXPECT_HAS_SUBSTR(error, "overflows int64 bytes");
}

TEST(Workspace, AppendsOneRankOneMemRef) {
  LaunchDescription desc = workspaceExample();
  std::vector<swr_memref> args = exampleArgs();
  KernelParams params;
  std::string error;
  ASSERT_TRUE(packKernelParams(desc, args.data(), args.size(), params, error))
      << error;
  // packKernelParams packs the user params only.
  ASSERT_EQ(params.words.size(), size_t(9 + 11 + 11));
  appendWorkspaceParams(params, reinterpret_cast<void *>(0x40000), 6752);
  ASSERT_EQ(params.words.size(), desc.numKernelParams());
  // allocated, aligned, offset, sizes[0], strides[0]
  std::vector<uint64_t> tail(params.words.end() - 5, params.words.end());
  EXPECT_EQ(tail, (std::vector<uint64_t>{0x40000, 0x40000, 0, 6752, 1}));
  EXPECT_EQ(params.words[30], 1u); // the user params are untouched
}

TEST(Workspace, LaunchChecksItBeforeTheDriver) {
  Kernel kernel;
  kernel.description = workspaceExample();
  // Zero work items: no workspace, no launch, no driver needed.
  std::vector<swr_memref> args = exampleArgs(2, 3, 0);
  EXPECT_TRUE(launchKernel(kernel, args.data(), 3, nullptr).ok());
  // A workspace too large to count is an argument error, before the driver.
  kernel.description = workspaceExample(
      R"({"header_words": 0, "words_per_item": 1000000000000000000})");
  args = exampleArgs();
  Status status = launchKernel(kernel, args.data(), 3, nullptr);
  EXPECT_EQ(status.code(), StatusCode::InvalidArgument);
  EXPECT_HAS_SUBSTR(status.message(), "the workspace of 0 header words + 42 "
                                      "work items * 1000000000000000000 words "
                                      "per item overflows int64 bytes");
}

//===----------------------------------------------------------------------===//
// RuntimeCAPI
//===----------------------------------------------------------------------===//

const char *kPtx = ".version 8.0\n.target sm_90a\n.address_size 64\n";

std::string exampleJson() { return render(exampleFields()); }

/// Whether swr_runtime_init succeeded (a machine with a GPU). On machines
/// without libcuda.so.1 it must fail with a clear "no CUDA driver" message.
bool initRuntime() {
  int rc = swr_runtime_init(0);
  if (rc == SWR_ERROR_NO_DRIVER) {
    EXPECT_HAS_SUBSTR(std::string(swr_last_error()),
                      "no CUDA driver: dlopen(libcuda.so.1) failed: ");
    return false;
  }
  // A driver without a usable device reports the failing call.
  if (rc == SWR_ERROR_DRIVER) {
    EXPECT_HAS_SUBSTR(std::string(swr_last_error()), "failed");
    EXPECT_HAS_SUBSTR(std::string(swr_last_error()), "CUDA_ERROR_");
    return false;
  }
  EXPECT_EQ(rc, SWR_SUCCESS) << swr_last_error();
  return rc == SWR_SUCCESS;
}

TEST(RuntimeCAPI, InitWithoutDriver) {
  bool initialized = initRuntime();
  EXPECT_EQ(initialized, isInitialized());
  // A second call gives the same answer (idempotent, no crash).
  EXPECT_EQ(initRuntime(), initialized);
}

TEST(RuntimeCAPI, InitBadDevice) {
  int rc = swr_runtime_init(-1);
  EXPECT_NE(rc, SWR_SUCCESS);
  EXPECT_STRNE(swr_last_error(), "");
}

TEST(RuntimeCAPI, LoadBeforeInit) {
  if (initRuntime())
    GTEST_SKIP() << "a CUDA driver is present";
  std::string json = exampleJson();
  swr_kernel *kernel = reinterpret_cast<swr_kernel *>(0x1);
  int rc = swr_kernel_load(kPtx, std::strlen(kPtx), json.data(), json.size(),
                           &kernel);
  EXPECT_EQ(rc, SWR_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(kernel, nullptr); // cleared on failure
  EXPECT_HAS_SUBSTR(std::string(swr_last_error()),
                    "runtime not initialized: call swr_runtime_init "
                    "first");
}

TEST(RuntimeCAPI, LoadBadJson) {
  // Description errors come before any driver use, so they are the same with
  // or without a GPU.
  const char *json = "{\"format\": \"swr-launch-v1\",}";
  swr_kernel *kernel = nullptr;
  int rc = swr_kernel_load(kPtx, std::strlen(kPtx), json, std::strlen(json),
                           &kernel);
  EXPECT_EQ(rc, SWR_ERROR_INVALID_JSON);
  EXPECT_EQ(kernel, nullptr);
  EXPECT_HAS_SUBSTR(std::string(swr_last_error()),
                    "launch description: JSON error at byte 27: "
                    "unexpected '}', expected a string key");
  // json_size is honoured: the text need not be NUL-terminated.
  std::string good = exampleJson();
  rc = swr_kernel_load(kPtx, std::strlen(kPtx), good.data(), good.size() - 1,
                       &kernel);
  EXPECT_EQ(rc, SWR_ERROR_INVALID_JSON);
}

TEST(RuntimeCAPI, LoadInvalidDescription) {
  std::string json = exampleWith("block", "[2048, 1, 1]");
  swr_kernel *kernel = nullptr;
  int rc = swr_kernel_load(kPtx, std::strlen(kPtx), json.data(), json.size(),
                           &kernel);
  EXPECT_EQ(rc, SWR_ERROR_INVALID_LAUNCH_DESCRIPTION);
  EXPECT_HAS_SUBSTR(std::string(swr_last_error()),
                    "field 'block[0]': expected integer in [1, 1024], got "
                    "integer 2048");
}

TEST(RuntimeCAPI, LoadEmptyPtx) {
  std::string json = exampleJson();
  swr_kernel *kernel = nullptr;
  EXPECT_EQ(swr_kernel_load("", 0, json.data(), json.size(), &kernel),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_HAS_SUBSTR(std::string(swr_last_error()),
                    "kernel 'swr_scan_kernel': empty PTX");
}

TEST(RuntimeCAPI, NullPointers) {
  std::string json = exampleJson();
  swr_kernel *kernel = nullptr;
  EXPECT_EQ(swr_kernel_load(kPtx, 1, json.data(), json.size(), nullptr),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_kernel_load: out is null");
  EXPECT_EQ(swr_kernel_load(nullptr, 1, json.data(), json.size(), &kernel),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_kernel_load: ptx is null");
  EXPECT_EQ(swr_kernel_load(kPtx, 1, nullptr, 3, &kernel),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_kernel_load: launch_json is null");

  swr_memref arg;
  std::memset(&arg, 0, sizeof(arg));
  EXPECT_EQ(swr_kernel_launch(nullptr, &arg, 1, nullptr),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_kernel_launch: kernel is null");
  EXPECT_EQ(swr_kernel_launch(nullptr, &arg, -1, nullptr),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(),
               "swr_kernel_launch: num_args is negative (-1)");
  EXPECT_EQ(swr_kernel_launch(nullptr, nullptr, 2, nullptr),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(),
               "swr_kernel_launch: args is null but num_args is 2");

  EXPECT_EQ(swr_device_alloc(16, nullptr), SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_device_alloc: out is null");
  char host[4] = {};
  EXPECT_EQ(swr_memcpy_htod(nullptr, host, 4), SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_memcpy_htod: dst is null");
  EXPECT_EQ(swr_memcpy_dtoh(host, nullptr, 4), SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_memcpy_dtoh: src is null");
  EXPECT_EQ(swr_memset_d8(nullptr, 0, 4), SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_memset_d8: dst is null");
  EXPECT_EQ(swr_event_timer_end(nullptr, nullptr), SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_event_timer_end: ms is null");

  swr_kernel_destroy(nullptr); // ignored
  EXPECT_STREQ(swr_kernel_entry(nullptr), "");
}

TEST(RuntimeCAPI, DriverCallsBeforeInit) {
  if (initRuntime())
    GTEST_SKIP() << "a CUDA driver is present";
  void *pointer = reinterpret_cast<void *>(0x1);
  EXPECT_EQ(swr_device_alloc(16, &pointer), SWR_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(pointer, nullptr);
  EXPECT_HAS_SUBSTR(std::string(swr_last_error()), "runtime not initialized");
  EXPECT_EQ(swr_device_free(nullptr), SWR_ERROR_NOT_INITIALIZED);
  char host[4] = {};
  EXPECT_EQ(swr_memcpy_htod(host, host, 4), SWR_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(swr_memcpy_dtoh(host, host, 4), SWR_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(swr_memset_d8(host, 0, 4), SWR_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(swr_synchronize(), SWR_ERROR_NOT_INITIALIZED);
  EXPECT_EQ(swr_event_timer_begin(nullptr), SWR_ERROR_NOT_INITIALIZED);
  float ms = 0;
  EXPECT_EQ(swr_event_timer_end(nullptr, &ms), SWR_ERROR_NOT_INITIALIZED);
}

TEST(RuntimeCAPI, LastErrorIsKeptAcrossSuccessAndPerThread) {
  EXPECT_EQ(swr_device_alloc(16, nullptr), SWR_ERROR_INVALID_ARGUMENT);
  std::string message = swr_last_error();
  swr_kernel_destroy(nullptr);
  EXPECT_EQ(swr_kernel_launch(nullptr, nullptr, 0, nullptr),
            SWR_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(swr_last_error(), "swr_kernel_launch: kernel is null");
  // Another thread has its own message.
  std::string other = "unset";
  std::thread thread([&] { other = swr_last_error(); });
  thread.join();
  EXPECT_EQ(other, "");
}

TEST(RuntimeCAPI, StatusCodesMatchCpp) {
  EXPECT_EQ(static_cast<int>(StatusCode::Success), SWR_SUCCESS);
  EXPECT_EQ(static_cast<int>(StatusCode::InvalidLaunchDescription),
            SWR_ERROR_INVALID_LAUNCH_DESCRIPTION);
}

TEST(RuntimeCAPI, DriverStructLayouts) {
  // The driver reads these; they must match cuda.h (CUDA 12/13).
  EXPECT_EQ(sizeof(cuda::CUlaunchAttribute), 72u);
  EXPECT_EQ(offsetof(cuda::CUlaunchAttribute, value), 8u);
  EXPECT_EQ(sizeof(cuda::CUlaunchConfig), 56u);
  EXPECT_EQ(offsetof(cuda::CUlaunchConfig, hStream), 32u);
  EXPECT_EQ(offsetof(cuda::CUlaunchConfig, numAttrs), 48u);
  EXPECT_EQ(cuda::CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION, 4);
}

} // namespace
} // namespace runtime
} // namespace swr
