//===- WindowAttrTest.cpp - #swr.window parsing, printing, semantics ------===//

#include "swr/Dialect/Swr/IR/SwrAttrs.h"
#include "swr/Dialect/Swr/IR/SwrDialect.h"
#include "swr/Dialect/Swr/IR/SwrLayout.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/InitAllDialects.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::swr;

namespace {

class WindowAttrTest : public ::testing::Test {
protected:
  WindowAttrTest() {
    DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Parses `text`; returns null and records the diagnostic on failure.
  WindowAttr parse(StringRef text) {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      lastError = diag.str();
      return success();
    });
    return dyn_cast_or_null<WindowAttr>(parseAttribute(text, &context));
  }

  std::string print(Attribute attr) {
    std::string text;
    llvm::raw_string_ostream os(text);
    attr.print(os);
    return text;
  }

  MLIRContext context;
  std::string lastError;
};

TEST_F(WindowAttrTest, RoundTripsEveryForm) {
  for (StringRef text :
       {"#swr.window<full>", "#swr.window<bands<1>>", "#swr.window<bands<2>>",
        "#swr.window<bands<4, 32>>", "#swr.window<exact<512>>"}) {
    WindowAttr attr = parse(text);
    ASSERT_TRUE(attr) << text.str() << ": " << lastError;
    EXPECT_EQ(print(attr), text.str());
  }
}

TEST_F(WindowAttrTest, DefaultTileIsElidedWhenPrinting) {
  WindowAttr attr = parse("#swr.window<bands<3, 16>>");
  ASSERT_TRUE(attr);
  EXPECT_EQ(print(attr), "#swr.window<bands<3>>");
  EXPECT_EQ(attr, WindowAttr::getBands(&context, 3));
}

TEST_F(WindowAttrTest, BuildersMatchParsedForms) {
  EXPECT_EQ(parse("#swr.window<full>"), WindowAttr::getFull(&context));
  EXPECT_EQ(parse("#swr.window<exact<7>>"), WindowAttr::getExact(&context, 7));
  WindowAttr bands = WindowAttr::getBands(&context, 2);
  EXPECT_TRUE(bands.isBands());
  EXPECT_EQ(bands.getSize(), 2);
  EXPECT_EQ(bands.getTile(), WindowAttr::kDefaultTile);
}

TEST_F(WindowAttrTest, RejectsMalformedWindowsWithReasons) {
  EXPECT_FALSE(parse("#swr.window<bands<0>>"));
  EXPECT_NE(lastError.find("bands<k> needs k >= 1, got k = 0"),
            std::string::npos)
      << lastError;
  EXPECT_FALSE(parse("#swr.window<exact<0>>"));
  EXPECT_NE(lastError.find("exact<W> needs W >= 1"), std::string::npos)
      << lastError;
  EXPECT_FALSE(parse("#swr.window<bands<2, 0>>"));
  EXPECT_NE(lastError.find("tile must be >= 1"), std::string::npos)
      << lastError;
  EXPECT_FALSE(parse("#swr.window<sliding<2>>"));
  EXPECT_NE(lastError.find("expected window kind"), std::string::npos)
      << lastError;
}

TEST_F(WindowAttrTest, CoversLengthFollowsTheTileCount) {
  WindowAttr bands2 = WindowAttr::getBands(&context, 2);
  EXPECT_TRUE(bands2.coversLength(1));
  EXPECT_TRUE(bands2.coversLength(32));  // two tiles
  EXPECT_FALSE(bands2.coversLength(33)); // three tiles
  WindowAttr exact = WindowAttr::getExact(&context, 100);
  EXPECT_TRUE(exact.coversLength(100));
  EXPECT_FALSE(exact.coversLength(101));
  EXPECT_TRUE(WindowAttr::getFull(&context).coversLength(1 << 30));
}

TEST(LayoutAxesTest, AxesOfEveryLayout) {
  const LayoutAxes &bhdl = getLayoutAxes(Layout::bhdl);
  EXPECT_EQ(bhdl.rank, 4);
  EXPECT_EQ(bhdl.time, 3);
  EXPECT_EQ(bhdl.perHeadDecay, (llvm::SmallVector<int64_t, 4>{0, 1, 3}));
  const LayoutAxes &bthd = getLayoutAxes(Layout::bthd);
  EXPECT_EQ(bthd.time, 1);
  EXPECT_EQ(bthd.state, (llvm::SmallVector<int64_t, 4>{0, 2, 3}));
  const LayoutAxes &bct = getLayoutAxes(Layout::bct);
  EXPECT_EQ(bct.rank, 3);
  EXPECT_EQ(bct.channel, -1);
  EXPECT_TRUE(bct.perHeadDecay.empty());
  EXPECT_EQ(getAxisName(Layout::bthd, 1), "T");
}

} // namespace
