// libFuzzer's entry for fuzz::model_file (tests/fuzz/targets.hpp); `make fuzz` builds and runs it.
// A broken invariant or an undocumented exception ends the process through std::terminate, which
// libFuzzer reports as a crash and saves the input of.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::model_file(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
