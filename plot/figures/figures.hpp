// The tutorial's figures: each chapter's results drawn with the plotting module (plot/).
//
// This is the one place that knows both the experiments (attribution/, nn/) and the plots; plot/
// itself takes numbers and labels only. `make figures` writes every figure and an index.html to
// build/figures/; `make figures-update` refreshes the copies committed under the chapters, and a
// test fails when a committed copy differs from what these functions draw now.
//
// To add a figure: write a function returning its Figure (below, or in a file of its own next to
// this one) and list it in all_figures().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/gates.hpp"

namespace figures {

struct Figure {
  std::string file;                   // its name in build/figures/, "ch06-and.svg"
  std::string caption;                // one line, shown under it in index.html
  std::string chapter_copy;           // the committed copy, from the project root; "" for none
  std::function<std::string()> draw;  // the SVG text; throws rather than draw bad data
};

// Every figure, in the order of the chapters.
std::vector<Figure> all_figures();

// A page showing every figure (by its file name, so it sits next to them) with its caption.
std::string index_html(const std::vector<Figure>& figures);

// ---- the figures ------------------------------------------------------------------------------
// Chapter 3: BCELoss at every epoch while training AND and OR (seed 0, 1000 epochs, lr 0.1).
Figure loss_curves_figure();
// Chapter 4: |completeness error| against n_steps for the five quadrature rules, log-log, on the
// notebook's AND neuron (clean [1, 1], corrupt baseline [0, 0]), with 1/n and 1/n^2 for reference.
Figure convergence_figure();
// Chapter 6: IG share, denoising and noising score of each input, for the AND or OR neuron trained
// from seed 0 (attribution::run_experiment).
Figure gate_scores_figure(nn::Gate gate);
// Chapter 7: the same three scores for each hidden neuron of the 2-2-1 network trained on the gate,
// for the first seed (0-9) whose network classifies every row, as the chapter picks its models.
Figure hidden_layer_scores_figure(nn::Gate gate);
// Chapter 8: the same three scores for each input of the three-input neuron (AND3, OR3, MAJ3)
// trained from seed 0 for 2000 epochs at lr 0.5, as the chapter trains it.
Figure three_input_scores_figure(nn::Gate gate);
// Chapter 9: denoising and noising score of each input of the notebook's AND and OR neurons
// (clean [1, 1], corrupt [0, 0]), on the probability sigmoid(z) and on the logit z.
Figure metric_scores_figure();
// Chapter 10: layer IG in the study's convention against the patching effect in the same direction,
// for every hidden neuron of the residual networks (AND, OR, XOR; seeds 0-9) that classify their
// gate, as the chapter pools them; Pearson's r of each direction in the legend.
Figure residual_ig_vs_patching_figure();
// Chapter 11: IG share against the noising score for every hidden neuron of the 16-neuron networks
// (AND, OR, XOR; seeds 0-9) that classify their gate, without the skip path (IG from the corrupt
// baseline) and with it (IG noise, chapter 10's convention); the mean of each model's Pearson r in
// the legend, as the chapter's agreement tables give it.
Figure wide_ig_vs_noising_figure();
// Chapter 11: each method's top quarter of the hidden neurons scored against the ablation ground
// truth, mean recall and precision under zero and mean ablation, with chance's exact expectation,
// for the network without the skip path (IG, denoising, noising) and with it (IG den, IG noise,
// denoising, noising; in picks.cpp), as the chapter's tables give them.
Figure picks_figure();
Figure skip_path_picks_figure();
// Chapter 12 (in heads.cpp), for the hand-set circuits of nn/circuits.hpp, gate OR or AND (any
// other throws std::invalid_argument): the attention pattern of every head on the clean prompt,
// one heatmap panel per head and a row of panels per layer; and each head's IG share (the study's
// IG from the corrupt base), denoising and noising score, from attribution::measure_heads.
Figure head_attention_figure(nn::Gate gate);
Figure head_scores_figure(nn::Gate gate);

// ---- charts that several figures share -----------------------------------------------------
// Grouped bars of IG share, denoising score and noising score per component (an input, a hidden
// neuron), with the verdicts' threshold 0.5 marked. All four lists must have the same length.
std::string attribution_scores_svg(const std::string& title,
                                   const std::vector<std::string>& components,
                                   const std::vector<double>& ig_shares,
                                   const std::vector<double>& denoising,
                                   const std::vector<double>& noising);

}  // namespace figures
