// Small helpers shared by the tests.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

// The message of the `Exception` that call throws, or "" when it throws none.
template <class Exception, class Call>
std::string message_of(Call call) {
  try {
    call();
  } catch (const Exception& error) {
    return error.what();
  }
  return "";
}

template <class Call>
std::string invalid_argument_message(Call call) {
  return message_of<std::invalid_argument>(call);
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Least-squares slope of log(error) against log(n): the order of convergence (-1 for 1/n).
inline double convergence_slope(const std::vector<int>& ns, const std::vector<double>& errors) {
  double mean_x = 0.0, mean_y = 0.0;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    mean_x += std::log(ns[i]) / ns.size();
    mean_y += std::log(errors[i]) / errors.size();
  }
  double covariance = 0.0, variance = 0.0;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    const double dx = std::log(ns[i]) - mean_x;
    covariance += dx * (std::log(errors[i]) - mean_y);
    variance += dx * dx;
  }
  return covariance / variance;
}

}  // namespace test_support
