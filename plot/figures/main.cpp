// draw-figures: writes every figure of the tutorial, and an index.html showing them, to a folder.
//
//   draw-figures OUTPUT_DIR                 (make figures: OUTPUT_DIR is build/figures)
//   draw-figures OUTPUT_DIR --update-chapters   also copies each figure over its committed copy
//                                               under chapters/ (make figures-update; run from the
//                                               project root)
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plot/figures/figures.hpp"

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  const bool update = argc == 3 && std::string_view(argv[2]) == "--update-chapters";
  if (argc != 2 && !update) {
    std::fprintf(stderr, "usage: draw-figures OUTPUT_DIR [--update-chapters]\n");
    return 2;
  }
  try {
    const std::filesystem::path folder = argv[1];
    const std::vector<figures::Figure> all = figures::all_figures();
    for (const figures::Figure& figure : all) {
      const std::string svg = figure.draw();
      write_file(folder / figure.file, svg);
      std::printf("wrote %s\n", (folder / figure.file).string().c_str());
      if (update && !figure.chapter_copy.empty()) {
        std::filesystem::create_directories(
            std::filesystem::path(figure.chapter_copy).parent_path());
        std::filesystem::copy_file(folder / figure.file, figure.chapter_copy,
                                   std::filesystem::copy_options::overwrite_existing);
        std::printf("copied it to %s\n", figure.chapter_copy.c_str());
      }
    }
    write_file(folder / "index.html", figures::index_html(all));
    std::printf("wrote %s\n", (folder / "index.html").string().c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "draw-figures: %s\n", error.what());
    return 1;
  }
  return 0;
}
