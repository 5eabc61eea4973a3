"""Metric names referenced by a PromQL expression (or a Grafana query).

A lexical approximation, good for the queries this repository writes: it
drops strings, label matchers, ranges, grouping clauses, Grafana variables and
numbers, then keeps identifiers that are not functions or keywords.
"""

import re

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GRAFANA_VARS = re.compile(r"\$\{[^}]*\}|\$\w+")
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_OFFSET = re.compile(r"\boffset\s+-?\w+")
_NUMBERS = re.compile(
    r"(?<![\w:])(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)")
_IDENT = re.compile(r"[A-Za-z_:][\w:]*")
_KEYWORDS = {
    "and", "or", "unless", "bool", "offset", "by", "without", "on",
    "ignoring", "group_left", "group_right", "inf", "nan", "atan2",
}
# Grafana's variable query: label_values(metric{...}, label).
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(.*),\s*\w+\s*\)\s*$", re.S)


def metric_names(expr):
  """Returns the set of metric names expr reads."""
  m = _LABEL_VALUES.match(expr)
  if m:
    expr = m.group(1)
  text = _STRINGS.sub(" ", expr)
  text = _GRAFANA_VARS.sub(" ", text)
  text = _MATCHERS.sub(" ", text)
  text = _RANGES.sub(" ", text)
  text = _OFFSET.sub(" ", text)
  while True:  # grouping clauses may follow one another
    stripped = _GROUPING.sub(" ", text)
    if stripped == text:
      break
    text = stripped
  text = _NUMBERS.sub(" ", text)
  names = set()
  for m in _IDENT.finditer(text):
    rest = text[m.end():].lstrip()
    if rest.startswith("("):
      continue  # a function or an aggregation
    if m.group(0).lower() in _KEYWORDS:
      continue
    names.add(m.group(0))
  return names
