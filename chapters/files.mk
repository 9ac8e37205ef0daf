# Which files each chapter introduces: its part of the library, its program, its tests.
#
# The Makefile includes this table, and the course tool (tests/course/) reads it: `make test-chNN`
# builds only chapters 1..NN's files, a file that includes a later chapter's file fails the build
# with a message naming both, and a source file no row lists is an error. A chapter uses only what
# it or an earlier chapter introduced; a new file goes in the row of the chapter that first needs it.
#
#   chNN.library   code in autodiff/, nn/ and attribution/ (headers and sources)
#   chNN.program   chapters/NN-name/: the chapter's program (build/chNN) and its README
#   chNN.tests     the chapter's tests, and the test helpers first used there
#
# After the chapters come the tools, which may use every chapter: the latent command, the figures,
# the benchmarks and the course tooling (the student edition, the test runner, the grader).

chapters := ch01 ch02 ch03 ch04 ch05 ch06 ch07 ch08 ch09 ch10 ch11 ch12

ch01.library := autodiff/autodiff.hpp autodiff/exercise.hpp autodiff/gradcheck.hpp \
                autodiff/operations.hpp autodiff/tape.hpp autodiff/tape.cpp
ch01.program := chapters/01-autodiff/main.cpp chapters/01-autodiff/README.md
ch01.tests   := tests/ch01_operations_test.cpp tests/ch01_tape_test.cpp \
                tests/ch01_exercises_test.cpp tests/chapter_output.hpp tests/test_support.hpp

ch02.library := nn/matrix.hpp nn/matrix.cpp nn/random.hpp nn/random.cpp nn/layer.hpp \
                nn/linear.hpp nn/linear.cpp nn/activations.hpp nn/activations.cpp \
                nn/sequential.hpp nn/sequential.cpp nn/hooks.hpp nn/hooks.cpp nn/gates.hpp \
                nn/gates.cpp nn/network.hpp nn/network.cpp
ch02.program := chapters/02-network/main.cpp chapters/02-network/README.md
ch02.tests   := tests/ch02_layers_test.cpp tests/ch02_matrix_test.cpp tests/ch02_random_test.cpp \
                tests/ch02_sequential_test.cpp tests/ch02_exercises_test.cpp

ch03.library := nn/bce_loss.hpp nn/bce_loss.cpp nn/sgd.hpp nn/sgd.cpp nn/training.hpp \
                nn/training.cpp nn/nn.hpp
ch03.program := chapters/03-training/main.cpp chapters/03-training/options.hpp \
                chapters/03-training/README.md
ch03.tests   := tests/ch03_bce_loss_test.cpp tests/ch03_options_test.cpp tests/ch03_sgd_test.cpp \
                tests/ch03_training_test.cpp tests/ch03_exercises_test.cpp

ch04.library := attribution/quadrature.hpp attribution/quadrature.cpp attribution/closed_form.hpp \
                attribution/model_run.hpp attribution/model_run.cpp \
                attribution/integrated_gradients.hpp attribution/integrated_gradients.cpp
ch04.program := chapters/04-integrated-gradients/main.cpp chapters/04-integrated-gradients/README.md
ch04.tests   := tests/ch04_integrated_gradients_test.cpp tests/ch04_quadrature_test.cpp \
                tests/ch04_exercises_test.cpp tests/hand_set_network.hpp \
                tests/reference_notebook_models.hpp \
                tests/reference_notebook_models.py

ch05.library := attribution/activation_patching.hpp attribution/activation_patching.cpp
ch05.program := chapters/05-activation-patching/main.cpp chapters/05-activation-patching/README.md
ch05.tests   := tests/ch05_activation_patching_test.cpp tests/ch05_exercises_test.cpp

ch06.library := attribution/experiment.hpp attribution/experiment.cpp
ch06.program := chapters/06-latent-circuits/main.cpp chapters/06-latent-circuits/README.md
ch06.tests   := tests/ch06_experiment_test.cpp tests/ch06_exercises_test.cpp \
                tests/experiment_claims.hpp

ch07.library := attribution/hidden_neurons.hpp attribution/hidden_neurons.cpp
ch07.program := chapters/07-hidden-layer/main.cpp chapters/07-hidden-layer/README.md
ch07.tests   := tests/ch07_hidden_layer_test.cpp tests/ch07_exercises_test.cpp

ch08.library := attribution/subset_patching.hpp attribution/subset_patching.cpp
ch08.program := chapters/08-more-inputs/main.cpp chapters/08-more-inputs/README.md
ch08.tests   := tests/ch08_more_inputs_test.cpp tests/ch08_exercises_test.cpp

ch09.library := nn/cross_entropy_loss.hpp nn/cross_entropy_loss.cpp nn/classifier.hpp \
                nn/classifier.cpp attribution/metric.hpp attribution/metric.cpp
ch09.program := chapters/09-metric/main.cpp chapters/09-metric/README.md
ch09.tests   := tests/ch09_metric_test.cpp tests/ch09_exercises_test.cpp

ch10.library := nn/residual.hpp nn/residual.cpp attribution/residual_stream.hpp \
                attribution/residual_stream.cpp attribution/correlation.hpp \
                attribution/correlation.cpp
ch10.program := chapters/10-residual-stream/main.cpp chapters/10-residual-stream/README.md
ch10.tests   := tests/ch10_residual_stream_test.cpp tests/ch10_exercises_test.cpp

ch11.library := attribution/comparison.hpp attribution/comparison.cpp attribution/ablation.hpp \
                attribution/ablation.cpp attribution/split_ig.hpp attribution/split_ig.cpp \
                attribution/skip_path.hpp attribution/skip_path.cpp
ch11.program := chapters/11-comparing-methods/main.cpp chapters/11-comparing-methods/README.md
ch11.tests   := tests/ch11_comparing_methods_test.cpp tests/ch11_exercises_test.cpp

ch12.library := nn/softmax.hpp nn/softmax.cpp nn/transformer.hpp nn/transformer.cpp \
                nn/adam.hpp nn/adam.cpp nn/induction_task.hpp nn/induction_task.cpp \
                nn/induction_training.hpp nn/induction_training.cpp nn/circuits.hpp \
                nn/circuits.cpp attribution/heads.hpp attribution/heads.cpp \
                attribution/attention_patterns.hpp attribution/attention_patterns.cpp \
                attribution/whole_path.hpp attribution/whole_path.cpp
ch12.program := chapters/12-attention-heads/main.cpp chapters/12-attention-heads/README.md
ch12.tests   := tests/ch12_softmax_test.cpp tests/ch12_transformer_test.cpp \
                tests/ch12_exercises_test.cpp tests/reference_transformer.hpp \
                tests/reference_transformer.py tests/ch12_heads_test.cpp \
                tests/reference_heads.hpp tests/reference_heads.py tests/ch12_adam_test.cpp \
                tests/ch12_training_test.cpp tests/reference_adam.hpp tests/reference_adam.py \
                tests/ch12_whole_path_test.cpp tests/reference_whole_path.hpp \
                tests/reference_whole_path.py

# ---- the tools ----------------------------------------------------------------------------------
# latent.code and plot.code are linked into the tools' tests; *.program holds each one's main().
latent.code    := latent/arguments.hpp latent/arguments.cpp latent/command.hpp latent/command.cpp \
                  latent/files.hpp latent/files.cpp latent/json.hpp latent/json.cpp \
                  latent/model_file.hpp latent/model_file.cpp latent/progress.hpp \
                  latent/progress.cpp latent/report.hpp latent/report.cpp \
                  latent/residual.hpp latent/residual.cpp latent/compare.hpp \
                  latent/compare.cpp latent/classifier.hpp latent/classifier.cpp \
                  latent/heads.hpp latent/heads.cpp
latent.program := latent/main.cpp
plot.code      := plot/svg.hpp plot/svg.cpp plot/axis.hpp plot/axis.cpp plot/bar_chart.hpp \
                  plot/bar_chart.cpp plot/line_plot.hpp plot/line_plot.cpp \
                  plot/scatter_plot.hpp plot/scatter_plot.cpp plot/heatmap.hpp plot/heatmap.cpp \
                  plot/figures/figures.hpp plot/figures/figures.cpp plot/figures/picks.cpp \
                  plot/figures/heads.cpp
plot.program   := plot/figures/main.cpp
bench.program  := bench/main.cpp bench/hand_training.hpp bench/compare_pytorch.py
course.code    := tests/course/table.hpp tests/course/table.cpp tests/course/markers.hpp \
                  tests/course/markers.cpp tests/course/checks.hpp tests/course/checks.cpp \
                  tests/course/edition.hpp tests/course/edition.cpp tests/course/grading.hpp \
                  tests/course/grading.cpp
course.program := tests/course/main.cpp
course.runner  := tests/course/runner.cpp
course.script  := tests/course/course-check.sh
# The fuzz targets (tests/fuzz/README.md): fuzz.code is linked into the tools' tests, which replay
# the seed corpus and the regressions through it, and into each of fuzz.program's libFuzzer
# programs (make fuzz), which are built with clang++ only.
fuzz.code      := tests/fuzz/targets.hpp tests/fuzz/targets.cpp
fuzz.program   := tests/fuzz/model_file_fuzz.cpp tests/fuzz/arguments_fuzz.cpp \
                  tests/fuzz/markers_fuzz.cpp
fuzz.script    := tests/fuzz/run.sh
fuzz.data      := tests/fuzz/README.md tests/fuzz/model_file.dict tests/fuzz/arguments.dict \
                  tests/fuzz/markers.dict
tools.tests    := tests/latent_arguments_test.cpp tests/latent_command_test.cpp \
                  tests/latent_csv_test.cpp tests/latent_json_test.cpp \
                  tests/latent_model_file_test.cpp tests/latent_metric_test.cpp \
                  tests/latent_output_test.cpp tests/latent_residual_test.cpp \
                  tests/latent_compare_test.cpp tests/latent_classifier_test.cpp \
                  tests/latent_heads_test.cpp \
                  tests/plot_test.cpp tests/plot_heatmap_test.cpp tests/figures_test.cpp \
                  tests/readme_examples_test.cpp tests/course_test.cpp \
                  tests/latent_test_support.hpp tests/svg_structure.hpp \
                  tests/fuzz_regression_test.cpp

# The teacher's files: the answers. The student edition leaves them out.
instructor.files := docs/instructors.md tests/instructors_test.cpp
