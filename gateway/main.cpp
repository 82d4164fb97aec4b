#include "gateway/cli/run.hpp"

int main(int argc, char** argv) { return oakgate::cli::Run(argc, argv); }
