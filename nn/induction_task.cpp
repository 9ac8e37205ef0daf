#include "nn/induction_task.hpp"

#include <stdexcept>

namespace nn::induction {

namespace {

struct Prompt {
  std::size_t tokens[n_ctx];
  std::size_t unused[2];
  std::size_t query_index;  // i
  std::size_t other_index;  // j != i
};

// The draws of one prompt, in the order the header documents.
Prompt draw(Generator& generator, std::vector<std::size_t>& permutation) {
  generator.randperm(letters, permutation);
  Prompt prompt{};
  prompt.tokens[0] = bos;
  for (std::size_t k = 0; k < prompt_letters; ++k) prompt.tokens[k + 1] = permutation[k] + 1;
  prompt.unused[0] = permutation[prompt_letters] + 1;
  prompt.unused[1] = permutation[prompt_letters + 1] + 1;
  prompt.query_index = 1 + static_cast<std::size_t>(generator.randint(max_query_index));
  // One of the other four indices: draw among 4 and skip over i.
  std::size_t j = 1 + static_cast<std::size_t>(generator.randint(max_query_index - 1));
  if (j >= prompt.query_index) ++j;
  prompt.other_index = j;
  prompt.tokens[query_position] = prompt.tokens[prompt.query_index];
  return prompt;
}

void check_count(std::size_t count, const char* caller) {
  if (count == 0)
    throw std::invalid_argument(std::string(caller) + ": the number of prompts must be >= 1");
}

}  // namespace

std::string token_name(std::size_t token) {
  if (token >= d_vocab)
    throw std::invalid_argument("induction::token_name: token " + std::to_string(token) +
                                " is outside the vocabulary [0, " + std::to_string(d_vocab) + ")");
  if (token == bos) return "BOS";
  return std::string(1, static_cast<char>('A' + (token - 1)));
}

std::string prompt_string(const Matrix<std::size_t>& tokens, std::size_t row) {
  std::string out;
  for (std::size_t token : tokens.row(row)) {
    if (!out.empty()) out += ' ';
    out += token_name(token);
  }
  return out;
}

Batch batch(std::size_t count, Generator& generator) {
  check_count(count, "induction::batch");
  Batch out{Matrix<std::size_t>(count, n_ctx), std::vector<std::size_t>(count),
            std::vector<std::size_t>(count)};
  std::vector<std::size_t> permutation;
  for (std::size_t b = 0; b < count; ++b) {
    const Prompt prompt = draw(generator, permutation);
    for (std::size_t p = 0; p < n_ctx; ++p) out.tokens(b, p) = prompt.tokens[p];
    out.targets[b] = prompt.tokens[prompt.query_index + 1];
    out.query_index[b] = prompt.query_index;
  }
  return out;
}

const char* corruption_name(Corruption corruption) {
  return corruption == Corruption::key ? "K" : "KQ";
}

Pairs pairs(std::size_t count, Corruption corruption, Generator& generator) {
  check_count(count, "induction::pairs");
  Pairs out{Matrix<std::size_t>(count, n_ctx), Matrix<std::size_t>(count, n_ctx),
            std::vector<std::size_t>(count), std::vector<std::size_t>(count),
            std::vector<std::size_t>(count)};
  std::vector<std::size_t> permutation;
  for (std::size_t b = 0; b < count; ++b) {
    const Prompt prompt = draw(generator, permutation);
    for (std::size_t p = 0; p < n_ctx; ++p) out.clean(b, p) = out.corrupt(b, p) = prompt.tokens[p];
    out.corrupt(b, prompt.query_index) = prompt.unused[0];
    if (corruption == Corruption::key_and_query) out.corrupt(b, query_position) = prompt.unused[1];
    out.correct[b] = prompt.tokens[prompt.query_index + 1];
    out.incorrect[b] = prompt.tokens[prompt.other_index + 1];
    out.query_index[b] = prompt.query_index;
  }
  return out;
}

}  // namespace nn::induction
