#!/usr/bin/env bash
# Turns a monitor CSV (monitor --csv=...) into a PNG with gnuplot: pCPU loads
# and their std-dev over time on top, each guest's balloon size (solid) and
# unused memory (dashed) below.
#
#   plot.sh RUN.csv OUT.png [TITLE]
set -euo pipefail

log() { echo "plot: $*" >&2; }
(($# >= 2)) || { log "usage: plot.sh RUN.csv OUT.png [TITLE]"; exit 2; }
csv=$1
png=$2
title=${3:-$(basename "$csv" .csv)}
command -v gnuplot >/dev/null || { log "gnuplot not found: install gnuplot-nox"; exit 1; }
[[ -r $csv ]] || { log "cannot read $csv"; exit 1; }
(($(wc -l <"$csv") >= 2)) || { log "$csv has no rows"; exit 1; }

IFS=, read -r -a header <"$csv"
pcpus=()
guests=()
for name in "${header[@]}"; do
  case $name in
    pcpu*_pct) pcpus+=("$name") ;;
    *_actual_mib) guests+=("${name%_actual_mib}") ;;
  esac
done

cpu_plot=""
for col in "${pcpus[@]}"; do
  label=${col%_pct}
  cpu_plot+="'$csv' using 1:(column('$col')) with lines lw 2 title '${label/pcpu/pCPU }', "
done
cpu_plot+="'$csv' using 1:(column('stddev_pct')) with lines lw 2 dt 2 lc rgb 'black' title 'std-dev'"

mem_plot=""
i=1
for g in "${guests[@]}"; do
  mem_plot+="'$csv' using 1:(column('${g}_actual_mib')) with lines lw 2 lc $i title '$g actual', "
  mem_plot+="'$csv' using 1:(column('${g}_unused_mib')) with lines lw 1 dt 2 lc $i title '$g unused', "
  i=$((i + 1))
done
mem_plot=${mem_plot%, }

terminal="pngcairo size 1200,900 font 'DejaVu Sans,11'"
gnuplot -e "set terminal pngcairo" >/dev/null 2>&1 || terminal="png size 1200,900"

gnuplot <<EOF
set terminal $terminal noenhanced
set output '$png'
set datafile separator ','
set datafile missing ''
set key outside right top
set grid
set multiplot layout 2,1 title '$title'
set title 'pCPU load (vCPU time credited to its pinned or last pCPU)'
set ylabel 'percent of one pCPU'
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
plot $cpu_plot
set title 'guest memory (balloon actual, unused)'
set xlabel 'seconds'
set ylabel 'MiB'
${mem_plot:+plot $mem_plot}
unset multiplot
EOF
log "wrote $png"
