// Chapter 9's two-class classifier as `latent train --classifier` and `latent experiment
// --classifier` train and measure it: nn::classifier on a gate's truth table,
//
//   Sequential(Linear(n, 2))                          hidden = 0
//   Sequential(Linear(n, H), ReLU(), Linear(H, 2))    hidden = H
//
// drawn from the seed and trained with nn::train_classifier (CrossEntropyLoss, class = the row's
// target), then measured between the gate's clean and corrupt rows (nn::gate_pair) by the logit
// difference logit(correct) - logit(incorrect), correct being the clean row's class. The logit
// difference is linear in the logits, so in the inputs of the linear classifier and in the hidden
// neurons of the ReLU one: there IG is exact and the two patching directions agree (chapter 9).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attribution/experiment.hpp"
#include "nn/gates.hpp"
#include "nn/sequential.hpp"
#include "nn/training.hpp"

namespace latent {

// A classifier and what it does on its gate's rows. `network` describes it as the experiment
// machinery wants a network described (attribution::TrainedNetwork), with one difference: its
// predictions are each row's predicted class, 0 or 1 (the larger logit; a tie is class 0, as
// torch.argmax picks the first), and a row is correct when that class is its target.
struct TrainedClassifier {
  attribution::TrainedNetwork network;
  std::vector<std::vector<double>> logits;  // logits[r]: row r's logits, class 0 then class 1
};

// The two classes the logit difference compares: correct is the clean row's class, incorrect the
// corrupt row's.
struct ClassPair {
  std::size_t correct = 0, incorrect = 0;
};
// The classes of the pair's rows in the gate's truth table. Throws UsageError when the two rows
// have the same class (the logit difference of a class with itself is 0: nothing to measure), and
// std::invalid_argument when a row is not in the table.
ClassPair pair_classes(nn::Gate gate, const nn::InputPair& pair);

// As chapter 9 does: nn::Generator(seed), nn::classifier(tape, generator, n, hidden), then
// nn::train_classifier on the gate's rows with nn::class_labels(targets), the same generator
// shuffling them. Every epoch's loss is kept; `on_epoch` is called as train_classifier calls it.
// The library's errors (hidden above nn::max_hidden, a bad learning rate) pass through.
TrainedClassifier train_classifier(nn::Gate gate, std::uint64_t seed, std::size_t hidden,
                                   const nn::TrainingOptions& options,
                                   const nn::EpochCallback& on_epoch = {});
// The same description of a classifier with given parameters (nn::classifier's errors).
TrainedClassifier given_classifier(nn::Gate gate, std::size_t hidden,
                                   const nn::StateDict& parameters);

struct ClassifierExperiment {
  // attribution::measure on the classifier ending in nn::LogitDifference(correct, incorrect):
  // f is the logit difference; the components are components_layer(hidden).
  attribution::Experiment experiment;
  std::vector<std::vector<double>> logits;  // the classifier's, as in TrainedClassifier
  ClassPair classes;
};

// Measures and checks the claims that hold for a logit difference:
//  - classifies_all_rows: every row's predicted class is its target;
//  - ig_complete: the attributions add up to LD(clean) - LD(corrupt) within
//    attribution::completeness_tolerance(hidden);
//  - patching_symmetric: denoising and noising give each component the same score, its IG share,
//    within attribution::symmetry_tolerance (LD is linear in the components);
//  - with a hidden layer, silent_neurons_get_zero (chapter 7).
// Throws UsageError when the gate's pair has one class (pair_classes).
ClassifierExperiment analyse_classifier(TrainedClassifier classifier);

}  // namespace latent
