// The whole nn library: include this one header.
//
//   autodiff::Tape tape;
//   nn::Generator generator(0);
//   nn::Sequential model(tape, generator, nn::Linear(2, 1), nn::Sigmoid());
//   nn::TruthTable data = nn::truth_table(nn::Gate::and_gate);
//   nn::train(model, data.inputs, data.targets, generator);   // 1000 epochs, SGD lr 0.1, BCE
//   auto [output, cache] = model.run_with_cache(data.inputs);
//
// Files, one idea each: matrix (the container), random (the generator), layer (the interface),
// linear, activations (Sigmoid, ReLU), sequential, hooks (activation names, hooks, the cache),
// network (the tutorial's two networks), gates (truth tables), bce_loss, sgd, training (the loop).
#pragma once

#include "nn/activations.hpp"
#include "nn/bce_loss.hpp"
#include "nn/gates.hpp"
#include "nn/hooks.hpp"
#include "nn/layer.hpp"
#include "nn/linear.hpp"
#include "nn/matrix.hpp"
#include "nn/network.hpp"
#include "nn/random.hpp"
#include "nn/sequential.hpp"
#include "nn/sgd.hpp"
#include "nn/training.hpp"
