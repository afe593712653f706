#!/usr/bin/env bash
# Mutation testing of the audience-selection, leak-guard and incremental-key code (issue #12),
# with mutmut 3 (`.venv/bin/pip install -e '.[mutation]'`). See docs/mutation.md.
#
#   bash scripts/mutation.sh                 # every mutant in scope, at HEAD
#   bash scripts/mutation.sh results         # the last run's survivors (no new run)
#   REV=abc123 bash scripts/mutation.sh      # another commit
#   bash scripts/mutation.sh run 'briefgen.guard.*'   # some mutants only (fnmatch globs)
#
# mutmut rewrites the code it mutates into a mutants/ folder beside pyproject.toml, so the
# run happens in a copy of the committed tree ($MUTATION_DIR, default
# /tmp/briefgen-mutation): the work tree is never touched, and others may keep editing it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTATION_DIR:-/tmp/briefgen-mutation}
rev=${REV:-HEAD}
mutmut="$repo/.venv/bin/mutmut"
jobs=${JOBS:-2}

# The scope (docs/mutation.md): all of syntax.py, guard.py and textnorm.py; the selection
# functions of markdown.py; the incremental-key and guard-fingerprint code of build.py.
SCOPE=(
  'briefgen.syntax.*'
  'briefgen.guard.*'
  'briefgen.textnorm.*'
  'briefgen.markdown.x__selected__mutmut_*'
  'briefgen.markdown.x__select_blocks__mutmut_*'
  'briefgen.markdown.x__select_inline__mutmut_*'
  'briefgen.markdown.x_audience_markers__mutmut_*'
  'briefgen.markdown.x_block_shape__mutmut_*'
  'briefgen.markdown.x__canonical__mutmut_*'
  'briefgen.markdown.xǁMarkerǁshown_to__mutmut_*'
  'briefgen.build.x_guard_fingerprint__mutmut_*'
  'briefgen.build.x_plan__mutmut_*'
  'briefgen.build.x_check_html__mutmut_*'
  'briefgen.build.x__guard__mutmut_*'
  'briefgen.build.x_reguard__mutmut_*'
  'briefgen.build.x_pdf_guard_surfaces__mutmut_*'
  'briefgen.build.x_build__mutmut_*'
  'briefgen.build.x_manifest_entry__mutmut_*'
  'briefgen.build.x_check_indexes__mutmut_*'
)

command=${1:-run}
if [[ $command == results ]]; then
  cd "$work" && exec "$mutmut" results
fi
[[ $command == run ]] && shift || true
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${SCOPE[@]}")

if [[ ! -d $work/mutants ]] || [[ ${FRESH:-0} == 1 ]]; then
  rm -rf "$work"
  mkdir -p "$work"
  git -C "$repo" archive "$rev" | tar -x -C "$work"
  git -C "$repo" rev-parse "$rev" > "$work/REVISION"
fi
cd "$work"
echo "mutation testing $(cat REVISION) in $work" >&2
export PYTHONDONTWRITEBYTECODE=1
start=$(date +%s)
"$mutmut" run --max-children "$jobs" "${names[@]}"
echo "runtime: $(( $(date +%s) - start )) s" >&2
