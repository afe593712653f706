#!/usr/bin/env bash
# Mutation testing of the audience-selection, leak-guard and incremental-key code (issue #12),
# with mutmut 3 (`.venv/bin/pip install -e '.[mutation]'`). See docs/mutation.md.
#
#   bash scripts/mutation.sh selection       # pass 1: syntax, markdown selection, guard, textnorm
#   bash scripts/mutation.sh keys            # pass 2: build/'s incremental keys and guard fingerprint
#   bash scripts/mutation.sh results PASS    # that pass's mutants that were not killed
#   bash scripts/mutation.sh recheck PASS TESTS...   # its survivors against more tests
#   REV=abc123 bash scripts/mutation.sh selection    # another commit (default HEAD)
#
# mutmut rewrites the code it mutates into a mutants/ folder beside pyproject.toml, so each
# pass runs in its own copy of the committed tree ($MUTATION_DIR/PASS, default
# /tmp/briefgen-mutation/PASS): the work tree is never touched, and others may keep editing it.
# A second run of a pass reuses its copy (and mutmut's results); FRESH=1 starts over.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
command=${1:?usage: mutation.sh selection|keys|results PASS|recheck PASS TESTS...}
shift
if [[ $command == results || $command == recheck ]]; then
  pass=${1:?which pass: selection or keys}
  shift
else
  pass=$command
fi
work=${MUTATION_DIR:-/tmp/briefgen-mutation}/$pass
rev=${REV:-HEAD}
mutmut="$repo/.venv/bin/mutmut"
python="$repo/.venv/bin/python"
jobs=${JOBS:-2}
# the property tests run once per mutant: a tenth of their examples
export BRIEFGEN_PROPERTY_EXAMPLES=${BRIEFGEN_PROPERTY_EXAMPLES:-10}
export PYTHONDONTWRITEBYTECODE=1

case $pass in
  selection)
    SCOPE=(
      'briefgen.content.syntax.*'
      'briefgen.publish.guard.*'
      'briefgen.textnorm.*'
      'briefgen.edition.markdown.x__selected__mutmut_*'
      'briefgen.edition.markdown.x__select_blocks__mutmut_*'
      'briefgen.edition.markdown.x__select_inline__mutmut_*'
    )
    SELECTION='' ;;  # pyproject.toml's [tool.mutmut] selection
  keys)
    SCOPE=(
      'briefgen.build.keys.*'
      'briefgen.build.run.x_plan__mutmut_*'
      'briefgen.build.run.x_guard_pages__mutmut_*'
      'briefgen.build.run.x__guard__mutmut_*'
      'briefgen.build.run.x_reguard__mutmut_*'
      'briefgen.build.formats.x_html_surfaces__mutmut_*'
      'briefgen.build.formats.x_pdf_document_surfaces__mutmut_*'
      'briefgen.build.manifest.x_manifest_entry__mutmut_*'
      'briefgen.build.indexes.x_check_indexes__mutmut_*'
    )
    # the fast incremental-key tests, and the two PDF builds of issue #12's list
    SELECTION='"tests/test_mutation_kills.py", "tests/test_incremental.py", "-k", "not test_incremental or pdf_variant or same_size"' ;;
  *) echo "unknown pass '$pass': selection or keys" >&2; exit 2 ;;
esac

if [[ $command == results ]]; then
  cd "$work" && "$mutmut" results | grep -v ': not checked$' || true
  exit 0
fi
if [[ $command == recheck ]]; then
  # Each survivor, in a fresh interpreter, against the given tests (mutmut's own runs try a
  # mutant only against the tests that called the function when it recorded the suite).
  cd "$work"
  "$mutmut" results 2>/dev/null | awk -F': ' '$2 == "survived" || $2 == "no tests" {print $1}' \
    | sed 's/^ *//' > survivors.txt
  cd mutants
  # the tests as committed now (they may postdate the pass), checked first on unmutated code
  for t in "$@"; do
    f=${t%%::*}
    [[ -f $repo/$f ]] && cp "$repo/$f" "$f"
  done
  cp "$repo/tests/mutation_support.py" tests/ 2>/dev/null || true
  if ! MUTANT_UNDER_TEST= PYTHONPATH=. "$python" -m pytest -x -q -p no:cacheprovider "$@" \
      > ../recheck-baseline.txt 2>&1; then
    echo "the tests fail on the unmutated code of this pass: see $work/recheck-baseline.txt" >&2
    exit 1
  fi
  echo "$(wc -l < ../survivors.txt) survivors of pass $pass, against: $*" >&2
  xargs -P "$jobs" -I{} sh -c 'if MUTANT_UNDER_TEST={} PYTHONPATH=. "$0" -m pytest -x -q \
      -p no:cacheprovider "$@" >/dev/null 2>&1; then echo "survived {}"; else echo "killed {}"; fi' \
      "$python" "$@" < ../survivors.txt | sort > ../recheck.txt
  grep -c '^killed' ../recheck.txt | sed 's/$/ killed by the recheck/' >&2
  grep '^survived' ../recheck.txt || true
  exit 0
fi

if [[ ! -d $work/mutants ]] || [[ ${FRESH:-0} == 1 ]]; then
  rm -rf "$work"
  mkdir -p "$work"
  git -C "$repo" archive "$rev" | tar -x -C "$work"
  git -C "$repo" rev-parse "$rev" > "$work/REVISION"
  if [[ -n $SELECTION ]]; then
    "$python" - "$work/pyproject.toml" "$SELECTION" <<'EOF'
import re, sys
path, selection = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
text = re.sub(r"pytest_add_cli_args_test_selection = \[.*?\n\]",
              f"pytest_add_cli_args_test_selection = [{selection}]", text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
EOF
  fi
fi
cd "$work"
echo "mutation testing ($pass) of $(cat REVISION) in $work" >&2
start=$(date +%s)
"$mutmut" run --max-children "$jobs" "${SCOPE[@]}"
echo "runtime: $(( $(date +%s) - start )) s" >&2
# (bash reads a script as it runs it: do not edit this file while a pass runs)
