// The password rule of sign-up and `oakgate user` (CONTRACT §9).
#include "gateway/manage/password_policy.hpp"

#include <gtest/gtest.h>

namespace oakgate::manage {
namespace {

TEST(PasswordPolicy, TheWholeListOfTenThousandIsCompiledIn) {
  EXPECT_EQ(CommonPasswordCount(), 10000u);
  EXPECT_TRUE(IsCommonPassword("password"));
  EXPECT_TRUE(IsCommonPassword("eyphed")) << "the list's last line";
}

TEST(PasswordPolicy, AShortPasswordIsRefusedCountingCharactersNotBytes) {
  EXPECT_EQ(CheckPassword("elevenchars", "a@example.com"), PasswordProblem::kTooShort);
  EXPECT_EQ(CheckPassword("twelve-chars", "a@example.com"), PasswordProblem::kNone);
  // 11 two-byte characters are 22 bytes but still 11 characters.
  EXPECT_EQ(CheckPassword("ééééééééééé", "a@example.com"), PasswordProblem::kTooShort);
  EXPECT_EQ(CheckPassword("éééééééééééé", "a@example.com"), PasswordProblem::kNone);
}

TEST(PasswordPolicy, APasswordTheLoginFormWouldRefuseIsRefused) {
  EXPECT_EQ(CheckPassword(std::string(1025, 'q'), "a@example.com"), PasswordProblem::kTooLong);
  EXPECT_EQ(CheckPassword(std::string(1024, 'q'), "a@example.com"), PasswordProblem::kNone);
  EXPECT_EQ(CheckPassword("bad utf-8 \xff\xfe here", "a@example.com"), PasswordProblem::kNotUtf8);
}

TEST(PasswordPolicy, TheEmailOrItsLocalPartIsRefusedWhateverItsCase) {
  EXPECT_EQ(CheckPassword("Grace.Hopper@Example.com", "grace.hopper@example.com"),
            PasswordProblem::kIsEmail);
  EXPECT_EQ(CheckPassword(" grace.hopper@example.com ", "Grace.Hopper@example.com"),
            PasswordProblem::kIsEmail);
  EXPECT_EQ(CheckPassword("GRACE.HOPPER", "grace.hopper@example.com"), PasswordProblem::kIsEmail);
  EXPECT_EQ(CheckPassword("grace.hopper.1906", "grace.hopper@example.com"), PasswordProblem::kNone);
}

TEST(PasswordPolicy, ACommonPasswordIsRefusedWhateverItsCase) {
  // The list's entries of 12 characters or more.
  for (const char* common :
       {"unbelievable", "UNBELIEVABLE", "Contortionist", "scandinavian", "films+pic+galeries"}) {
    EXPECT_EQ(CheckPassword(common, "a@example.com"), PasswordProblem::kCommon) << common;
  }
  EXPECT_EQ(CheckPassword("unbelievable!", "a@example.com"), PasswordProblem::kNone);
}

TEST(PasswordPolicy, EveryProblemHasAMessageNamingIt) {
  EXPECT_EQ(PasswordProblemMessage(PasswordProblem::kNone), "");
  EXPECT_NE(PasswordProblemMessage(PasswordProblem::kTooShort).find("12"), std::string::npos);
  EXPECT_NE(PasswordProblemMessage(PasswordProblem::kIsEmail).find("email"), std::string::npos);
  EXPECT_NE(PasswordProblemMessage(PasswordProblem::kCommon).find("common"), std::string::npos);
  EXPECT_NE(PasswordProblemMessage(PasswordProblem::kTooLong).find("1024"), std::string::npos);
  EXPECT_NE(PasswordProblemMessage(PasswordProblem::kNotUtf8).find("UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace oakgate::manage
