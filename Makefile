# Latent Circuits. `make help` lists the targets.
#
# Everything is built into $(BUILD) (default build/). Objects remember the compiler and flags that
# made them: changing either (make CXX=clang++ ...) rebuilds what it must, nothing else.
# chapters/files.mk says which files each chapter introduces: `make test-chNN` builds only chapters
# 1..NN, so that an unfinished later chapter never stops it.

CXX      ?= g++
BUILD    ?= build
OPTIMIZE ?= -O2
# make WERROR= keeps warnings as warnings, for work in progress; CI builds with -Werror.
WERROR   ?= -Werror
# -ffp-contract=off: no fused multiply-add behind our back, so a seed gives the same bits on every
# compiler and processor.
CXXFLAGS := -std=c++20 $(OPTIMIZE) -Wall -Wextra -Wpedantic $(WERROR) -ffp-contract=off -I.
LDFLAGS  ?=
EXTRA_CXXFLAGS ?=
override CXXFLAGS += $(EXTRA_CXXFLAGS)

# In parallel by default, one job per core; each target's output is printed in one piece. `make
# test` and `make grade` keep going past a chapter that fails, to run everything they can.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif
MAKEFLAGS += --output-sync=target
ifneq ($(filter test grade sanitize,$(MAKECMDGOALS)),)
MAKEFLAGS += -k
endif

include chapters/files.mk
CHAPTERS := $(chapters)

object    = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(filter %.cpp,$(1)))
# chNN.upto: chapters 1..NN, and chNN.library_objects: the library code they introduce.
upto :=
$(foreach c,$(CHAPTERS),$(eval upto += $(c))$(eval $(c).upto := $(upto)))
$(foreach c,$(CHAPTERS),$(eval $(c).library_objects := \
    $(foreach u,$($(c).upto),$(call object,$($(u).library)))))
LIBRARY_OBJECTS := $($(lastword $(CHAPTERS)).library_objects)
# Every file of chapters 1..NN: what chapter NN's order check reads.
$(foreach c,$(CHAPTERS),$(eval $(c).files := \
    $(foreach u,$($(c).upto),$($(u).library) $($(u).program) $($(u).tests))))

LATENT_OBJECTS  := $(call object,$(latent.code))
PLOT_OBJECTS    := $(call object,$(plot.code))
COURSE_OBJECTS  := $(call object,$(course.code))
# The tests' main(): GoogleTest's, reporting a test that reaches an unfinished exercise as NOT DONE.
RUNNER_OBJECTS  := $(call object,$(course.runner) tests/course/grading.cpp tests/course/table.cpp)
# The instructor's tests run with the tools' tests; the student edition has none.
TOOLS_TESTS     := $(tools.tests) $(fuzz.code) $(wildcard $(filter tests/%,$(instructor.files)))
SOURCES         := $(sort $(filter %.cpp %.hpp,$(foreach c,$(CHAPTERS),$($(c).files)) $(latent.code) \
                   $(latent.program) $(plot.code) $(plot.program) $(bench.program) $(course.code) \
                   $(course.program) $(course.runner) $(TOOLS_TESTS) $(fuzz.program)))

GTEST_CFLAGS = $(shell pkg-config --cflags gtest 2>/dev/null)
GTEST_LIBS   = $(shell pkg-config --libs gtest 2>/dev/null)

.PHONY: all run test test-tools sanitize fuzz clean format format-check lint help check-gtest \
        student grade course-check figures figures-update bench FORCE $(CHAPTERS) \
        $(foreach c,$(CHAPTERS),test-$(c) grade-$(c))
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

all: $(foreach c,$(CHAPTERS),$(BUILD)/$(c)) $(BUILD)/latent

help:
	@echo "make               build every chapter and tool into $(BUILD)/"
	@echo "make run           run every chapter in order"
	@echo "make chNN          build and run chapter NN (make ch01)"
	@echo "make test          build and run every test (in parallel; keeps going past a failure)"
	@echo "make test-chNN     build chapters 1..NN only and run chapter NN's tests (make test-ch01)"
	@echo "make grade         score the exercises (chapters/exercises.md): OK, NOT DONE or FAIL each"
	@echo "make grade-chNN    only chapter NN's exercises"
	@echo "                   GRADESCOPE=file also writes Gradescope's results.json;"
	@echo "                   HIDDEN_TESTS=dir compiles dir/*.cpp into the grading run"
	@echo "make student DIR=path  write the student edition (every exercise a stub) into path"
	@echo "make course-check  check the student edition and the grader end to end (as CI does)"
	@echo "make sanitize      the tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	@echo "make fuzz          libFuzzer on the model-file, argument and marker readers (clang++),"
	@echo "                   FUZZ_SECONDS=$(FUZZ_SECONDS) each; tests/fuzz/README.md"
	@echo "make format        clang-format the sources in place; make format-check only checks"
	@echo "make lint          clang-tidy on the sources"
	@echo "make figures       draw every figure (SVG) and an index.html into $(BUILD)/figures/"
	@echo "make figures-update  the same, then copy the figures over their copies in chapters/"
	@echo "make bench         build the benchmarks (release flags) and print their table"
	@echo "make clean         remove $(BUILD)/"
	@echo "Variables: CXX=clang++ to change compiler, BUILD=dir to build elsewhere,"
	@echo "           WERROR= to keep warnings from stopping the build, TEST_FILTER=--gtest_filter=..."

# ---- compiling --------------------------------------------------------------------------------
# The stamp holds the compiler and flags; it is rewritten only when they change.
$(BUILD)/compile_flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CXX) $(CXXFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CXX) $(CXXFLAGS) $(LDFLAGS)' > $@

# Tests find the project's files and the chapters' outputs through these two paths.
TEST_DEFINES = -DPROJECT_ROOT='"$(CURDIR)"' -DCHAPTER_OUTPUT_DIR='"$(abspath $(BUILD))/out"'
$(BUILD)/obj/tests/%.o: override CXXFLAGS += $(TEST_DEFINES) $(GTEST_CFLAGS)

$(BUILD)/obj/%.o: %.cpp $(BUILD)/compile_flags
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

# ---- the course tool: chapter order, the student edition, the grader ---------------------------
$(BUILD)/course: $(call object,$(course.program)) $(COURSE_OBJECTS)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

# Chapter NN's files include nothing of a later chapter, and their exercise markers are sound.
$(BUILD)/checked/%: $(BUILD)/course chapters/files.mk chapters/exercises.md
	@mkdir -p $(@D)
	./$(BUILD)/course check $(if $(filter all,$*),,--through $*)
	@touch $@

# ---- chapters: chNN.program is $(BUILD)/chNN, linked once chapters 1..NN pass the order check -
define chapter_rules
$(BUILD)/checked/$(1): $($(1).files)

$(BUILD)/$(1): $(call object,$($(1).program)) $($(1).library_objects) | $(BUILD)/checked/$(1)
	$$(CXX) $$(CXXFLAGS) $$^ $$(LDFLAGS) -o $$@
$(1): $(BUILD)/$(1)
	./$(BUILD)/$(1) $$(ARGS)

# What the chapter prints, its exit status and its stderr, for the test that keeps its README
# honest. A program that fails (or reaches an unfinished exercise) does not stop the build: the
# test reports it.
$(BUILD)/out/$(1).txt: $(BUILD)/$(1)
	@mkdir -p $$(@D)
	@./$(BUILD)/$(1) > $$@.partial 2> $(BUILD)/out/$(1).stderr; echo $$$$? > $(BUILD)/out/$(1).status; \
	  mv $$@.partial $$@

# Chapter NN's tests, with chapters 1..NN's library and the runner.
$(BUILD)/test-$(1): $(call object,$($(1).tests)) $($(1).library_objects) $(RUNNER_OBJECTS) | check-gtest
	@mkdir -p $$(@D)
	$$(CXX) $$(CXXFLAGS) $$^ $$(LDFLAGS) $$(GTEST_LIBS) -o $$@

test-$(1): $(BUILD)/checked/$(1) $(BUILD)/test-$(1) $(BUILD)/out/$(1).txt
	./$(BUILD)/test-$(1) $$(TEST_FILTER)
endef
$(foreach c,$(CHAPTERS),$(eval $(call chapter_rules,$(c))))
$(BUILD)/checked/all: $(foreach c,$(CHAPTERS),$($(c).files)) $(SOURCES)

run: $(foreach c,$(CHAPTERS),$(BUILD)/$(c))
	@set -e; for c in $(CHAPTERS); do echo "==================== $$c ===================="; \
	  ./$(BUILD)/$$c; echo; done

# ---- tools ------------------------------------------------------------------------------------
$(BUILD)/latent: $(call object,$(latent.program)) $(LATENT_OBJECTS) $(LIBRARY_OBJECTS)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

# make figures: every figure and index.html into $(BUILD)/figures/. make figures-update also copies
# them over the committed copies under chapters/ (a test fails while those are out of date).
$(BUILD)/draw-figures: $(call object,$(plot.program)) $(PLOT_OBJECTS) $(LIBRARY_OBJECTS)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

figures: $(BUILD)/draw-figures
	./$(BUILD)/draw-figures $(BUILD)/figures

figures-update: $(BUILD)/draw-figures
	./$(BUILD)/draw-figures $(BUILD)/figures --update-chapters

# bench/ is $(BUILD)/bench (never linked into the tests); latent/json.cpp is the only latent code
# it uses (for --json).
$(BUILD)/bench: $(call object,$(bench.program) latent/json.cpp) $(LIBRARY_OBJECTS)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

bench: $(BUILD)/bench
	./$(BUILD)/bench

# ---- tests ------------------------------------------------------------------------------------
check-gtest:
	@pkg-config --exists gtest 2>/dev/null || { echo "make test needs GoogleTest and pkg-config:\
	 apt-get install libgtest-dev pkg-config (Debian/Ubuntu) or brew install googletest pkg-config (macOS)"; exit 1; }

$(call object,$(filter tests/%,$(SOURCES))): | check-gtest

# The tools' tests: latent, the figures, the top README's examples, the course tool.
$(BUILD)/test-tools: $(call object,$(TOOLS_TESTS)) $(LATENT_OBJECTS) $(PLOT_OBJECTS) $(COURSE_OBJECTS) \
                      $(LIBRARY_OBJECTS) $(call object,$(course.runner)) | check-gtest
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) $(GTEST_LIBS) -o $@

test-tools: $(BUILD)/checked/all $(BUILD)/test-tools $(BUILD)/latent
	./$(BUILD)/test-tools $(TEST_FILTER)

test: $(foreach c,$(CHAPTERS),test-$(c)) test-tools

SANITIZE_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) BUILD=$(BUILD)/sanitize OPTIMIZE="$(SANITIZE_FLAGS)" LDFLAGS="-fsanitize=address,undefined" test

# ---- fuzzing ----------------------------------------------------------------------------------
# make fuzz builds the libFuzzer programs into $(BUILD)/fuzz with clang++ (every object compiled
# for coverage and under ASan + UBSan), then runs each for FUZZ_SECONDS on a copy of its seed
# corpus (tests/fuzz/run.sh says what it prints and where a crash goes; tests/fuzz/README.md how a
# crash becomes a regression test).
FUZZ_SECONDS ?= 60
FUZZ_CXX     ?= clang++
FUZZ_TARGETS := $(patsubst tests/fuzz/%_fuzz.cpp,%,$(filter %_fuzz.cpp,$(fuzz.program)))
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
$(BUILD)/%_fuzz: $(BUILD)/obj/tests/fuzz/%_fuzz.o $(call object,$(fuzz.code)) $(LATENT_OBJECTS) \
                 $(COURSE_OBJECTS) $(LIBRARY_OBJECTS)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

fuzz:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CXX=$(FUZZ_CXX) OPTIMIZE="$(FUZZ_FLAGS)" \
	  LDFLAGS="-fsanitize=fuzzer,address,undefined" $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%_fuzz)
	tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ---- grading ----------------------------------------------------------------------------------
# make grade builds what it can, runs each chapter's tests (and HIDDEN_TESTS, if given) with
# --results, and lets the course tool score them. A chapter whose tests do not build scores 0 for
# its exercises, with a pointer to `make test-chNN`; a stale program is never graded.
GRADE_DIR := $(BUILD)/grade
ifneq ($(HIDDEN_TESTS),)
HIDDEN_SOURCES := $(wildcard $(HIDDEN_TESTS)/*.cpp)
ifeq ($(HIDDEN_SOURCES),)
$(error HIDDEN_TESTS=$(HIDDEN_TESTS) holds no .cpp files)
endif
HIDDEN_OBJECTS := $(patsubst $(HIDDEN_TESTS)/%.cpp,$(BUILD)/obj/hidden/%.o,$(HIDDEN_SOURCES))
$(BUILD)/obj/hidden/%.o: $(HIDDEN_TESTS)/%.cpp $(BUILD)/compile_flags | check-gtest
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $(TEST_DEFINES) $(GTEST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/test-hidden: $(HIDDEN_OBJECTS) $(LIBRARY_OBJECTS) $(RUNNER_OBJECTS)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) $(GTEST_LIBS) -o $@
endif

# $(1): the chapters to grade; $(2): the same, or nothing for all. The test programs are removed
# first, so that one that no longer builds cannot be graded from an old copy.
define grade_recipe
@rm -rf $(GRADE_DIR) && mkdir -p $(GRADE_DIR)
@rm -f $(foreach t,$(1) $(if $(HIDDEN_TESTS),hidden),$(BUILD)/test-$(t))
@$(MAKE) --no-print-directory -k $(foreach c,$(1),$(BUILD)/test-$(c) $(BUILD)/out/$(c).txt) \
  $(if $(HIDDEN_TESTS),$(BUILD)/test-hidden) > $(GRADE_DIR)/build.log 2>&1 || \
  echo "(something did not build: $(GRADE_DIR)/build.log says what)"
@for t in $(1) $(if $(HIDDEN_TESTS),hidden); do \
  if [ -x $(BUILD)/test-$$t ]; then \
    ./$(BUILD)/test-$$t --results=$(GRADE_DIR)/$$t.results > $(GRADE_DIR)/$$t.log 2>&1; \
  fi; done; true
@./$(BUILD)/course grade $(GRADE_DIR) $(foreach c,$(2),--chapter $(c)) \
  $(if $(HIDDEN_TESTS),--expect hidden) $(if $(GRADESCOPE),--gradescope $(GRADESCOPE))
endef

grade: $(BUILD)/course
	$(call grade_recipe,$(CHAPTERS),)
define grade_rule
grade-$(1): $(BUILD)/course
	$$(call grade_recipe,$(1),$(1))
endef
$(foreach c,$(CHAPTERS),$(eval $(call grade_rule,$(c))))

# ---- the student edition ----------------------------------------------------------------------
student: $(BUILD)/course
	@test -n "$(DIR)" || { echo "make student DIR=path: say where to write the student edition"; exit 2; }
	./$(BUILD)/course student $(DIR)

# What CI checks of the course as a whole: the student edition builds with -Werror, its tests run
# clean with every exercise NOT DONE and it scores 0; the solution scores full marks; the student
# edition with the solutions put back is this repository byte for byte; and with chapter 7 broken,
# chapter 4's tests still pass.
course-check: $(BUILD)/course
	tests/course/course-check.sh $(BUILD)

# ---- housekeeping -----------------------------------------------------------------------------
FORMATTED := $(SOURCES)
format:
	clang-format -i $(FORMATTED)
format-check:
	clang-format --dry-run --Werror $(FORMATTED)
# One target per file, so that make -j lint runs clang-tidy on several files at once.
LINT_SOURCES := $(filter %.cpp,$(foreach c,$(CHAPTERS),$($(c).library) $($(c).program)) \
                $(latent.code) $(latent.program) $(plot.code) $(plot.program) $(bench.program) \
                $(course.code) $(course.program) $(fuzz.code) $(fuzz.program))
LINT_TARGETS := $(addprefix lint/,$(LINT_SOURCES))
.PHONY: $(LINT_TARGETS)
lint: $(LINT_TARGETS)
$(LINT_TARGETS): lint/%:
	clang-tidy --quiet $* -- -std=c++20 -I.

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
