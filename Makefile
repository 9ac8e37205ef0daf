# Latent Circuits. `make help` lists the targets.
#
# Everything is built into $(BUILD) (default build/). Objects remember the compiler and flags that
# made them: changing either (make CXX=clang++ ...) rebuilds what it must, nothing else.

CXX      ?= g++
BUILD    ?= build
OPTIMIZE ?= -O2
# -ffp-contract=off: no fused multiply-add behind our back, so a seed gives the same bits on every
# compiler and processor.
CXXFLAGS := -std=c++20 $(OPTIMIZE) -Wall -Wextra -Wpedantic -Werror -ffp-contract=off -I.
LDFLAGS  ?=
EXTRA_CXXFLAGS ?=
override CXXFLAGS += $(EXTRA_CXXFLAGS)

LIBRARY_SOURCES := $(sort $(wildcard autodiff/*.cpp nn/*.cpp attribution/*.cpp))
CHAPTER_DIRS    := $(sort $(wildcard chapters/[0-9][0-9]-*))
chapter_id       = ch$(firstword $(subst -, ,$(notdir $(1))))
CHAPTERS        := $(foreach d,$(CHAPTER_DIRS),$(call chapter_id,$(d)))
TEST_SOURCES    := $(sort $(wildcard tests/*.cpp))
TOOL_DIRS       := $(sort $(wildcard latent bench))
SOURCES         := $(LIBRARY_SOURCES) $(wildcard chapters/*/*.cpp) $(TEST_SOURCES) \
                   $(foreach d,$(TOOL_DIRS),$(wildcard $(d)/*.cpp))

object = $(BUILD)/obj/$(1:.cpp=.o)
LIBRARY_OBJECTS := $(foreach s,$(LIBRARY_SOURCES),$(call object,$(s)))
TEST_OBJECTS    := $(foreach s,$(TEST_SOURCES),$(call object,$(s)))
# The latent command is its main() plus code the tests link too.
LATENT_CODE     := $(filter-out latent/main.cpp,$(wildcard latent/*.cpp))
LATENT_OBJECTS  := $(foreach s,$(LATENT_CODE),$(call object,$(s)))
LATENT_PROGRAM  := $(if $(wildcard latent/main.cpp),$(BUILD)/latent)
CHAPTER_OUTPUTS := $(foreach c,$(CHAPTERS),$(BUILD)/out/$(c).txt)
# ---- figures: plot/ is the SVG module (standard library only), plot/figures/ the tutorial's
# figures drawn with it; both are linked into the tests, plot/figures/main.cpp is draw-figures.
PLOT_CODE       := $(sort $(wildcard plot/*.cpp) \
                   $(filter-out plot/figures/main.cpp,$(wildcard plot/figures/*.cpp)))
PLOT_OBJECTS    := $(foreach s,$(PLOT_CODE),$(call object,$(s)))
SOURCES         += $(wildcard plot/*.cpp plot/figures/*.cpp)

GTEST_FLAGS = $(shell pkg-config --cflags --libs gtest_main 2>/dev/null)

.PHONY: all run test sanitize clean format format-check lint help check-gtest $(CHAPTERS) \
        $(foreach c,$(CHAPTERS),test-$(c)) FORCE figures figures-update bench
.DEFAULT_GOAL := all

all: $(foreach c,$(CHAPTERS),$(BUILD)/$(c)) $(LATENT_PROGRAM)

help:
	@echo "make               build every chapter and tool into $(BUILD)/"
	@echo "make run           run every chapter in order"
	@echo "make chNN          build and run chapter NN (make ch01)"
	@echo "make test          build and run the whole test suite"
	@echo "make test-chNN     only chapter NN's tests (make test-ch01)"
	@echo "make sanitize      the test suite under AddressSanitizer and UndefinedBehaviorSanitizer"
	@echo "make format        clang-format the sources in place; make format-check only checks"
	@echo "make lint          clang-tidy on the sources"
	@echo "make figures       draw every figure (SVG) and an index.html into $(BUILD)/figures/"
	@echo "make figures-update  the same, then copy the figures over their copies in chapters/"
	@echo "make bench         build the benchmarks (release flags) and print their table"
	@echo "make clean         remove build/"
	@echo "Variables: CXX=clang++ to change compiler, BUILD=dir to build elsewhere."

# ---- compiling --------------------------------------------------------------------------------
# The stamp holds the compiler and flags; it is rewritten only when they change.
$(BUILD)/compile_flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CXX) $(CXXFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CXX) $(CXXFLAGS) $(LDFLAGS)' > $@

# Tests find the chapters' READMEs and outputs through these two paths.
$(BUILD)/obj/tests/%.o: override CXXFLAGS += -DPROJECT_ROOT='"$(CURDIR)"' \
    -DCHAPTER_OUTPUT_DIR='"$(abspath $(BUILD))/out"' $(shell pkg-config --cflags gtest_main 2>/dev/null)

$(BUILD)/obj/%.o: %.cpp $(BUILD)/compile_flags
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/liblatent.a: $(LIBRARY_OBJECTS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# ---- chapters: chapters/NN-name/*.cpp is the program $(BUILD)/chNN -----------------------------
define chapter_rules
$(BUILD)/$(call chapter_id,$(1)): $(foreach s,$(wildcard $(1)/*.cpp),$(call object,$(s))) $(BUILD)/liblatent.a
	$$(CXX) $$(CXXFLAGS) $$^ $$(LDFLAGS) -o $$@
$(call chapter_id,$(1)): $(BUILD)/$(call chapter_id,$(1))
	./$(BUILD)/$(call chapter_id,$(1)) $$(ARGS)
# What the chapter prints, for the tests that keep its README honest.
$(BUILD)/out/$(call chapter_id,$(1)).txt: $(BUILD)/$(call chapter_id,$(1))
	@mkdir -p $$(@D)
	./$(BUILD)/$(call chapter_id,$(1)) > $$@.partial && mv $$@.partial $$@
test-$(call chapter_id,$(1)): TEST_FILTER = --gtest_filter='$(subst c,C,$(call chapter_id,$(1)))*'
test-$(call chapter_id,$(1)): test
endef
$(foreach d,$(CHAPTER_DIRS),$(eval $(call chapter_rules,$(d))))

run: $(foreach c,$(CHAPTERS),$(BUILD)/$(c))
	@set -e; for c in $(CHAPTERS); do echo "==================== $$c ===================="; \
	  ./$(BUILD)/$$c; echo; done

# ---- tools ------------------------------------------------------------------------------------
$(BUILD)/latent: $(call object,latent/main.cpp) $(LATENT_OBJECTS) $(BUILD)/liblatent.a
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

# ---- figures ----------------------------------------------------------------------------------
# make figures: every figure and index.html into $(BUILD)/figures/. make figures-update also copies
# them over the committed copies under chapters/ (a test fails while those are out of date).
$(BUILD)/draw-figures: $(call object,plot/figures/main.cpp) $(PLOT_OBJECTS) $(BUILD)/liblatent.a
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

figures: $(BUILD)/draw-figures
	./$(BUILD)/draw-figures $(BUILD)/figures

figures-update: $(BUILD)/draw-figures
	./$(BUILD)/draw-figures $(BUILD)/figures --update-chapters

# ---- benchmarks: bench/*.cpp is $(BUILD)/bench (never linked into the tests) -------------------
# latent/json.cpp is the only latent code bench uses (for --json).
BENCH_OBJECTS := $(foreach s,$(wildcard bench/*.cpp),$(call object,$(s)))
$(BUILD)/bench: $(BENCH_OBJECTS) $(call object,latent/json.cpp) $(BUILD)/liblatent.a
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $@

bench: $(BUILD)/bench
	./$(BUILD)/bench

# ---- tests ------------------------------------------------------------------------------------
check-gtest:
	@pkg-config --exists gtest_main 2>/dev/null || { echo "make test needs GoogleTest and pkg-config:\
	 apt-get install libgtest-dev pkg-config (Debian/Ubuntu) or brew install googletest pkg-config (macOS)"; exit 1; }

$(BUILD)/tests: $(TEST_OBJECTS) $(LATENT_OBJECTS) $(PLOT_OBJECTS) $(BUILD)/liblatent.a | check-gtest
	$(CXX) $(CXXFLAGS) $(TEST_OBJECTS) $(LATENT_OBJECTS) $(PLOT_OBJECTS) $(BUILD)/liblatent.a \
	    $(LDFLAGS) $(GTEST_FLAGS) -o $@

$(TEST_OBJECTS): | check-gtest

test: check-gtest $(BUILD)/tests $(CHAPTER_OUTPUTS) $(LATENT_PROGRAM)
	./$(BUILD)/tests $(TEST_FILTER)

SANITIZE_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) BUILD=$(BUILD)/sanitize OPTIMIZE="$(SANITIZE_FLAGS)" LDFLAGS="-fsanitize=address,undefined" test

# ---- housekeeping -----------------------------------------------------------------------------
FORMATTED := $(sort $(SOURCES) $(wildcard */*.hpp */*/*.hpp))
format:
	clang-format -i $(FORMATTED)
format-check:
	clang-format --dry-run --Werror $(FORMATTED)
# One target per file, so that make -j lint runs clang-tidy on several files at once.
LINT_SOURCES := $(LIBRARY_SOURCES) $(wildcard chapters/*/*.cpp latent/*.cpp bench/*.cpp) \
                $(wildcard plot/*.cpp plot/figures/*.cpp)
LINT_TARGETS := $(addprefix lint/,$(LINT_SOURCES))
.PHONY: $(LINT_TARGETS)
lint: $(LINT_TARGETS)
$(LINT_TARGETS): lint/%:
	clang-tidy --quiet $* -- -std=c++20 -I.

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
