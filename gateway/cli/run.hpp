#pragma once

namespace oakgate::cli {

int Run(int argc, char** argv);

}  // namespace oakgate::cli
